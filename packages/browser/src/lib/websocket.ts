/**
 * The browser `WebSocket`: the native socket plus what people otherwise add reconnecting-websocket
 * or partysocket for (reconnect with backoff, a bounded send queue, online/offline and page
 * lifecycle awareness), plus the Node client's `connect()`, `sendAsync()` and async iteration.
 */
import { WS_OK } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import { backoffDelay, resolveBackoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { checkChoice, checkCount, finalCodePredicate } from './options.ts';
import type { MessageData, ReconnectOptions, UrlSource, WebSocketOptions } from './options.ts';
import { DrainTracker } from './drain-tracker.ts';
import { BrowserErrorCode, InvalidJsonError, createError } from './errors.ts';
import {
  GiveUpEvent,
  ReconnectEvent,
  ReconnectedEvent,
  WebSocketCloseEvent,
  WebSocketErrorEvent,
  WebSocketMessageEvent,
} from './events.ts';
import type { WebSocketEventMap } from './events.ts';
import { MessageIterator } from './message-iterator.ts';
import { defaultEnvironment, globalWebSocket } from './native.ts';
import type { BrowserEnvironment, NativeWebSocket, NativeWebSocketConstructor } from './native.ts';
import { normalizeUrl } from './url.ts';
import { watchPage } from './page-lifecycle.ts';
import { sendDataByteLength, utf8ByteLength } from './send-data.ts';
import type { SendData } from './send-data.ts';
import { SendQueue } from './send-queue.ts';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type Phase = 'connecting' | 'open' | 'waiting' | 'suspended' | 'closed';
type SuspendReason = 'offline' | 'hidden' | 'pagehide';
type Handler<E> = ((event: E) => unknown) | null;

/**
 * A browser WebSocket that reconnects. It has the WHATWG surface (`readyState`, `send`, `close`,
 * `onmessage` …, events through `addEventListener`) and, beyond it, reconnect events, a send
 * queue, `json()`, `sendAsync()`, the state predicates and `for await` over messages.
 *
 * `readyState` stays `CONNECTING` while waiting to reconnect, and becomes `CLOSED` only when the
 * socket is closed for good: by `close()`, a final close code, no reconnect, or giving up.
 */
export class WebSocket<T = MessageData> extends EventTarget {
  /** The socket is connecting, or waiting to reconnect. */
  static readonly CONNECTING = CONNECTING;
  /** The connection is open. */
  static readonly OPEN = OPEN;
  /** `close()` was called, or the peer is closing; the close handshake is in progress. */
  static readonly CLOSING = CLOSING;
  /** Closed for good. */
  static readonly CLOSED = CLOSED;
  /** The socket is connecting, or waiting to reconnect. */
  readonly CONNECTING = CONNECTING;
  /** The connection is open. */
  readonly OPEN = OPEN;
  /** The close handshake is in progress. */
  readonly CLOSING = CLOSING;
  /** Closed for good. */
  readonly CLOSED = CLOSED;

  /** Called on `open`. */
  onopen: Handler<Event> = null;
  /** Called on `message`. */
  onmessage: Handler<WebSocketMessageEvent<T>> = null;
  /** Called on `close` (each connection's; see `willReconnect`). */
  onclose: Handler<WebSocketCloseEvent> = null;
  /** Called on `error`. */
  onerror: Handler<WebSocketErrorEvent> = null;
  /** Called on `reconnect` (an attempt is scheduled). */
  onreconnect: Handler<ReconnectEvent> = null;
  /** Called on `reconnected` (an attempt opened). */
  onreconnected: Handler<ReconnectedEvent> = null;
  /** Called on `giveup` (`maxRetries` reached). */
  ongiveup: Handler<GiveUpEvent> = null;

  readonly #source: UrlSource;
  readonly #protocols: string | string[] | undefined;
  readonly #Native: NativeWebSocketConstructor;
  readonly #env: BrowserEnvironment;
  readonly #parseJson: boolean;
  readonly #reconnect: boolean;
  readonly #backoff: BackoffOptions;
  readonly #maxRetries: number;
  readonly #isFinalCode: (code: number, reason: string) => boolean;
  readonly #connectTimeoutMs: number;
  readonly #random: () => number;
  readonly #queue: SendQueue;
  readonly #iterators = new Set<MessageIterator<T>>();
  #unwatch: () => void;
  #binaryType: 'arraybuffer' | 'blob';
  #phase: Phase = 'connecting';
  #suspended: SuspendReason | undefined;
  #resumeOnClose = false;
  #closeRequested = false;
  #everOpened = false;
  #native: NativeWebSocket | undefined;
  #drain: DrainTracker | undefined;
  #url = '';
  #retries = 0;
  #attemptId = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #lastClose = { code: 1006, reason: '' };
  #finalError: WebSocketError | undefined;
  #constructing = true;

  /**
   * Starts connecting at once. Throws TypeError for a bad URL string or option, and rethrows the
   * native constructor's SyntaxError (e.g. a bad subprotocol), as the WHATWG constructor does.
   */
  constructor(url: UrlSource, protocols?: string | readonly string[], options: WebSocketOptions = {}) {
    super();
    if (typeof url !== 'string' && typeof url !== 'function' && !(url instanceof URL)) {
      throw new TypeError('url must be a string, a URL, or a function returning one (or a promise of one)');
    }
    const Native = options.WebSocket ?? globalWebSocket();
    if (typeof Native !== 'function') {
      throw new TypeError('There is no global WebSocket here (Node < 22?): pass the constructor as options.WebSocket');
    }
    this.#Native = Native;
    this.#source = url;
    const offered = protocols ?? options.protocols;
    this.#protocols = typeof offered === 'string' ? offered : offered === undefined ? undefined : [...offered];
    this.#env = options.environment ?? defaultEnvironment();
    this.#parseJson = checkChoice('parse', options.parse ?? 'none', ['none', 'json']) === 'json';
    this.#binaryType = checkChoice('binaryType', options.binaryType ?? 'arraybuffer', ['arraybuffer', 'blob']);
    const reconnect = options.reconnect ?? true;
    const settings: ReconnectOptions = typeof reconnect === 'object' ? reconnect : {};
    this.#reconnect = reconnect !== false;
    this.#backoff = resolveBackoff(settings);
    this.#maxRetries = checkCount('reconnect.maxRetries', settings.maxRetries ?? Infinity, true);
    this.#isFinalCode = finalCodePredicate(settings.finalCloseCodes);
    this.#connectTimeoutMs = checkCount('connectTimeoutMs', options.connectTimeoutMs ?? 10_000, false);
    this.#random = options.random ?? Math.random;
    if (typeof this.#random !== 'function') throw new TypeError('random must be a function returning a number in [0, 1)');
    this.#queue = new SendQueue(
      checkCount('maxQueuedMessages', options.maxQueuedMessages ?? 100, false),
      checkCount('maxQueuedBytes', options.maxQueuedBytes ?? 1024 * 1024, false),
    );
    if (typeof url === 'function') {
      // The provider may throw or reject; report that after the caller could add listeners.
      queueMicrotask(() => this.#attempt());
    } else {
      this.#url = normalizeUrl(url, this.#env).href;
      this.#attempt();
    }
    this.#constructing = false;
    this.#unwatch = watchPage(
      this.#env,
      {
        online: () => this.#onOnline(),
        offline: () => this.#onOffline(),
        hidden: () => this.#suspend('hidden'),
        visible: () => this.#resume('hidden'),
        pagehide: () => this.#suspend('pagehide'),
        pageshow: (persisted) => {
          if (persisted) this.#resume('pagehide');
        },
      },
      { closeOnHidden: options.closeOnHidden ?? false, closeOnPageHide: options.closeOnPageHide ?? true },
    );
  }

  /**
   * Creates a socket and resolves when it opens. With reconnecting on, failed attempts are retried
   * first; rejects with `WS_ERR_GAVE_UP` after `maxRetries`, `WS_ERR_CONNECT_FAILED` when a final
   * close code or `reconnect: false` ends it, `WS_ERR_CLOSED` when `close()` was called first.
   */
  static connect<T = MessageData>(url: UrlSource, options: WebSocketOptions = {}): Promise<WebSocket<T>> {
    let socket: WebSocket<T>;
    try {
      socket = new WebSocket<T>(url, undefined, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const onOpen = (): void => {
        socket.removeEventListener('close', onClose);
        resolve(socket);
      };
      const onClose = (event: WebSocketCloseEvent): void => {
        if (event.willReconnect) return;
        socket.removeEventListener('open', onOpen);
        reject(socket.#finalError ?? createError(BrowserErrorCode.ConnectFailed, 'The connection closed before it opened'));
      };
      socket.addEventListener('open', onOpen, { once: true });
      socket.addEventListener('close', onClose);
    });
  }

  /** The URL of the current (or last) attempt; empty until a URL provider has returned one. */
  get url(): string {
    return this.#url;
  }

  /** CONNECTING (also while waiting to reconnect), OPEN, CLOSING or CLOSED (for good). */
  get readyState(): number {
    if (this.#phase === 'closed') return CLOSED;
    if (this.#closeRequested) return CLOSING;
    if (this.#phase === 'open') return this.#native?.readyState === CLOSING ? CLOSING : OPEN;
    return CONNECTING;
  }

  /** The subprotocol the server chose for the current connection; empty when none or not open. */
  get protocol(): string {
    return this.#native?.protocol ?? '';
  }

  /** The extensions the server chose (e.g. `permessage-deflate`); empty when none or not open. */
  get extensions(): string {
    return this.#native?.extensions ?? '';
  }

  /** Bytes not yet sent: the native socket's `bufferedAmount` plus the queue's bytes. */
  get bufferedAmount(): number {
    return (this.#native?.bufferedAmount ?? 0) + this.#queue.bytes;
  }

  /** How many messages wait in the reconnect queue. */
  get queuedMessages(): number {
    return this.#queue.length;
  }

  /** Failed attempts since the connection was last open (0 while open). */
  get retryCount(): number {
    return this.#retries;
  }

  /** `'arraybuffer'` (default) or `'blob'`; applies to the current and later connections. */
  get binaryType(): 'arraybuffer' | 'blob' {
    return this.#binaryType;
  }

  set binaryType(value: 'arraybuffer' | 'blob') {
    this.#binaryType = checkChoice('binaryType', value, ['arraybuffer', 'blob']);
    if (this.#native !== undefined) this.#native.binaryType = value;
  }

  /** True while connecting or waiting to reconnect. */
  isConnecting(): boolean {
    return this.readyState === CONNECTING;
  }

  /** True while open. */
  isOpen(): boolean {
    return this.readyState === OPEN;
  }

  /** True during the close handshake. */
  isClosing(): boolean {
    return this.readyState === CLOSING;
  }

  /** True when closed for good. */
  isClosed(): boolean {
    return this.readyState === CLOSED;
  }

  /**
   * Sends a message, or queues it while (re)connecting. Throws, never drops silently:
   * `WS_ERR_QUEUE_FULL` when the queue is full, `WS_ERR_NOT_OPEN` when queueing is off,
   * `WS_ERR_CLOSED` after `close()` or once closed for good; TypeError for data it cannot send.
   */
  send(data: SendData): void {
    const size = sendDataByteLength(data);
    this.#checkNotClosed();
    const native = this.#writable();
    if (native !== undefined) {
      native.send(data);
      this.#drain?.handed(size);
      return;
    }
    const error = this.#queue.push({ data, size });
    if (error !== undefined) throw error;
  }

  /**
   * Sends like `send()` and resolves once the browser reports the bytes left its buffer (see the
   * README for what a browser can and cannot tell). Rejects with the errors `send()` throws, and
   * with `WS_ERR_NOT_SENT` if the connection closes first.
   */
  sendAsync(data: SendData): Promise<void> {
    return new Promise((resolve, reject) => {
      const size = sendDataByteLength(data);
      this.#checkNotClosed();
      const native = this.#writable();
      if (native !== undefined) {
        native.send(data);
        this.#drain?.handed(size, resolve, reject);
        return;
      }
      const error = this.#queue.push({ data, size, resolve, reject });
      if (error !== undefined) reject(error);
    });
  }

  /** Sends `JSON.stringify(value)` as a text message; throws TypeError for what JSON cannot encode. */
  json(value: unknown): void {
    const text = JSON.stringify(value);
    if (typeof text !== 'string') throw new TypeError('json() cannot send undefined, a function or a symbol: JSON.stringify returned undefined');
    this.send(text);
  }

  /**
   * Closes for good: no reconnect follows. Validates like the WHATWG API: a `code` other than 1000
   * or 3000–4999 throws an `InvalidAccessError` DOMException, a reason over 123 UTF-8 bytes a
   * `SyntaxError` one. Queued messages are dropped with a `WS_ERR_NOT_SENT` error event.
   */
  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new DOMException(`close code must be 1000 or in 3000–4999, got ${code}`, 'InvalidAccessError');
    }
    // RFC 6455 §5.5: a control frame payload is ≤ 125 bytes, 2 of which are the code.
    if (reason !== undefined && utf8ByteLength(reason) > 123) {
      throw new DOMException('close reason must be at most 123 bytes of UTF-8', 'SyntaxError');
    }
    if (this.#phase === 'closed' || this.#closeRequested) return;
    this.#closeRequested = true;
    this.#clearRetryTimer();
    const native = this.#native;
    if (native !== undefined) {
      native.close(code, reason);
      return;
    }
    // No connection to close: finish after the caller's current task, as a native close would.
    queueMicrotask(() => {
      if (this.#phase !== 'closed') this.#finish(code ?? 1005, reason ?? '', true);
    });
  }

  /**
   * Iterates over messages until the socket closes for good. Ends normally after `close()` or a
   * clean final close; throws `WS_ERR_GAVE_UP` or `WS_ERR_CONNECTION_CLOSED` otherwise, and
   * throws an `InvalidJsonError` in `parse: 'json'` mode when a message is not JSON.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    const iterator = new MessageIterator<T>((it) => this.#iterators.delete(it));
    if (this.#phase === 'closed') iterator.end(this.#iterationError());
    else this.#iterators.add(iterator);
    return iterator;
  }

  override addEventListener<K extends keyof WebSocketEventMap<T>>(
    type: K,
    listener: ((event: WebSocketEventMap<T>[K]) => void) | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof WebSocketEventMap<T>>(
    type: K,
    listener: ((event: WebSocketEventMap<T>[K]) => void) | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  #emit(event: Event): void {
    const handler = (this as unknown as Record<string, unknown>)[`on${event.type}`];
    if (typeof handler === 'function') {
      try {
        handler.call(this, event);
      } catch (error) {
        // As dispatchEvent does for listeners: report the handler's exception as uncaught, but
        // never let it cut the socket's own bookkeeping (a retry not scheduled, a queue not flushed).
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.dispatchEvent(event);
  }

  #emitError(error: WebSocketError): void {
    this.#emit(new WebSocketErrorEvent(error));
  }

  #checkNotClosed(): void {
    if (this.#phase === 'closed' || this.#closeRequested) {
      throw createError(BrowserErrorCode.Closed, 'The socket was closed for good: create a new one to send again');
    }
  }

  /** The native socket when a message can go straight to it, else undefined (queue it). */
  #writable(): NativeWebSocket | undefined {
    const native = this.#native;
    return this.#phase === 'open' && native !== undefined && native.readyState === OPEN ? native : undefined;
  }

  #attempt(): void {
    if (this.#phase === 'closed' || this.#closeRequested) return;
    this.#phase = 'connecting';
    const id = ++this.#attemptId;
    const source = this.#source;
    if (typeof source !== 'function') {
      this.#open(source);
      return;
    }
    let result: string | URL | PromiseLike<string | URL>;
    try {
      result = source();
    } catch (error) {
      this.#failAttempt(createError(BrowserErrorCode.UrlProvider, 'The URL provider threw', { cause: error }));
      return;
    }
    if (typeof result === 'string' || result instanceof URL) {
      this.#open(result);
      return;
    }
    Promise.resolve(result).then(
      (url) => {
        if (id === this.#attemptId && this.#phase === 'connecting' && !this.#closeRequested) this.#open(url);
      },
      (error: unknown) => {
        if (id === this.#attemptId && this.#phase === 'connecting' && !this.#closeRequested) {
          this.#failAttempt(createError(BrowserErrorCode.UrlProvider, 'The URL provider rejected', { cause: error }));
        }
      },
    );
  }

  #open(value: unknown): void {
    let url: string;
    try {
      url = normalizeUrl(value, this.#env).href;
    } catch (error) {
      this.#failAttempt(createError(BrowserErrorCode.InvalidUrl, (error as Error).message, { cause: error }));
      return;
    }
    this.#url = url;
    let native: NativeWebSocket;
    try {
      native = new this.#Native(url, this.#protocols);
    } catch (error) {
      if (this.#constructing) throw error;
      this.#failAttempt(createError(BrowserErrorCode.InvalidUrl, `The browser refused to connect to ${url}`, { cause: error }));
      return;
    }
    native.binaryType = this.#binaryType;
    native.onopen = () => this.#onNativeOpen(native);
    native.onmessage = (event) => this.#onNativeMessage(native, event.data);
    native.onerror = () => this.#onNativeError(native);
    native.onclose = (event) => this.#onNativeClose(native, event.code, event.reason, event.wasClean);
    this.#native = native;
    this.#drain = new DrainTracker(() => native.bufferedAmount);
    if (this.#connectTimeoutMs > 0) {
      this.#connectTimer = setTimeout(() => this.#onConnectTimeout(native), this.#connectTimeoutMs);
    }
  }

  #onNativeOpen(native: NativeWebSocket): void {
    if (native !== this.#native) return;
    this.#clearConnectTimer();
    this.#phase = 'open';
    this.#everOpened = true;
    const attempts = this.#retries;
    this.#retries = 0;
    // Queued messages were sent before anything an `open` listener sends: flush them first.
    for (const item of this.#queue.drain()) {
      native.send(item.data);
      this.#drain?.handed(item.size, item.resolve, item.reject);
    }
    this.#emit(new Event('open'));
    if (attempts > 0 && native === this.#native) this.#emit(new ReconnectedEvent(attempts));
  }

  #onNativeMessage(native: NativeWebSocket, data: unknown): void {
    if (native !== this.#native) return;
    let value = data;
    if (this.#parseJson && typeof data === 'string') {
      try {
        value = JSON.parse(data);
      } catch (cause) {
        const error = new InvalidJsonError(data, cause);
        for (const iterator of this.#iterators) iterator.pushError(error);
        this.#emitError(error);
        return;
      }
    }
    for (const iterator of this.#iterators) iterator.push(value as T);
    this.#emit(new WebSocketMessageEvent<T>(value as T));
  }

  #onNativeError(native: NativeWebSocket): void {
    // A close() during CONNECTING makes browsers fire `error`: not news to the caller.
    if (native !== this.#native || this.#closeRequested) return;
    this.#emitError(createError(BrowserErrorCode.Network, 'The browser reported a WebSocket error (browsers give no detail)'));
  }

  #onConnectTimeout(native: NativeWebSocket): void {
    if (native !== this.#native) return;
    this.#detach(1006);
    try {
      native.close();
    } catch {
      // The attempt is abandoned either way; a failing close() changes nothing.
    }
    this.#emitError(createError(BrowserErrorCode.ConnectTimeout, `The connection did not open within ${this.#connectTimeoutMs} ms`));
    this.#onDisconnect(1006, '', false);
  }

  #onNativeClose(native: NativeWebSocket, code: number, reason: string, wasClean: boolean): void {
    if (native !== this.#native) return;
    this.#detach(code);
    this.#onDisconnect(code, reason, wasClean);
  }

  #failAttempt(error: WebSocketError): void {
    this.#emitError(error);
    this.#onDisconnect(1006, '', false);
  }

  #detach(code: number): void {
    const native = this.#native;
    if (native === undefined) return;
    this.#clearConnectTimer();
    native.onopen = null;
    native.onmessage = null;
    native.onerror = null;
    native.onclose = null;
    this.#drain?.close(code);
    this.#drain = undefined;
    this.#native = undefined;
  }

  /** One connection (or attempt) ended: close for good, stay suspended, or schedule a retry. */
  #onDisconnect(code: number, reason: string, wasClean: boolean): void {
    if (this.#phase === 'closed') return;
    this.#lastClose = { code, reason };
    if (this.#closeRequested) {
      this.#finish(code, reason, wasClean);
      return;
    }
    if (this.#suspended !== undefined) {
      this.#phase = 'suspended';
      this.#emit(new WebSocketCloseEvent(code, reason, wasClean, true));
      return;
    }
    if (!this.#reconnect || this.#isFinalCode(code, reason)) {
      this.#finish(code, reason, wasClean);
      return;
    }
    if (this.#retries >= this.#maxRetries) {
      this.#giveUp();
      return;
    }
    this.#phase = 'waiting';
    this.#emit(new WebSocketCloseEvent(code, reason, wasClean, true));
    if (this.#resumeOnClose) {
      this.#resumeOnClose = false;
      this.#retryNow();
    } else {
      this.#scheduleRetry();
    }
  }

  #scheduleRetry(): void {
    if (this.#phase !== 'waiting' || this.#closeRequested) return;
    if (this.#env.navigator?.onLine === false) {
      // Offline: an attempt would fail and burn a retry; `online` restarts at once.
      this.#phase = 'suspended';
      this.#suspended = 'offline';
      return;
    }
    this.#retries++;
    const delayMs = backoffDelay(this.#retries, this.#backoff, this.#random);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#attempt();
    }, delayMs);
    this.#emit(new ReconnectEvent(this.#retries, delayMs));
  }

  /** Starts a retry without delay (back online, page visible again). */
  #retryNow(): void {
    if (this.#retries >= this.#maxRetries) {
      this.#giveUp();
      return;
    }
    this.#retries++;
    this.#emit(new ReconnectEvent(this.#retries, 0));
    this.#attempt();
  }

  #giveUp(): void {
    const { code, reason } = this.#lastClose;
    this.#finalError = createError(BrowserErrorCode.GaveUp, `Gave up reconnecting after ${this.#retries} failed attempts (last close code ${code})`, {
      closeCode: code,
    });
    this.#phase = 'closed';
    this.#emit(new GiveUpEvent(this.#retries, code, reason));
    this.#finish(code, reason, false);
  }

  #onOnline(): void {
    if (this.#phase === 'closed' || this.#closeRequested) return;
    if (this.#phase === 'suspended' && this.#suspended === 'offline') {
      this.#suspended = undefined;
      this.#phase = 'waiting';
      this.#retryNow();
    } else if (this.#phase === 'waiting' && this.#retryTimer !== undefined) {
      this.#clearRetryTimer();
      this.#attempt();
    }
  }

  #onOffline(): void {
    if (this.#phase !== 'waiting' || this.#retryTimer === undefined) return;
    // The scheduled attempt would fail for sure: cancel it and give the retry back.
    this.#clearRetryTimer();
    this.#retries = Math.max(0, this.#retries - 1);
    this.#phase = 'suspended';
    this.#suspended = 'offline';
  }

  #suspend(reason: 'hidden' | 'pagehide'): void {
    if (this.#phase === 'closed' || this.#closeRequested) return;
    this.#suspended = reason;
    this.#resumeOnClose = false;
    if (this.#phase === 'waiting') {
      this.#clearRetryTimer();
      this.#retries = Math.max(0, this.#retries - 1);
    }
    this.#phase = 'suspended';
    const native = this.#native;
    // RFC 6455 §7.4.1's 1001 "going away" fits, but the WHATWG close() only lets script send 1000
    // or 3000–4999 (1001 throws InvalidAccessError), so the reason says why. On a real unload the
    // browser itself then closes any socket still open with 1001.
    if (native !== undefined) native.close(WS_OK, reason === 'hidden' ? 'page hidden' : 'page unloaded');
  }

  #resume(reason: 'hidden' | 'pagehide'): void {
    if (this.#phase === 'closed' || this.#closeRequested || this.#suspended !== reason) return;
    this.#suspended = undefined;
    this.#retries = 0;
    if (this.#native !== undefined) {
      // The page-lifecycle close is still in flight: reconnect as soon as it completes.
      this.#resumeOnClose = true;
      return;
    }
    this.#phase = 'waiting';
    if (this.#env.navigator?.onLine === false) {
      this.#phase = 'suspended';
      this.#suspended = 'offline';
      return;
    }
    this.#retryNow();
  }

  /** Closes for good: the last event is a `close` with `willReconnect: false`. */
  #finish(code: number, reason: string, wasClean: boolean): void {
    const neverOpened = !this.#everOpened;
    this.#phase = 'closed';
    this.#clearRetryTimer();
    this.#detach(code);
    this.#unwatch();
    if (this.#finalError === undefined) {
      if (this.#closeRequested) {
        this.#finalError = createError(BrowserErrorCode.Closed, 'close() was called', { closeCode: code });
      } else if (neverOpened || !wasClean) {
        this.#finalError = createError(
          neverOpened ? BrowserErrorCode.ConnectFailed : BrowserErrorCode.ConnectionClosed,
          `The connection closed${wasClean ? '' : ' abnormally'} with code ${code}${reason === '' ? '' : ` (${reason})`}`,
          { closeCode: code },
        );
      }
    }
    const dropped = this.#queue.drain();
    let unsent = 0;
    for (const item of dropped) {
      const error = createError(BrowserErrorCode.NotSent, 'The socket closed for good before this queued message was sent', { closeCode: code });
      if (item.reject !== undefined) item.reject(error);
      else unsent++;
    }
    if (unsent > 0) {
      this.#emitError(
        createError(BrowserErrorCode.NotSent, `${unsent} queued message(s) were not sent: the socket closed for good first`, { closeCode: code }),
      );
    }
    const iterationError = this.#iterationError();
    for (const iterator of this.#iterators) iterator.end(iterationError);
    this.#iterators.clear();
    this.#emit(new WebSocketCloseEvent(code, reason, wasClean, false));
  }

  #iterationError(): WebSocketError | undefined {
    const error = this.#finalError;
    if (error === undefined || error.code === BrowserErrorCode.Closed) return undefined;
    return error;
  }

  #clearRetryTimer(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
  }
}

/**
 * Creates a {@link WebSocket} and resolves when it opens: the same call as the Node client's
 * `WebSocket.connect(url, options)`.
 */
export function connect<T = MessageData>(url: UrlSource, options: WebSocketOptions = {}): Promise<WebSocket<T>> {
  return WebSocket.connect<T>(url, options);
}
