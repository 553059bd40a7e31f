/**
 * The browser `WebSocket`: the native socket plus what people otherwise add reconnecting-websocket
 * or partysocket for (reconnect with backoff, a bounded send queue, online/offline and page
 * lifecycle awareness), plus the Node client's `connect()`, `sendAsync()` and async iteration.
 *
 * This file is the facade that ties the concepts together: {@link Reconnector} decides what
 * follows each connection, {@link Attempt} is one native socket's life, {@link Outbox} the send
 * path, {@link EventSurface} the handler properties and listeners.
 */
import { CLOSED, CLOSING, CONNECTING, OPEN, WS_OK, checkCloseArguments } from '@rfc6455/codes';
import { Attempt } from './attempt.ts';
import type { AttemptSettings } from './attempt.ts';
import { BrowserError, BrowserErrorCode } from './errors.ts';
import { EventSurface, emitEvent } from './event-surface.ts';
import { GiveUpEvent, ReconnectEvent, ReconnectedEvent, WebSocketCloseEvent, WebSocketErrorEvent, WebSocketMessageEvent } from './events.ts';
import { Inbox } from './inbox.ts';
import type { NativeWebSocket } from './native.ts';
import { checkChoice, resolveOptions } from './options.ts';
import type { MessageData, UrlSource, WebSocketOptions } from './options.ts';
import { Outbox } from './outbox.ts';
import { watchPage } from './page-lifecycle.ts';
import type { PageSuspendReason } from './page-lifecycle.ts';
import { Reconnector } from './reconnect.ts';
import { sendDataByteLength } from './send-data.ts';
import type { SendData } from './send-data.ts';
import { globalTimers } from './timers.ts';
import { normalizeUrl } from './url.ts';

/**
 * A browser WebSocket that reconnects. It has the WHATWG surface (`readyState`, `send`, `close`,
 * `onmessage` …, events through `addEventListener`) and, beyond it, reconnect events, a send
 * queue, `json()`, `sendAsync()`, the state predicates and `for await` over messages.
 *
 * `readyState` stays `CONNECTING` while waiting to reconnect, and becomes `CLOSED` only when the
 * socket is closed for good: by `close()`, a final close code, no reconnect, or giving up.
 */
export class WebSocket<T = MessageData> extends EventSurface<T> {
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

  readonly #source: UrlSource;
  readonly #attemptSettings: AttemptSettings;
  readonly #machine: Reconnector;
  readonly #outbox: Outbox;
  readonly #inbox: Inbox<T>;
  readonly #unwatch: () => void;
  #binaryType: 'arraybuffer' | 'blob';
  #attempt: Attempt | undefined;
  #everOpened = false;
  #url = '';
  #finalError: BrowserError | undefined;
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
        gaveUp: (attempts, code, reason) => this.#onGiveUp(attempts, code, reason),
        finished: (code, reason, wasClean) => this.#finish(code, reason, wasClean),
      },
      globalTimers,
    );
    if (typeof url === 'function') {
      // The provider may throw or reject; report that after the caller could add listeners.
      queueMicrotask(() => this.#machine.start());
    } else {
      this.#url = normalizeUrl(url, environment).href;
      this.#machine.start();
    }
    this.#constructing = false;
    this.#unwatch = watchPage(
      environment,
      this.#machine,
      { closeOnHidden: resolved.closeOnHidden, closeOnPageHide: resolved.closeOnPageHide },
    );
  }

  /**
   * Creates a socket and resolves when it opens. With reconnecting on, failed attempts are retried
   * first; rejects with `WS_ERR_GAVE_UP` after `maxRetries`, `WS_ERR_CONNECTION_FAILED` when a final
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
        reject(socket.#finalError ?? new BrowserError(BrowserErrorCode.ConnectionFailed, 'The connection closed before it opened'));
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

  /** Failed attempts since the connection was last open (0 while open). */
  get retryCount(): number {
    return this.#machine.retries;
  }

  /** `'arraybuffer'` (default) or `'blob'`; applies to the current and later connections. */
  get binaryType(): 'arraybuffer' | 'blob' {
    return this.#binaryType;
  }

  set binaryType(value: 'arraybuffer' | 'blob') {
    this.#binaryType = checkChoice('binaryType', value, ['arraybuffer', 'blob']);
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
    if (!this.#machine.requestClose()) return;
    const native = this.#native;
    if (native !== undefined) {
      native.close(code, reason);
      return;
    }
    // No connection to close (waiting, or a URL provider still running): drop the attempt and
    // finish after the caller's current task, as a native close would.
    this.#attempt?.abandon();
    this.#attempt = undefined;
    queueMicrotask(() => this.#machine.disconnected(code ?? 1005, reason ?? '', true));
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

  #checkNotClosed(): void {
    if (this.#machine.ended) {
      throw new BrowserError(BrowserErrorCode.Closed, 'The socket was closed for good: create a new one to send again');
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
      error: () => {
        // A close() during CONNECTING makes browsers fire `error`: not news to the caller.
        if (!this.#machine.closeRequested) {
          this.#emit(new WebSocketErrorEvent(new BrowserError(BrowserErrorCode.Network, 'The browser reported a WebSocket error (browsers give no detail)')));
        }
      },
      close: (code, reason, wasClean) => this.#onDisconnect(code, reason, wasClean),
      failed: (error) => {
        this.#emit(new WebSocketErrorEvent(error));
        this.#onDisconnect(1006, '', false);
      },
    });
    this.#attempt = attempt;
    attempt.start(this.#source, this.#constructing);
  }

  #onOpen(attempt: Attempt, native: NativeWebSocket): void {
    this.#everOpened = true;
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
    const native = this.#native;
    // RFC 6455 §7.4.1's 1001 "going away" fits, but the WHATWG close() only lets script send 1000
    // or 3000–4999 (1001 throws InvalidAccessError), so the reason says why. On a real unload the
    // browser itself then closes any socket still open with 1001.
    if (native !== undefined) {
      native.close(WS_OK, reason === 'hidden' ? 'page hidden' : 'page unloaded');
      return;
    }
    this.#attempt?.abandon();
    this.#attempt = undefined;
  }

  #onGiveUp(attempts: number, code: number, reason: string): void {
    this.#finalError = new BrowserError(BrowserErrorCode.GaveUp, `Gave up reconnecting after ${attempts} failed attempts (last close code ${code})`, {
      closeCode: code,
    });
    this.#emit(new GiveUpEvent(attempts, code, reason));
  }

  /** Closed for good: the last event is a `close` with `willReconnect: false`. */
  #finish(code: number, reason: string, wasClean: boolean): void {
    this.#attempt?.abandon();
    this.#attempt = undefined;
    this.#outbox.detach(code);
    this.#unwatch();
    if (this.#finalError === undefined) {
      if (this.#machine.closeRequested) {
        this.#finalError = new BrowserError(BrowserErrorCode.Closed, 'close() was called', { closeCode: code });
      } else if (!this.#everOpened || !wasClean) {
        this.#finalError = new BrowserError(
          this.#everOpened ? BrowserErrorCode.ClosedAbnormally : BrowserErrorCode.ConnectionFailed,
          `The connection closed${wasClean ? '' : ' abnormally'} with code ${code}${reason === '' ? '' : ` (${reason})`}`,
          { closeCode: code },
        );
      }
    }
    const unsent = this.#outbox.dropQueued(code);
    if (unsent > 0) {
      const error = new BrowserError(BrowserErrorCode.NotSent, `${unsent} queued message(s) were not sent: the socket closed for good first`, { closeCode: code });
      this.#emit(new WebSocketErrorEvent(error));
    }
    // for await ends normally after close() or a clean final close, and throws otherwise.
    const error = this.#finalError;
    this.#inbox.end(error === undefined || error.code === BrowserErrorCode.Closed ? undefined : error);
    this.#emit(new WebSocketCloseEvent(code, reason, wasClean, false));
  }
}

/**
 * Creates a {@link WebSocket} and resolves when it opens: the same call as the Node client's
 * `WebSocket.connect(url, options)`.
 */
export function connect<T = MessageData>(url: UrlSource, options: WebSocketOptions = {}): Promise<WebSocket<T>> {
  return WebSocket.connect<T>(url, options);
}
