/**
 * The `WebSocket` class: one object per connection, either end. It speaks three dialects at once —
 * the WHATWG API (`onmessage`, `addEventListener`, `readyState`), ws's Node API (`on('message',
 * (data, isBinary))`, `send(data, options, cb)`, `ping`, `terminate`) and promise/iterator forms
 * (`WebSocket.connect`, `sendAsync`, `for await`). All protocol work is @rfc6455/protocol's; this
 * class is the facade over the pieces that do the rest, each in its own file: the dial setup and
 * handshake timeout (dial-setup.ts), the socket ↔ protocol pump and heartbeat (connection.ts),
 * the ready state, close wait and close report (lifecycle.ts), the send path with
 * `bufferedAmount` and `drain` (outgoing.ts, over socket-writer.ts and send-queue.ts) and the
 * event surface (event-surface.ts). What is left here is checking arguments and routing calls.
 */
import type { Duplex } from 'node:stream';
import { CLOSED, CLOSING, CONNECTING, OPEN, WS_OK, checkCloseArguments, defineReadyStateConstants } from '@rfc6455/codes';
import type { ReadyState } from '@rfc6455/codes';
import type { Extension } from '@rfc6455/protocol';
import { ClientError, ClientErrorCode, domError } from './client-error.ts';
import { Connection } from './connection.ts';
import type { DialResult } from './dial.ts';
import { setUpDial } from './dial-setup.ts';
import type { DialAttempt } from './dial-setup.ts';
import { EventSurface, emitError } from './event-surface.ts';
import { httpVersionOf } from './h2-stream.ts';
import type { HttpVersion } from './h2-stream.ts';
import { Lifecycle } from './lifecycle.ts';
import type { CloseReport } from './lifecycle.ts';
import { createMessageIterator } from './message-iterator.ts';
import { isBinaryType } from './message-conversion.ts';
import type { BinaryType } from './message-conversion.ts';
import { internLimits, resolveLimits } from './options.ts';
import { checkAdoptOptionKeys, checkClientOptionKeys, checkSendOptionKeys } from './ws-options.ts';
import type { FromSocketOptions, ResolvedLimits, WebSocketOptions } from './options.ts';
import { Outgoing } from './outgoing.ts';
import { checkMask, controlArguments, fromWsData } from './send-data.ts';
import type { SendCallback, SendData, SendOptions, WsSendData } from './send-data.ts';

export type { BinaryType } from './message-conversion.ts';
export type { SendCallback, SendData, SendOptions, WsSendData } from './send-data.ts';
export type { WebSocketEventMap, WebSocketListener } from './event-surface.ts';
export type { FromSocketOptions } from './options.ts';
export type { HttpVersion } from './h2-stream.ts';

/** A class whose instances are WebSocket (a subclass given to {@link WebSocket.fromSocket}). */
export type WebSocketClass<T extends WebSocket> = new (
  url: string | URL,
  protocols?: string | readonly string[] | WebSocketOptions,
  options?: WebSocketOptions,
) => T;

const EMPTY = Buffer.alloc(0);
const ADOPT = Symbol('adopt');

/** Every connection's close report (its Lifecycle calls it with the WebSocket as `this`); set by the class's static block. */
let reportClose: CloseReport;

/**
 * A WebSocket connection (RFC 6455), client or server end. See the package README for the three
 * APIs it offers; every event is available both as `ws.on(type, …)` (ws-style arguments) and
 * `ws.addEventListener(type, …)` / `ws.on<type>` (WHATWG event objects).
 */
export class WebSocket extends EventSurface {
  static {
    // One function for every connection, rather than a closure each (memory per idle connection).
    reportClose = function (this: unknown, code, reason, wasClean) {
      (this as WebSocket).#onClose(code, reason, wasClean);
    };
  }

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

  #url: string;
  #protocol = '';
  #extensions = '';
  #binaryType: BinaryType = 'nodebuffer';
  #paused = false;
  readonly #isServer: boolean;
  readonly #limits: ResolvedLimits;
  readonly #life: Lifecycle;
  readonly #outgoing: Outgoing;
  #dialer: DialAttempt | undefined;
  #connection: Connection | undefined;
  #httpVersion: HttpVersion | undefined;

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
    const adopt = url === ADOPT ? (options as FromSocketOptions) : undefined;
    if (adopt === undefined && protocols !== undefined && typeof protocols === 'object' && !Array.isArray(protocols)) {
      options = protocols as WebSocketOptions;
      protocols = undefined;
    }
    const opts = (options as WebSocketOptions | FromSocketOptions | undefined) ?? {};
    if (opts === null || typeof opts !== 'object') throw new TypeError('options must be an object');
    if (adopt === undefined) checkClientOptionKeys(opts);
    else checkAdoptOptionKeys(opts);
    this.#isServer = adopt?.role === 'server';
    this.#limits = internLimits(resolveLimits(opts));
    this.#life = new Lifecycle(this.#isServer, this.#limits.closeTimeoutMs, reportClose, this);
    this.#outgoing = new Outgoing(this, this.#life, this.#limits.highWaterMark);
    if (adopt !== undefined) {
      this.#url = adopt.url ?? '';
      this.#protocol = adopt.protocol ?? '';
      this.#extensions = adopt.extensions ?? '';
      return;
    }
    const setup = setUpDial(url as string | URL, protocols as string | readonly string[] | undefined, opts as WebSocketOptions, {
      onOpen: (result, createExtensions) => this.#onDialOpen(result, createExtensions),
      onFail: (err) => this.#onDialFail(err),
      onUnexpectedResponse: (req, res) => this.listenerCount('unexpected-response') > 0 && this.emit('unexpected-response', req, res),
      onRequest: (req, redirected, requestUrl) => {
        if (redirected) {
          this.#url = requestUrl;
          this.emit('redirect', requestUrl, req);
        }
        const finish = (opts as WebSocketOptions).finishRequest;
        if (finish === undefined) return false;
        finish(req, this);
        return true;
      },
      handlesRedirects: () => this.listenerCount('redirect') > 0,
      // ws emits 'upgrade' as soon as the 101 arrives, before checking it; close() or terminate()
      // from a listener ends the attempt there (no 'open').
      onUpgradeResponse: (res) => {
        this.emit('upgrade', res);
        return this.#life.readyState === CONNECTING;
      },
    });
    this.#url = setup.url;
    this.#dialer = setup.dialer;
    // Start on the next tick so listeners added right after the constructor see every event.
    process.nextTick(() => this.#life.readyState === CONNECTING && this.#dialer?.start());
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
    return this.#life.readyState;
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
    return this.#outgoing.bufferedAmount;
  }

  /** The last heartbeat round-trip time in milliseconds (undefined before the first pong). */
  get latency(): number | undefined {
    return this.#connection?.latency;
  }

  /** Whether reading is paused by `pause()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /**
   * The HTTP version that carries the connection, once open: `'1.1'` for an upgraded TCP/TLS
   * socket (RFC 6455), `'2'` for an HTTP/2 extended CONNECT stream (RFC 8441); undefined while
   * CONNECTING and after an attempt that failed.
   */
  get httpVersion(): HttpVersion | undefined {
    return this.#httpVersion;
  }

  /** The underlying socket, once open (undefined while CONNECTING): an HTTP/2 stream when `httpVersion` is `'2'`. */
  get socket(): Duplex | undefined {
    return this.#connection?.socket;
  }

  // ── Sending ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Send a message (a string, or a number as its text, as text; anything else as binary unless
   * `options.binary` says otherwise; ws's other data types as {@link WsSendData}). Returns false when the caller should wait for `drain` (bufferedAmount above
   * `highWaterMark`) or when nothing was sent because the connection is not OPEN (then `cb` gets a
   * `WS_ERR_NOT_OPEN` error; without `cb` the data is silently counted in `bufferedAmount`, as the
   * WHATWG API does). A Blob is read asynchronously; later sends wait for it, keeping order.
   *
   * @throws {DOMException} InvalidStateError while CONNECTING (as WHATWG and ws).
   * @throws {TypeError} for data of another type, text bytes that are not UTF-8, an unknown
   *   option, or a `mask` this end may not use.
   */
  send(data: SendData | WsSendData, options?: SendOptions | SendCallback, cb?: SendCallback): boolean {
    if (typeof options === 'function') {
      cb = options;
      options = undefined;
    }
    const payload = fromWsData(data);
    if (options !== undefined) {
      if (options === null || typeof options !== 'object') throw new TypeError('send(data, options): options must be an object');
      checkSendOptionKeys(options);
      checkMask(options.mask, this.#isServer, 'send(data, options)');
    }
    if (cb !== undefined && typeof cb !== 'function') throw new TypeError('send(data, options, cb): cb must be a function');
    if (this.#life.readyState === CONNECTING) throw domError('InvalidStateError', 'WebSocket is still CONNECTING: wait for open before send()');
    return this.#outgoing.send(payload, options, cb);
  }

  /** `send` as a promise: resolves once the data is flushed to the socket, rejects if it was not sent. */
  sendAsync(data: SendData | WsSendData, options?: SendOptions): Promise<void> {
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
    return this.#outgoing.sendFrame(frame, cb);
  }

  /** Send a ping (payload ≤ 125 bytes). `cb` as in `send`. @throws {DOMException} InvalidStateError while CONNECTING. */
  ping(data?: SendData | WsSendData, mask?: boolean | SendCallback, cb?: SendCallback): void {
    this.#control(true, data, mask, cb);
  }

  /** Send a pong (payload ≤ 125 bytes), e.g. an unsolicited heartbeat. @throws {DOMException} InvalidStateError while CONNECTING. */
  pong(data?: SendData | WsSendData, mask?: boolean | SendCallback, cb?: SendCallback): void {
    this.#control(false, data, mask, cb);
  }

  #control(isPing: boolean, data: unknown, mask: boolean | SendCallback | undefined, cb: SendCallback | undefined): void {
    const args = controlArguments(isPing, this.#isServer, data, mask, cb);
    if (this.#life.readyState === CONNECTING) throw domError('InvalidStateError', 'WebSocket is still CONNECTING: wait for open before ping()/pong()');
    this.#outgoing.sendControl(isPing, args.payload, args.cb);
  }

  // ── Closing ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Start the closing handshake (RFC 6455 §7.1.2) with an optional code and reason. As in ws,
   * either end may use any code an endpoint may send (1000–1003, 1007–1014, 3000–4999). While CONNECTING the attempt
   * is aborted (`error` WS_ERR_ABORTED, then `close` 1006). Does nothing once CLOSING or CLOSED.
   *
   * @throws {DOMException} InvalidAccessError for a code that may not be used, SyntaxError for a
   *   reason longer than 123 UTF-8 bytes.
   */
  close(code?: number, reason?: string | ArrayBufferView): void {
    // ws accepts every code an endpoint may send, from a client too (1000–1003, 1007–1014, 3000–4999).
    const reasonText = checkCloseArguments(code, reason, 'endpoint');
    const state = this.#life.readyState;
    if (state === CLOSING || state === CLOSED) return;
    if (state === CONNECTING) {
      this.#abortHandshake();
      return;
    }
    // A reason needs a code on the wire (RFC 6455 §5.5.1).
    const closeCode = code ?? (reasonText === undefined || reasonText === '' ? undefined : WS_OK);
    const connection = this.#connection!;
    // Sends waiting behind a Blob being read go first: the close frame may not overtake what was
    // accepted before close(). CLOSING at once, so later sends are refused, as WHATWG says.
    if (this.#outgoing.queued) this.#life.stop();
    this.#outgoing.whenQueueSent(() => connection.sendClose(closeCode, reasonText || undefined));
  }

  /** Destroy the connection at once, without a closing handshake (`close` 1006 follows). */
  terminate(): void {
    if (this.#life.readyState === CONNECTING) this.#abortHandshake();
    else this.#connection?.terminate();
  }

  /** Stop reading from the socket (messages already read are still delivered). */
  pause(): void {
    if (this.#life.readyState === CONNECTING || this.#life.readyState === CLOSED) return;
    this.#paused = true;
    this.#connection?.socket.pause();
  }

  /** Resume reading after `pause()`. */
  resume(): void {
    if (this.#life.readyState === CONNECTING || this.#life.readyState === CLOSED) return;
    this.#paused = false;
    this.#connection?.socket.resume();
  }

  #abortHandshake(): void {
    this.#life.stop();
    const dialer = this.#dialer;
    // The error and close events follow on the next tick, as in ws (and WHATWG queues them as a
    // task): a listener added right after close() still sees them.
    if (dialer !== undefined) process.nextTick(() => dialer.abort(new ClientError(ClientErrorCode.Aborted, 'WebSocket was closed before the connection was established')));
  }

  // ── Connection life ─────────────────────────────────────────────────────────────────────────

  #onDialOpen(result: DialResult, createExtensions: () => Extension[]): void {
    this.#dialer = undefined;
    this.#url = result.url;
    this.#protocol = result.protocol;
    this.#extensions = result.extensions;
    const connection = this.#attach(result.socket, result.head, createExtensions());
    this.emit('open');
    connection.startHeartbeat(this.#limits.heartbeat);
  }

  #onDialFail(err: ClientError): void {
    this.#dialer = undefined;
    this.#life.closed(() => emitError(this, err));
  }

  /** Take over a socket after the handshake: the connection is OPEN on return. */
  #attach(socket: Duplex, head: Uint8Array, extensions: readonly Extension[] | undefined): Connection {
    this.#httpVersion = httpVersionOf(socket);
    const connection = new Connection(this, this.#life, socket, head, this.#isServer, this.#limits, extensions);
    this.#connection = connection;
    this.#outgoing.attach(connection);
    return connection;
  }

  #onClose(code: number, reason: string, wasClean: boolean): void {
    // Whatever is still queued behind a Blob was not sent: tell its callbacks.
    this.#outgoing.failQueued(CLOSED);
    this.emit('close', code, Buffer.from(reason), wasClean);
  }

  /**
   * `for await (const message of ws)`: each message as a string (text) or per `binaryType`
   * (binary). Ends on a clean close, throws the error of an abnormal one; the socket is paused
   * while more than 16 messages wait for the consumer. `break` stops iterating without closing.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<string | Buffer | ArrayBuffer | Blob | Buffer[]> {
    return createMessageIterator(this);
  }
}

// WebIDL constants on the prototype too (`ws.OPEN`), as on a browser's WebSocket and in ws.
defineReadyStateConstants(WebSocket.prototype);
