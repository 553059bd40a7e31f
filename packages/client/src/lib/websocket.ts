/**
 * The `WebSocket` class: one object per connection, either end. It speaks three dialects at once —
 * the WHATWG API (`onmessage`, `addEventListener`, `readyState`), ws's Node API (`on('message',
 * (data, isBinary))`, `send(data, options, cb)`, `ping`, `terminate`) and promise/iterator forms
 * (`WebSocket.connect`, `sendAsync`, `for await`). All protocol work is @rfc6455/protocol's; this
 * class moves bytes between it and a Node socket and owns the connection's life: ready state,
 * the RFC 6455 §7.1.1 close wait and the handshake timeout. It composes the pieces that own their
 * own state: the writer (socket-writer.ts), the Blob send queue (send-queue.ts), the heartbeat
 * (heartbeat.ts), the WHATWG event surface (event-surface.ts) and the dial setup (dial-setup.ts).
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CLOSED, CLOSING, CONNECTING, OPEN, WS_CLOSED_ABNORMALLY, WS_OK, checkCloseArguments } from '@rfc6455/codes';
import type { ReadyState, WebSocketError } from '@rfc6455/codes';
import { Protocol } from '@rfc6455/protocol';
import type { Extension, ProtocolHandler } from '@rfc6455/protocol';
import { ClientError, ClientErrorCode, domError, notOpen } from './client-error.ts';
import type { DialResult } from './dial.ts';
import type { Dialer } from './dial.ts';
import { setUpDial } from './dial-setup.ts';
import {
  addWhatwgListener,
  dispatchWhatwgEvent,
  getAttributeListener,
  removeWhatwgListener,
  setAttributeListener,
} from './event-surface.ts';
import type { WebSocketListener } from './event-surface.ts';
import type { CloseEvent, ErrorEvent, EventListenerLike, MessageEvent, WebSocketEvent } from './events.ts';
import { Heartbeat } from './heartbeat.ts';
import { createMessageIterator } from './message-iterator.ts';
import { isBinaryType, toBuffer, toMessageData, toWhatwgData } from './message-conversion.ts';
import type { BinaryType } from './message-conversion.ts';
import { useNativeMaskIfAvailable } from './native-mask.ts';
import { resolveLimits } from './options.ts';
import type { ConnectionLimits, ResolvedLimits, WebSocketOptions } from './options.ts';
import { byteLengthOf, isSendData, toControlPayload } from './send-data.ts';
import type { SendCallback, SendData, SendOptions } from './send-data.ts';
import { SendQueue } from './send-queue.ts';
import { SocketWriter } from './socket-writer.ts';

export type { BinaryType } from './message-conversion.ts';
export type { SendCallback, SendData, SendOptions } from './send-data.ts';
export type { WebSocketEventMap, WebSocketListener } from './event-surface.ts';

/** Options of {@link WebSocket.fromSocket}: the result of a handshake done elsewhere. */
export interface FromSocketOptions extends ConnectionLimits {
  /** This end's role: 'server' for a socket accepted by a server (it does not mask), 'client' otherwise. */
  role: 'server' | 'client';
  /** The negotiated subprotocol ('' for none). */
  protocol?: string | undefined;
  /** The negotiated Sec-WebSocket-Extensions value, for the `extensions` property ('' for none). */
  extensions?: string | undefined;
  /** Extension objects to run (e.g. permessage-deflate from @rfc6455/deflate), in negotiated order. */
  extensionHandlers?: readonly Extension[] | undefined;
  /** The URL to report as `url` (servers usually leave it ''). */
  url?: string | undefined;
}

/** A class whose instances are WebSocket (a subclass given to {@link WebSocket.fromSocket}). */
export type WebSocketClass<T extends WebSocket> = new (
  url: string | URL,
  protocols?: string | readonly string[] | WebSocketOptions,
  options?: WebSocketOptions,
) => T;

const EMPTY = Buffer.alloc(0);
const ADOPT = Symbol('adopt');

/**
 * A WebSocket connection (RFC 6455), client or server end. See the package README for the three
 * APIs it offers; every event is available both as `ws.on(type, …)` (ws-style arguments) and
 * `ws.addEventListener(type, …)` / `ws.on<type>` (WHATWG event objects).
 */
export class WebSocket extends EventEmitter {
  /** The connection is being established. */
  static readonly CONNECTING = CONNECTING;
  /** The connection is open: data can be sent. */
  static readonly OPEN = OPEN;
  /** The closing handshake has begun. */
  static readonly CLOSING = CLOSING;
  /** The connection is closed. */
  static readonly CLOSED = CLOSED;

  /** The connection is being established (instance constant, as WHATWG). */
  declare readonly CONNECTING: 0;
  /** The connection is open (instance constant). */
  declare readonly OPEN: 1;
  /** The closing handshake has begun (instance constant). */
  declare readonly CLOSING: 2;
  /** The connection is closed (instance constant). */
  declare readonly CLOSED: 3;

  #readyState: ReadyState = CONNECTING;
  #url: string;
  #protocol = '';
  #extensions = '';
  #binaryType: BinaryType = 'nodebuffer';
  readonly #isServer: boolean;
  readonly #limits: ResolvedLimits;
  #socket: Duplex | undefined;
  #engine: Protocol | undefined;
  #writer: SocketWriter | undefined;
  #dialer: Dialer | undefined;
  #handshakeTimer: NodeJS.Timeout | undefined;
  #closeTimer: NodeJS.Timeout | undefined;

  // bufferedAmount bookkeeping (WHATWG: bytes accepted by send but not yet sent).
  #afterCloseBytes = 0;
  #queue: SendQueue | undefined;
  #needDrain = false;

  #closeCode = WS_CLOSED_ABNORMALLY;
  #closeReason = '';
  #wasClean = false;
  #failure: WebSocketError | undefined;
  #closeEmitted = false;
  #paused = false;
  #heartbeat: Heartbeat | undefined;

  /**
   * Open a connection to `url` (ws:, wss:, http: or https:), offering `protocols`.
   * Like ws, `options` may take the place of `protocols`.
   *
   * @throws {SyntaxError} for an invalid URL or subprotocol (as the WHATWG constructor does).
   * @throws {TypeError|RangeError} for an invalid option, naming it.
   */
  constructor(url: string | URL, protocols?: string | readonly string[] | WebSocketOptions, options?: WebSocketOptions);
  constructor(
    url: string | URL | typeof ADOPT,
    protocols?: string | readonly string[] | WebSocketOptions,
    options?: WebSocketOptions | FromSocketOptions,
  ) {
    super();
    if (url === ADOPT) {
      const init = options as FromSocketOptions;
      this.#isServer = init.role === 'server';
      this.#limits = resolveLimits(init);
      this.#url = init.url ?? '';
      this.#protocol = init.protocol ?? '';
      this.#extensions = init.extensions ?? '';
      return;
    }
    if (protocols !== undefined && typeof protocols === 'object' && !Array.isArray(protocols)) {
      options = protocols as WebSocketOptions;
      protocols = undefined;
    }
    const opts: WebSocketOptions = (options as WebSocketOptions | undefined) ?? {};
    if (opts === null || typeof opts !== 'object') throw new TypeError('options must be an object');
    this.#isServer = false;
    this.#limits = resolveLimits(opts);
    const setup = setUpDial(url, protocols as string | readonly string[] | undefined, opts, {
      onOpen: (result, createExtensions) => this.#onDialOpen(result, createExtensions),
      onFail: (err) => this.#onDialFail(err),
      onUnexpectedResponse: (req, res) => this.listenerCount('unexpected-response') > 0 && this.emit('unexpected-response', req, res),
    });
    this.#url = setup.url;
    this.#dialer = setup.dialer;
    this.#handshakeTimer = setTimeout(() => {
      this.#dialer?.abort(
        new ClientError(ClientErrorCode.HandshakeTimeout, `Opening handshake did not complete within handshakeTimeoutMs (${setup.handshakeTimeoutMs} ms)`),
      );
    }, setup.handshakeTimeoutMs);
    // Start on the next tick so listeners added right after the constructor see every event.
    process.nextTick(() => this.#dialer?.start());
  }

  /**
   * Open a connection and resolve once it is OPEN; reject with the failure (a {@link ClientError}
   * carrying `status`, `headers` and a `body` excerpt when the server refused the handshake).
   */
  static connect(url: string | URL, options: WebSocketOptions = {}): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const onOpen = (): void => {
        ws.off('error', onError);
        resolve(ws);
      };
      const onError = (err: Error): void => {
        ws.off('open', onOpen);
        reject(err);
      };
      ws.once('open', onOpen);
      ws.once('error', onError);
    });
  }

  /**
   * Wrap a socket whose opening handshake is already done (e.g. by a server's `upgrade` handler:
   * the 101 answer written) as an OPEN WebSocket. `head` is the bytes read past the handshake.
   * No `open` event is emitted: the connection is open on return.
   */
  static fromSocket<T extends WebSocket>(
    this: WebSocketClass<T>,
    socket: Duplex,
    head: Uint8Array | undefined,
    options: FromSocketOptions,
  ): T {
    if (socket === null || typeof socket !== 'object' || typeof (socket as Duplex).write !== 'function') {
      throw new TypeError('fromSocket(socket, head, options): socket must be a Duplex stream');
    }
    if (options === null || typeof options !== 'object' || (options.role !== 'server' && options.role !== 'client')) {
      throw new TypeError("fromSocket(socket, head, options): options.role must be 'server' or 'client'");
    }
    // `this` is WebSocket or a subclass (ServerWebSocket, a user's connection class): construct it,
    // so the object has its own methods from the start rather than a prototype swapped in later.
    const ws = new this(ADOPT as unknown as string, undefined, options as unknown as WebSocketOptions);
    if (!(ws instanceof WebSocket)) throw new TypeError('fromSocket: call it on WebSocket or a subclass of it');
    ws.#attach(socket, head ?? EMPTY, options.extensionHandlers);
    return ws;
  }

  /** CONNECTING (0), OPEN (1), CLOSING (2) or CLOSED (3). */
  get readyState(): ReadyState {
    return this.#readyState;
  }

  /** The URL connected to, in ws:/wss: form (the final one after redirects). */
  get url(): string {
    return this.#url;
  }

  /** The subprotocol the server selected, '' for none. */
  get protocol(): string {
    return this.#protocol;
  }

  /** The extensions the server accepted (its Sec-WebSocket-Extensions value), '' for none. */
  get extensions(): string {
    return this.#extensions;
  }

  /** How binary messages are delivered. Default 'nodebuffer'. */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  set binaryType(type: BinaryType) {
    // WHATWG: an unknown value is ignored rather than thrown.
    if (isBinaryType(type)) this.#binaryType = type;
  }

  /**
   * Bytes accepted by `send` and not yet handed to the operating system: the socket's write
   * buffer, Blobs still being read and what was sent after the connection stopped being OPEN (the
   * WHATWG rule: it grows and never shrinks then).
   */
  get bufferedAmount(): number {
    return this.#afterCloseBytes + (this.#queue?.bytes ?? 0) + (this.#socket?.writableLength ?? 0);
  }

  /** The last heartbeat round-trip time in milliseconds (undefined before the first pong). */
  get latency(): number | undefined {
    return this.#heartbeat?.latency;
  }

  /** Whether reading is paused by `pause()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** The underlying socket, once open (undefined while CONNECTING). */
  get socket(): Duplex | undefined {
    return this.#socket;
  }

  // ── Sending ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Send a message (a string as text, anything else as binary unless `options.binary` says
   * otherwise). Returns false when the caller should wait for `drain` (bufferedAmount above
   * `highWaterMark`) or when nothing was sent because the connection is not OPEN (then `cb` gets a
   * `WS_ERR_NOT_OPEN` error; without `cb` the data is silently counted in `bufferedAmount`, as the
   * WHATWG API does). A Blob is read asynchronously; later sends wait for it, keeping order.
   *
   * @throws {DOMException} InvalidStateError while CONNECTING (as WHATWG and ws).
   * @throws {TypeError} for data of another type, or text bytes that are not UTF-8.
   */
  send(data: SendData, options?: SendOptions | SendCallback, cb?: SendCallback): boolean {
    if (typeof options === 'function') {
      cb = options;
      options = undefined;
    }
    if (!isSendData(data)) throw new TypeError('send(data): data must be a string, ArrayBuffer, ArrayBufferView or Blob');
    if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('send(data, options): options must be an object');
    if (cb !== undefined && typeof cb !== 'function') throw new TypeError('send(data, options, cb): cb must be a function');
    if (this.#readyState === CONNECTING) throw domError('InvalidStateError', 'WebSocket is still CONNECTING: wait for open before send()');
    if (this.#readyState !== OPEN) {
      this.#afterCloseBytes += byteLengthOf(data);
      if (cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
      return false;
    }
    const queue = this.#queue;
    if (data instanceof Blob || (queue !== undefined && queue.length > 0)) {
      this.#sendQueue().push(data, options, cb);
      return this.#checkHighWater();
    }
    this.#write(data, options, cb);
    return this.#checkHighWater();
  }

  /** `send` as a promise: resolves once the data is flushed to the socket, rejects if it was not sent. */
  sendAsync(data: SendData, options?: SendOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.send(data, options, (err) => (err === undefined || err === null ? resolve() : reject(err)));
      } catch (err) {
        reject(err);
      }
    });
  }

  /**
   * Advanced: write an already encoded frame (e.g. a broadcast frame encoded once for many
   * server-side sockets). The bytes must be a complete, valid frame for this end's role (unmasked
   * from a server; RSV1 only when permessage-deflate was negotiated and the payload is compressed
   * for this connection). They are written after any message still being compressed, but must not
   * be sent while a fragmented `send` is in progress. Returns false when not sent (not OPEN: `cb`
   * gets the error) or above the high-water mark.
   */
  sendFrame(frame: Uint8Array, cb?: SendCallback): boolean {
    if (!(frame instanceof Uint8Array)) throw new TypeError('sendFrame(frame): frame must be a Uint8Array');
    if (this.#readyState !== OPEN || this.#engine?.state !== 'OPEN') {
      if (cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
      return false;
    }
    if (!this.#writer!.sendFrame(frame, cb)) {
      if (cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
      return false;
    }
    return this.#checkHighWater();
  }

  /** Send a ping (payload ≤ 125 bytes). `cb` as in `send`. @throws {DOMException} InvalidStateError while CONNECTING. */
  ping(data?: SendData | number, mask?: boolean | SendCallback, cb?: SendCallback): void {
    this.#control(true, data, mask, cb);
  }

  /** Send a pong (payload ≤ 125 bytes), e.g. an unsolicited heartbeat. @throws {DOMException} InvalidStateError while CONNECTING. */
  pong(data?: SendData | number, mask?: boolean | SendCallback, cb?: SendCallback): void {
    this.#control(false, data, mask, cb);
  }

  #control(isPing: boolean, data: SendData | number | undefined, mask: boolean | SendCallback | undefined, cb: SendCallback | undefined): void {
    if (typeof data === 'function') {
      cb = data as SendCallback;
      data = undefined;
    } else if (typeof mask === 'function') {
      cb = mask;
    }
    if (this.#readyState === CONNECTING) throw domError('InvalidStateError', 'WebSocket is still CONNECTING: wait for open before ping()/pong()');
    const payload = toControlPayload(data);
    if (this.#readyState !== OPEN) {
      if (cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
      return;
    }
    if (!this.#writer!.sendControl(isPing, payload, cb) && cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
  }

  /** The Blob send queue, made on the first Blob. */
  #sendQueue(): SendQueue {
    this.#queue ??= new SendQueue({
      readyState: () => this.#readyState,
      write: (data, options, cb) => this.#write(data, options, cb),
      addUnsent: (bytes) => {
        this.#afterCloseBytes += bytes;
      },
    });
    return this.#queue;
  }

  #write(data: Exclude<SendData, Blob>, options: SendOptions | undefined, cb: SendCallback | undefined): void {
    if (!this.#writer!.sendMessage(data, options, cb)) {
      this.#afterCloseBytes += byteLengthOf(data);
      if (cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
    }
  }

  #checkHighWater(): boolean {
    if (this.bufferedAmount <= this.#limits.highWaterMark) return true;
    if (!this.#needDrain) {
      this.#needDrain = true;
      const socket = this.#socket;
      // The socket emits 'drain' only if its own (smaller or larger) mark was passed: otherwise ask
      // for a callback once what is queued now has been flushed.
      if (socket !== undefined && !socket.writableNeedDrain) socket.write(EMPTY, () => this.#onDrain());
    }
    return false;
  }

  #onDrain = (): void => {
    if (!this.#needDrain || this.bufferedAmount > this.#limits.highWaterMark) return;
    this.#needDrain = false;
    this.emit('drain');
  };

  // ── Closing ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Start the closing handshake (RFC 6455 §7.1.2) with an optional code and reason. On a
   * client-role socket the code must be 1000 or 3000–4999 (WHATWG); a server-role socket may use
   * any code an endpoint may send (1000–1003, 1007–1014, 3000–4999). While CONNECTING the attempt
   * is aborted (`error` WS_ERR_ABORTED, then `close` 1006). Does nothing once CLOSING or CLOSED.
   *
   * @throws {DOMException} InvalidAccessError for a code that may not be used, SyntaxError for a
   *   reason longer than 123 UTF-8 bytes.
   */
  close(code?: number, reason?: string | ArrayBufferView): void {
    const reasonText = checkCloseArguments(code, reason, this.#isServer ? 'endpoint' : 'application');
    if (this.#readyState === CLOSING || this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      this.#abortHandshake();
      return;
    }
    // A reason needs a code on the wire (RFC 6455 §5.5.1).
    this.#engine!.sendClose(code ?? (reasonText === undefined || reasonText === '' ? undefined : WS_OK), reasonText || undefined);
  }

  /** Destroy the connection at once, without a closing handshake (`close` 1006 follows). */
  terminate(): void {
    if (this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      this.#abortHandshake();
      return;
    }
    this.#readyState = CLOSING;
    this.#socket?.destroy();
  }

  /** Stop reading from the socket (messages already read are still delivered). */
  pause(): void {
    if (this.#readyState === CONNECTING || this.#readyState === CLOSED) return;
    this.#paused = true;
    this.#socket?.pause();
  }

  /** Resume reading after `pause()`. */
  resume(): void {
    if (this.#readyState === CONNECTING || this.#readyState === CLOSED) return;
    this.#paused = false;
    this.#socket?.resume();
  }

  #abortHandshake(): void {
    this.#readyState = CLOSING;
    this.#dialer?.abort(new ClientError(ClientErrorCode.Aborted, 'WebSocket was closed before the connection was established'));
  }

  // ── Connection life ─────────────────────────────────────────────────────────────────────────

  #onDialOpen(result: DialResult, createExtensions: () => Extension[]): void {
    clearTimeout(this.#handshakeTimer);
    this.#dialer = undefined;
    this.#url = result.url;
    this.#protocol = result.protocol;
    this.#extensions = result.extensions;
    this.emit('upgrade', result.response);
    this.#attach(result.socket, result.head, createExtensions());
    this.emit('open');
    this.#startHeartbeat();
  }

  #onDialFail(err: ClientError): void {
    clearTimeout(this.#handshakeTimer);
    this.#dialer = undefined;
    this.#readyState = CLOSED;
    this.#closeCode = WS_CLOSED_ABNORMALLY;
    this.#emitError(err);
    this.#emitClose();
  }

  /** Take over a socket after the handshake: set it up and start the protocol. */
  #attach(socket: Duplex, head: Uint8Array, extensions: readonly Extension[] | undefined): void {
    this.#socket = socket;
    const net = socket as Partial<Socket>;
    net.setTimeout?.(0);
    net.setNoDelay?.(true);
    const writer = new SocketWriter(socket, this.#isServer, () => this.#readyState);
    this.#writer = writer;
    const handler: ProtocolHandler = {
      onWrite: writer.onWrite,
      onMessage: (data, isBinary) => this.#onMessage(data, isBinary),
      onPing: (payload) => this.emit('ping', toBuffer(payload)),
      onPong: (payload) => this.#onPong(payload),
      onClosing: () => this.#onClosing(),
      onClose: (code, reason, wasClean) => this.#onProtocolClose(code, reason, wasClean),
      onError: (err) => {
        this.#failure = err;
        this.#emitError(err);
      },
    };
    useNativeMaskIfAvailable();
    this.#engine = new Protocol({
      role: this.#isServer ? 'server' : 'client',
      handler,
      maxPayloadLength: this.#limits.maxPayloadLength,
      maxMessageLength: this.#limits.maxMessageLength,
      maxFragments: this.#limits.maxFragments,
      autoPong: this.#limits.autoPong,
      extensions: extensions ?? [],
    });
    writer.start(this.#engine, extensions !== undefined && extensions.some((extension) => typeof extension.encode === 'function'));
    this.#readyState = OPEN;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onSocketClose);
    socket.on('error', this.#onSocketError);
    socket.on('drain', this.#onDrain);
    // Bytes that came with the handshake response are processed on the next turn of the event
    // loop, not now: the caller has not yet had 'open', the 'connection' event or connect()'s
    // promise, so a message in them would reach no listener. Later socket data waits behind them.
    if (head.length > 0) {
      this.#pendingHead = head;
      setImmediate(this.#flushHead);
    }
    // A socket that closed before it was handed over will never emit 'close' again.
    if (socket.destroyed) process.nextTick(this.#onSocketClose);
    else if (this.#isServer) this.#startHeartbeat();
  }

  #pendingHead: Uint8Array | undefined;

  #flushHead = (): void => {
    const head = this.#pendingHead;
    if (head === undefined) return;
    this.#pendingHead = undefined;
    this.#onData(head);
  };

  #onData = (chunk: Uint8Array): void => {
    if (this.#pendingHead !== undefined) this.#flushHead();
    const engine = this.#engine!;
    try {
      engine.receiveData(chunk);
    } catch (err) {
      // A listener threw: the parser has stopped, so the connection cannot go on (1011). The
      // exception is the application's and goes on up, as with any EventEmitter listener.
      engine.fail(1011);
      throw err;
    }
  };

  #onEnd = (): void => {
    this.#engine?.receiveEof();
    // The peer will not send more; finish our half too (a no-op when the socket already did).
    this.#socket?.end();
  };

  #onSocketError = (err: Error): void => {
    // Errors after the closing handshake (e.g. ECONNRESET while waiting for FIN) change nothing.
    if (this.#engine?.state !== 'CLOSED' && this.#failure === undefined) this.#emitError(err);
    this.#socket?.destroy();
  };

  #onSocketClose = (): void => {
    this.#engine?.receiveEof();
    this.#readyState = CLOSED;
    clearTimeout(this.#closeTimer);
    this.#heartbeat?.stop();
    this.#emitClose();
  };

  #onClosing(): void {
    if (this.#readyState === OPEN) this.#readyState = CLOSING;
    this.#heartbeat?.stop();
    // RFC 6455 §7.1.1 and ws: do not wait forever for the peer's close frame and FIN.
    if (this.#closeTimer === undefined) {
      this.#closeTimer = setTimeout(() => this.#socket?.destroy(), this.#limits.closeTimeoutMs);
    }
  }

  #onProtocolClose(code: number, reason: string, wasClean: boolean): void {
    if (this.#readyState === OPEN) this.#readyState = CLOSING;
    const failure = this.#failure;
    // ws reports the code of a failure we detected (1002, 1007, 1009 …) rather than 1006.
    this.#closeCode = failure?.closeCode !== undefined && this.#engine?.closeReceived === undefined ? failure.closeCode : code;
    this.#closeReason = reason;
    this.#wasClean = wasClean;
    this.#heartbeat?.stop();
    const socket = this.#socket!;
    if (socket.destroyed) return;
    // RFC 6455 §7.1.1: the server closes TCP first; a client waits for it (bounded by the close
    // timer), except after a failure, when it closes too.
    if (this.#isServer || !wasClean || socket.readableEnded) socket.end();
    if (this.#closeTimer === undefined) {
      this.#closeTimer = setTimeout(() => socket.destroy(), this.#limits.closeTimeoutMs);
    }
  }

  #startHeartbeat(): void {
    const heartbeat = this.#limits.heartbeat;
    if (heartbeat === undefined || this.#readyState !== OPEN) return;
    this.#heartbeat = new Heartbeat(
      heartbeat.intervalMs,
      heartbeat.timeoutMs,
      (payload) => {
        if (this.#readyState !== OPEN) return false;
        this.#engine!.sendPing(payload);
        return true;
      },
      (err) => {
        this.#failure = err;
        this.#emitError(err);
        this.terminate();
      },
    );
  }

  #onPong(payload: Uint8Array): void {
    this.#heartbeat?.onPong(payload);
    this.emit('pong', toBuffer(payload));
  }

  // ── Events ──────────────────────────────────────────────────────────────────────────────────

  #onMessage(data: Uint8Array, isBinary: boolean): void {
    if (this.listenerCount('message') === 0) return;
    this.emit('message', toMessageData(data, isBinary, this.#binaryType), isBinary);
  }

  #emitError(err: Error): void {
    // An 'error' with no listener would throw into the event loop: the network must not crash the process.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  #emitClose(): void {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    this.#readyState = CLOSED;
    // Whatever is still queued behind a Blob was not sent: tell its callbacks.
    this.#queue?.failAll(CLOSED);
    this.emit('close', this.#closeCode, Buffer.from(this.#closeReason), this.#wasClean);
  }

  /** Add a ws-style listener (Node EventEmitter `on`), typed by {@link WebSocketEventMap}. */
  override on<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.on(event, listener);
  }

  /** Add a listener called once, typed by {@link WebSocketEventMap}. */
  override once<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.once(event, listener);
  }

  /** Remove a listener added with `on` / `once`. */
  override off<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.off(event, listener);
  }

  /** Alias of `on`, typed the same way. */
  override addListener<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.addListener(event, listener);
  }

  /** Alias of `off`, typed the same way. */
  override removeListener<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.removeListener(event, listener);
  }

  /** Add a listener before the others, typed by {@link WebSocketEventMap}. */
  override prependListener<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.prependListener(event, listener);
  }

  /**
   * Add a WHATWG-style listener for `open`, `message`, `error` or `close` (or any event this
   * object emits). The same listener is added once; `{ once: true }` removes it after one call.
   */
  addEventListener(type: string, listener: EventListenerLike<never> | null, options?: { once?: boolean } | boolean): void {
    addWhatwgListener(this, type, listener, options);
  }

  /** Remove a listener added with `addEventListener`. */
  removeEventListener(type: string, listener: EventListenerLike<never> | null): void {
    removeWhatwgListener(this, type, listener);
  }

  /** Call the WHATWG-style listeners (addEventListener and on*) of `event.type` with `event`. Returns true. */
  dispatchEvent(event: { readonly type: string }): boolean {
    return dispatchWhatwgEvent(this, event);
  }

  /** WHATWG `onopen` attribute. */
  get onopen(): ((event: WebSocketEvent) => void) | null {
    return getAttributeListener(this, 'open') as ((event: WebSocketEvent) => void) | null;
  }

  set onopen(listener: ((event: WebSocketEvent) => void) | null) {
    setAttributeListener(this, 'open', listener);
  }

  /** WHATWG `onmessage` attribute. */
  get onmessage(): ((event: MessageEvent) => void) | null {
    return getAttributeListener(this, 'message') as ((event: MessageEvent) => void) | null;
  }

  set onmessage(listener: ((event: MessageEvent) => void) | null) {
    setAttributeListener(this, 'message', listener);
  }

  /** WHATWG `onerror` attribute. */
  get onerror(): ((event: ErrorEvent) => void) | null {
    return getAttributeListener(this, 'error') as ((event: ErrorEvent) => void) | null;
  }

  set onerror(listener: ((event: ErrorEvent) => void) | null) {
    setAttributeListener(this, 'error', listener);
  }

  /** WHATWG `onclose` attribute. */
  get onclose(): ((event: CloseEvent) => void) | null {
    return getAttributeListener(this, 'close') as ((event: CloseEvent) => void) | null;
  }

  set onclose(listener: ((event: CloseEvent) => void) | null) {
    setAttributeListener(this, 'close', listener);
  }

  /**
   * `for await (const message of ws)`: each message as a string (text) or per `binaryType`
   * (binary). Ends on a clean close, throws the error of an abnormal one; the socket is paused
   * while more than 16 messages wait for the consumer. `break` stops iterating without closing.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<string | Buffer | ArrayBuffer | Blob | Buffer[]> {
    return createMessageIterator(
      this,
      (data, isBinary) => toWhatwgData(data, isBinary) as string | Buffer | ArrayBuffer | Blob | Buffer[],
      (code, reason) =>
        new ClientError(ClientErrorCode.ClosedAbnormally, `The connection closed without a closing handshake (code ${code}${reason ? `, ${reason}` : ''})`, {
          closeCode: code,
        }),
    );
  }
}

for (const [name, value] of [
  ['CONNECTING', CONNECTING],
  ['OPEN', OPEN],
  ['CLOSING', CLOSING],
  ['CLOSED', CLOSED],
] as const) {
  Object.defineProperty(WebSocket.prototype, name, { value, enumerable: true });
}
