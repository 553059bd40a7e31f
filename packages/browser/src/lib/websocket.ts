/**
 * The browser `WebSocket`: the native socket plus what people otherwise add reconnecting-websocket
 * or partysocket for (reconnect with backoff, a bounded send queue, online/offline and page
 * lifecycle awareness), plus the Node client's `connect()`, `sendAsync()` and async iteration.
 *
 * This file is the facade that ties the concepts together: {@link Reconnector} decides what
 * follows each connection, {@link Attempt} is one native socket's life, {@link Outbox} the send
 * path, {@link Inbox} the receive path, {@link EventSurface} the handler properties and listeners.
 */
import { CLOSED, CLOSING, CONNECTING, OPEN, WS_OK, checkCloseArguments, defineReadyStateConstants } from '@rfc6455/codes';
import { Attempt } from './attempt.ts';
import type { AttemptSettings } from './attempt.ts';
import { BrowserError, BrowserErrorCode } from './errors.ts';
import { EventSurface, emitEvent } from './event-surface.ts';
import { GiveUpEvent, ReconnectEvent, ReconnectedEvent, WebSocketCloseEvent, WebSocketErrorEvent, WebSocketMessageEvent } from './events.ts';
import { Inbox } from './inbox.ts';
import type { NativeWebSocket } from './native.ts';
import { resolveOptions } from './options.ts';
import type { MessageData, ProtocolsSource, UrlSource, WebSocketOptions } from './options.ts';
import { Outbox } from './outbox.ts';
import { watchPage } from './page-lifecycle.ts';
import type { PageSuspendReason } from './page-lifecycle.ts';
import { Reconnector } from './reconnect.ts';
import { sendDataByteLength } from './send-data.ts';
import type { SendData } from './send-data.ts';
import { globalTimers } from './timers.ts';
import { normalizeUrl } from './url.ts';
import { whenOpen } from './when-open.ts';

/**
 * A browser WebSocket that reconnects. It has the WHATWG surface (`readyState`, `send`, `close`,
 * `onmessage` …, events through `addEventListener`) and, beyond it, reconnect events, a send
 * queue, `json()`, `sendAsync()`, the state predicates and `for await` over messages.
 *
 * `readyState` stays `CONNECTING` while waiting to reconnect, and becomes `CLOSED` only when the
 * socket is closed for good: by `close()`, a final close code, no reconnect, or giving up.
 */
export class WebSocket<T = MessageData> extends EventSurface<T> {
  // The ready-state constants live on the constructor and the prototype, read-only and
  // enumerable, as WebIDL constants do (defined after the class).
  /** The socket is connecting, or waiting to reconnect (0). */
  declare static readonly CONNECTING: typeof CONNECTING;
  /** The connection is open (1). */
  declare static readonly OPEN: typeof OPEN;
  /** `close()` was called, or the peer is closing; the close handshake is in progress (2). */
  declare static readonly CLOSING: typeof CLOSING;
  /** Closed for good, or not started (`startClosed`) (3). */
  declare static readonly CLOSED: typeof CLOSED;
  /** The socket is connecting, or waiting to reconnect (0). */
  declare readonly CONNECTING: typeof CONNECTING;
  /** The connection is open (1). */
  declare readonly OPEN: typeof OPEN;
  /** The close handshake is in progress (2). */
  declare readonly CLOSING: typeof CLOSING;
  /** Closed for good, or not started (3). */
  declare readonly CLOSED: typeof CLOSED;

  readonly #source: UrlSource;
  readonly #attemptSettings: AttemptSettings;
  readonly #machine: Reconnector;
  readonly #outbox: Outbox;
  readonly #inbox: Inbox<T>;
  readonly #watchPage: () => () => void;
  #unwatch: (() => void) | undefined;
  #binaryType: 'arraybuffer' | 'blob';
  #attempt: Attempt | undefined;
  #url = '';
  #finalError: BrowserError | undefined;
  #constructing = true;

  /**
   * Starts connecting at once (unless `startClosed`). Throws, as the WHATWG constructor does, a
   * `SyntaxError` DOMException for a URL string that is not a ws:, wss:, http: or https: URL or
   * has a fragment, and the native constructor's SyntaxError for a bad subprotocol; a TypeError
   * for a bad option, naming it.
   */
  constructor(url: UrlSource, protocols?: ProtocolsSource, options: WebSocketOptions = {}) {
    super();
    if (typeof url !== 'string' && typeof url !== 'function' && !(url instanceof URL)) {
      throw new TypeError('url must be a string, a URL, or a function returning one (or a promise of one)');
    }
    const resolved = resolveOptions(protocols, options);
    const environment = resolved.environment;
    this.#source = url;
    this.#inbox = new Inbox<T>(resolved.parseJson);
    this.#binaryType = resolved.binaryType;
    this.#attemptSettings = {
      Native: resolved.Native,
      protocols: resolved.protocols,
      environment,
      connectTimeoutMs: resolved.connectTimeoutMs,
      timers: globalTimers,
      binaryType: () => this.#binaryType,
    };
    this.#outbox = new Outbox(resolved.maxQueuedMessages, resolved.maxQueuedBytes, globalTimers);
    this.#machine = new Reconnector(
      resolved.reconnect,
      {
        connect: () => this.#connect(),
        connected: () => this.#attempt !== undefined,
        hangUp: (reason) => this.#hangUp(reason),
        isOffline: () => environment.navigator?.onLine === false,
        connectionClosed: (code, reason, wasClean) => this.#emit(new WebSocketCloseEvent(code, reason, wasClean, true)),
        scheduled: (attempt, delayMs) => this.#emit(new ReconnectEvent(attempt, delayMs)),
        gaveUp: (attempts, code, reason) => this.#emit(new GiveUpEvent(attempts, code, reason)),
        finished: (code, reason, wasClean, error) => this.#finish(code, reason, wasClean, error),
      },
      globalTimers,
    );
    const pageOptions = { closeOnHidden: resolved.closeOnHidden, closeOnPageHide: resolved.closeOnPageHide };
    this.#watchPage = () => watchPage(environment, this.#machine, pageOptions);
    if (typeof url !== 'function') this.#url = normalizeUrl(url, environment).href;
    if (resolved.startClosed) {
      this.#machine.startClosed();
    } else if (typeof url === 'function' || typeof resolved.protocols === 'function') {
      // A provider may throw or reject; report that after the caller could add listeners.
      queueMicrotask(() => this.#machine.start());
    } else {
      this.#machine.start();
    }
    this.#constructing = false;
    if (!resolved.startClosed) this.#unwatch = this.#watchPage();
  }

  /**
   * Creates a socket and resolves when it opens. With reconnecting on, failed attempts are retried
   * first; rejects with `WS_ERR_GAVE_UP` after `maxRetries`, `WS_ERR_CONNECTION_FAILED` when a final
   * close code or `reconnect: false` ends it, `WS_ERR_CLOSED` when `close()` was called first.
   */
  static connect<T = MessageData>(url: UrlSource, options: WebSocketOptions = {}): Promise<WebSocket<T>> {
    try {
      if ((options as { startClosed?: unknown }).startClosed === true) {
        throw new TypeError('connect() opens the socket: use new WebSocket(url, protocols, { startClosed: true }) and reconnect() instead');
      }
      const socket = new WebSocket<T>(url, undefined, options);
      return whenOpen(socket, () => socket.#finalError);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The URL of the current (or last) attempt; empty until a URL provider has returned one. */
  get url(): string {
    return this.#url;
  }

  /** CONNECTING (also while waiting to reconnect), OPEN, CLOSING or CLOSED (for good). */
  get readyState(): number {
    const phase = this.#machine.phase;
    if (phase === 'closed') return CLOSED;
    if (this.#machine.closeRequested) return CLOSING;
    if (phase === 'open') return this.#native?.readyState === CLOSING ? CLOSING : OPEN;
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
    return this.#outbox.bufferedAmount;
  }

  /** How many messages wait in the reconnect queue. */
  get queuedMessages(): number {
    return this.#outbox.queuedMessages;
  }

  /** Failed attempts since a connection last stayed open `reconnect.minUptimeMs`. */
  get retryCount(): number {
    return this.#machine.retries;
  }

  /**
   * `'arraybuffer'` (default) or `'blob'`; applies to the current and later connections. Any other
   * value is ignored, as the WHATWG attribute does.
   */
  get binaryType(): 'arraybuffer' | 'blob' {
    return this.#binaryType;
  }

  set binaryType(value: 'arraybuffer' | 'blob') {
    if (value !== 'arraybuffer' && value !== 'blob') return;
    this.#binaryType = value;
    const native = this.#native;
    if (native !== undefined) native.binaryType = value;
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
    const error = this.#outbox.send({ data, size });
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
      const error = this.#outbox.send({ data, size, resolve, reject });
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
    checkCloseArguments(code, reason, 'application');
    if (!this.#machine.requestClose() || this.#attempt?.close(code, reason) === true) return;
    // No connection to close (waiting, or a provider still running; the attempt is dropped):
    // finish after the caller's current task, as a native close would.
    this.#attempt = undefined;
    queueMicrotask(() => {
      // Unless reconnect() came first and made this close moot.
      if (this.#machine.closeRequested) this.#machine.disconnected(code ?? 1005, reason ?? '', true);
    });
  }

  /**
   * Closes the current connection (with `code` and `reason`, validated as for `close()`) and
   * connects again at once, with a fresh call of the URL and subprotocols providers (e.g. for a
   * new token). It also reopens a socket after `close()`, giving up, or `startClosed`. The retry
   * count starts over. The connection it closes gets its `close` event (`wasClean: false`,
   * `willReconnect: true`) at once.
   */
  reconnect(code?: number, reason?: string): void {
    const text = checkCloseArguments(code, reason, 'application');
    const reopening = this.#machine.phase === 'closed';
    const attempt = this.#attempt;
    if (attempt !== undefined) {
      const native = attempt.native;
      attempt.abandon();
      this.#attempt = undefined;
      this.#outbox.detach(code ?? 1005);
      native?.close(code, text);
      this.#emit(new WebSocketCloseEvent(code ?? 1005, text ?? '', false, true));
    }
    if (reopening) {
      this.#finalError = undefined;
      this.#inbox.reopen();
      this.#unwatch ??= this.#watchPage();
    }
    this.#machine.restart();
  }

  /**
   * Iterates over messages until the socket closes for good. Ends normally after `close()` or a
   * clean final close; throws `WS_ERR_GAVE_UP` or `WS_ERR_CLOSED_ABNORMALLY` otherwise, and
   * throws an `InvalidJsonError` in `parse: 'json'` mode when a message is not JSON.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this.#inbox.iterate();
  }

  /** The native socket of the current attempt, once constructed. */
  get #native(): NativeWebSocket | undefined {
    return this.#attempt?.native;
  }

  #emit(event: Event): void {
    emitEvent(this, event);
  }

  #emitError(error: BrowserError): void {
    // After close(), an attempt's failure is not news: browsers even fire `error` for a close()
    // during CONNECTING.
    if (!this.#machine.closeRequested) this.#emit(new WebSocketErrorEvent(error));
  }

  #checkNotClosed(): void {
    if (this.#machine.ended) {
      throw new BrowserError(BrowserErrorCode.Closed, 'The socket is closed (close(), giving up, or startClosed): reconnect() opens it again');
    }
  }

  /** Starts one attempt (the reconnect machine's `connect`). */
  #connect(): void {
    const attempt: Attempt = new Attempt(this.#attemptSettings, {
      dialing: (url) => {
        this.#url = url;
      },
      open: (native) => this.#onOpen(attempt, native),
      message: (data) => {
        const received = this.#inbox.receive(data);
        this.#emit('error' in received ? new WebSocketErrorEvent(received.error) : new WebSocketMessageEvent<T>(received.value));
      },
      error: (error) => this.#emitError(error),
      close: (code, reason, wasClean) => this.#onDisconnect(code, reason, wasClean),
      failed: (error) => {
        this.#emitError(error);
        this.#onDisconnect(1006, '', false);
      },
    });
    this.#attempt = attempt;
    attempt.start(this.#source, this.#constructing);
  }

  #onOpen(attempt: Attempt, native: NativeWebSocket): void {
    const attempts = this.#machine.opened();
    // Queued messages were sent before anything an `open` listener sends: the outbox flushes them first.
    this.#outbox.attach(native);
    this.#emit(new Event('open'));
    if (attempts > 0 && attempt === this.#attempt) this.#emit(new ReconnectedEvent(attempts));
  }

  /** The current attempt or connection ended (its events are no longer relayed). */
  #onDisconnect(code: number, reason: string, wasClean: boolean): void {
    this.#attempt = undefined;
    this.#outbox.detach(code);
    this.#machine.disconnected(code, reason, wasClean);
  }

  /** The reconnect machine's `hangUp`: close for a page-lifecycle reason, or drop an attempt not yet dialing. */
  #hangUp(reason: PageSuspendReason): void {
    // RFC 6455 §7.4.1's 1001 "going away" fits, but the WHATWG close() only lets script send 1000
    // or 3000–4999 (1001 throws InvalidAccessError), so the reason says why. On a real unload the
    // browser itself then closes any socket still open with 1001.
    if (this.#attempt?.close(WS_OK, reason === 'hidden' ? 'page hidden' : 'page unloaded') !== true) this.#attempt = undefined;
  }

  /** Closed for good: the last event is a `close` with `willReconnect: false`. */
  #finish(code: number, reason: string, wasClean: boolean, error: BrowserError | undefined): void {
    this.#attempt?.abandon();
    this.#attempt = undefined;
    this.#outbox.detach(code);
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#finalError = error;
    const notSent = this.#outbox.dropQueued(code);
    if (notSent !== undefined) this.#emit(new WebSocketErrorEvent(notSent));
    // for await ends normally after close() or a clean final close, and throws otherwise.
    this.#inbox.end(error === undefined || error.code === BrowserErrorCode.Closed ? undefined : error);
    this.#emit(new WebSocketCloseEvent(code, reason, wasClean, false));
  }
}

// WebIDL constants, on the interface object and its prototype, as a browser's own WebSocket has them.
defineReadyStateConstants(WebSocket);
defineReadyStateConstants(WebSocket.prototype);

/**
 * Creates a {@link WebSocket} and resolves when it opens: the same call as the Node client's
 * `WebSocket.connect(url, options)`.
 */
export function connect<T = MessageData>(url: UrlSource, options: WebSocketOptions = {}): Promise<WebSocket<T>> {
  return WebSocket.connect<T>(url, options);
}
