/**
 * The `WebSocket` class: one object per connection, either end. It speaks three dialects at once —
 * the WHATWG API (`onmessage`, `addEventListener`, `readyState`), ws's Node API (`on('message',
 * (data, isBinary))`, `send(data, options, cb)`, `ping`, `terminate`) and promise/iterator forms
 * (`WebSocket.connect`, `sendAsync`, `for await`). All protocol work is @rfc6455/protocol's; this
 * file moves bytes between it and a Node socket, and owns the timers (RFC 6455 §7.1.1 close wait,
 * handshake timeout, heartbeat).
 */
import { EventEmitter } from 'node:events';
import type { ClientRequest as HttpRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WS_CLOSED_ABNORMALLY, WS_OK, isValidCloseCode } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import { PERMESSAGE_DEFLATE, createDeflateClientNegotiator } from '@rfc6455/deflate';
import type { DeflateClientNegotiator } from '@rfc6455/deflate';
import { PerMessageDeflate } from '@rfc6455/deflate/node';
import { buildClientRequest } from '@rfc6455/handshake';
import { Protocol, SINGLE_WRITE_MAX } from '@rfc6455/protocol';
import type { Extension, ProtocolHandler, SendOptions as ProtocolSendOptions } from '@rfc6455/protocol';
import { ClientError, ClientErrorCode, domError } from './client-error.ts';
import { Dialer } from './dial.ts';
import type { DialResult } from './dial.ts';
import { CloseEvent, ErrorEvent, MessageEvent, WebSocketEvent } from './events.ts';
import type { EventListenerLike } from './events.ts';
import { createMessageIterator } from './message-iterator.ts';
import { useNativeMaskIfAvailable } from './native-mask.ts';
import { resolveDialOptions, resolveLimits } from './options.ts';
import type { ConnectionLimits, PerMessageDeflateOptions, ResolvedLimits, WebSocketOptions } from './options.ts';

/** How binary messages are handed out: Buffer (default, as ws), ArrayBuffer, Blob, or Buffer[] (ws's 'fragments'). */
export type BinaryType = 'nodebuffer' | 'arraybuffer' | 'blob' | 'fragments';

/** What `send` accepts. */
export type SendData = string | ArrayBuffer | ArrayBufferView | Blob;

/** ws-style options of `send`. */
export interface SendOptions {
  /** Send as a binary message; default: true unless `data` is a string. */
  binary?: boolean | undefined;
  /** False to send a fragment; the next send continues the message. Default true. */
  fin?: boolean | undefined;
  /**
   * `false` sends this message uncompressed even when permessage-deflate was negotiated and the
   * message is at or above `compressionThreshold`. `true` or absent: the threshold decides.
   */
  compress?: boolean | undefined;
  /** Accepted for ws compatibility; ignored (a client always masks, a server never does: RFC 6455 §5.1). */
  mask?: boolean | undefined;
}

/** Completion callback of `send`, `ping`, `pong`, `sendFrame`: called once the data is flushed to the socket, or with the reason it was not sent. */
export type SendCallback = (err?: Error | null) => void;

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

/**
 * The ws-style events of {@link WebSocket} and their listener arguments, as `on`, `once`, `off`,
 * `addListener`, `removeListener` and `prependListener` type them.
 */
export interface WebSocketEventMap {
  open: [];
  message: [data: Buffer | ArrayBuffer | Blob | Buffer[], isBinary: boolean];
  close: [code: number, reason: Buffer, wasClean: boolean];
  error: [err: Error];
  ping: [data: Buffer];
  pong: [data: Buffer];
  drain: [];
  upgrade: [response: IncomingMessage];
  'unexpected-response': [request: HttpRequest, response: IncomingMessage];
}

/**
 * A listener of `event`: the arguments of {@link WebSocketEventMap} for a known event, anything for
 * another one. Checked bivariantly (the method-shorthand trick), so a listener may declare a
 * narrower argument than the union, e.g. `(data: Buffer, isBinary) => …` for 'message' when
 * `binaryType` is left at 'nodebuffer' — what code written for ws does.
 */
export type WebSocketListener<Event extends string | symbol> = Event extends keyof WebSocketEventMap
  ? { bivarianceHack(...args: WebSocketEventMap[Event]): void }['bivarianceHack']
  : (...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any -- events of subclasses and ws extras carry any arguments

/** A class whose instances are WebSocket (a subclass given to {@link WebSocket.fromSocket}). */
export type WebSocketClass<T extends WebSocket> = new (
  url: string | URL,
  protocols?: string | readonly string[] | WebSocketOptions,
  options?: WebSocketOptions,
) => T;

type ReadyState = 0 | 1 | 2 | 3;
const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const EMPTY = Buffer.alloc(0);
const ADOPT = Symbol('adopt');
/** Marks a listener wrapper added by addEventListener / an on* attribute. */
const kListener = Symbol('listener');
const kAttribute = Symbol('attribute');
/** First argument with which dispatchEvent calls a wrapper: the second is the event itself. */
const kDispatch = Symbol('dispatch');

type Wrapper = ((...args: unknown[]) => void) & { [kListener]: unknown; [kAttribute]: boolean };

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function byteLengthOf(data: SendData): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (data instanceof Blob) return data.size;
  return data.byteLength;
}

function isSendData(data: unknown): data is SendData {
  return typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data) || data instanceof Blob;
}

function toBytes(data: Exclude<SendData, string | Blob>): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

function notOpen(state: ReadyState): ClientError {
  const name = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'][state];
  return new ClientError(ClientErrorCode.NOT_OPEN, `WebSocket is not open: readyState ${state} (${name}); the data was not sent`, {
    closeCode: null,
  });
}

/** One queued send behind a Blob being read (message order is kept). */
interface PendingSend {
  data: SendData;
  options: SendOptions | undefined;
  cb: SendCallback | undefined;
  bytes: Uint8Array | string | undefined;
}

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
  #deflateOptions: PerMessageDeflateOptions | undefined;
  #url: string;
  #protocol = '';
  #extensions = '';
  #binaryType: BinaryType = 'nodebuffer';
  readonly #isServer: boolean;
  readonly #limits: ResolvedLimits;
  #socket: Duplex | undefined;
  #engine: Protocol | undefined;
  #dialer: Dialer | undefined;
  #handshakeTimer: NodeJS.Timeout | undefined;
  #closeTimer: NodeJS.Timeout | undefined;

  // bufferedAmount bookkeeping (WHATWG: bytes accepted by send but not yet sent).
  #afterCloseBytes = 0;
  #pending: PendingSend[] = [];
  #pendingBytes = 0;
  #needDrain = false;

  // Write holding: the last chunk of a send is written with its callback.
  #holding = false;
  #held: Uint8Array | undefined;
  // Whether an extension may encode asynchronously (then a send's callback follows the protocol's onWritten).
  #hasEncoders = false;

  #closeCode = WS_CLOSED_ABNORMALLY;
  #closeReason = '';
  #wasClean = false;
  #failure: WebSocketError | undefined;
  #closeEmitted = false;
  #paused = false;

  // Heartbeat.
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  #pingPayload: Buffer | undefined;
  #pingSentAt = 0;
  #latency: number | undefined;

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
    const dial = resolveDialOptions(opts);
    const deflate = dial.perMessageDeflate;
    // RFC 7692 §5: offer permessage-deflate; the negotiator checks the server's answer.
    const negotiator = deflate === undefined ? undefined : createDeflateClientNegotiator(deflate.offers ?? {});
    const offers = negotiator === undefined ? [] : negotiator.offers.map((params) => ({ name: PERMESSAGE_DEFLATE, params }));
    const request = buildClientRequest(url, {
      protocols: (protocols as string | readonly string[] | undefined) ?? opts.protocols,
      origin: opts.origin,
      headers: opts.headers,
      extensions: offers,
    });
    this.#url = request.url;
    this.#dialer = new Dialer(
      request,
      opts,
      dial,
      {
        onOpen: (result) => this.#onDialOpen(result, negotiator),
        onFail: (err) => this.#onDialFail(err),
        onUnexpectedResponse: (req, res) => this.listenerCount('unexpected-response') > 0 && this.emit('unexpected-response', req, res),
      },
      offers,
      negotiator === undefined ? [] : [negotiator],
    );
    this.#deflateOptions = deflate;
    this.#handshakeTimer = setTimeout(() => {
      this.#dialer?.abort(
        new ClientError(ClientErrorCode.HANDSHAKE_TIMEOUT, `Opening handshake did not complete within handshakeTimeoutMs (${dial.handshakeTimeoutMs} ms)`),
      );
    }, dial.handshakeTimeoutMs);
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
    if (type === 'nodebuffer' || type === 'arraybuffer' || type === 'blob' || type === 'fragments') this.#binaryType = type;
  }

  /**
   * Bytes accepted by `send` and not yet handed to the operating system: the socket's write
   * buffer, Blobs still being read and what was sent after the connection stopped being OPEN (the
   * WHATWG rule: it grows and never shrinks then).
   */
  get bufferedAmount(): number {
    return this.#afterCloseBytes + this.#pendingBytes + (this.#socket?.writableLength ?? 0);
  }

  /** The last heartbeat round-trip time in milliseconds (undefined before the first pong). */
  get latency(): number | undefined {
    return this.#latency;
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
    if (data instanceof Blob || this.#pending.length > 0) {
      this.#pending.push({ data, options, cb, bytes: undefined });
      this.#pendingBytes += byteLengthOf(data);
      if (this.#pending.length === 1) this.#readPending();
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
    const engine = this.#engine;
    if (!this.#hasEncoders) {
      // Nothing is ever encoded asynchronously: the frame can go straight to the socket.
      if (cb === undefined) this.#socket!.write(frame);
      else this.#socket!.write(frame, cb);
      return this.#checkHighWater();
    }
    // Behind a message still being compressed: the protocol keeps the order.
    const socket = this.#socket!;
    let inCall = true;
    const onWritten =
      cb === undefined
        ? undefined
        : (written: boolean): void => {
            if (inCall) return;
            if (written) socket.write(EMPTY, cb);
            else process.nextTick(cb, notOpen(this.#readyState === OPEN ? CLOSED : this.#readyState));
          };
    this.#hold();
    let sent = false;
    try {
      sent = engine.sendRaw(frame, onWritten === undefined ? undefined : { onWritten });
    } finally {
      inCall = false;
      this.#release(cb);
    }
    if (!sent && cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
    return sent && this.#checkHighWater();
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
    let payload: Uint8Array | string | undefined;
    if (data === undefined) payload = undefined;
    else if (typeof data === 'number') payload = String(data);
    else if (typeof data === 'string') payload = data;
    else if (data instanceof Blob) throw new TypeError('ping/pong payload must be a string, ArrayBuffer or ArrayBufferView, not a Blob');
    else if (isSendData(data)) payload = toBytes(data);
    else throw new TypeError('ping/pong payload must be a string, number, ArrayBuffer or ArrayBufferView');
    if (this.#readyState !== OPEN) {
      if (cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
      return;
    }
    const engine = this.#engine!;
    this.#hold();
    let sent = false;
    try {
      sent = isPing ? engine.sendPing(payload) : engine.sendPong(payload);
    } finally {
      this.#release(cb);
    }
    if (!sent && cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
  }

  /** Read queued Blobs in order and send them (and the sends queued behind them). */
  #readPending(): void {
    const item = this.#pending[0];
    if (item === undefined) return;
    if (!(item.data instanceof Blob)) {
      this.#pending.shift();
      this.#pendingBytes -= byteLengthOf(item.data);
      this.#write(item.data, item.options, item.cb);
      this.#readPending();
      return;
    }
    const blob = item.data;
    blob.arrayBuffer().then(
      (buffer) => {
        this.#pending.shift();
        this.#pendingBytes -= blob.size;
        if (this.#readyState === OPEN) this.#write(buffer, item.options, item.cb);
        else {
          this.#afterCloseBytes += blob.size;
          if (item.cb !== undefined) item.cb(notOpen(this.#readyState));
        }
        this.#readPending();
      },
      (err: unknown) => {
        this.#pending.shift();
        this.#pendingBytes -= blob.size;
        if (item.cb !== undefined) item.cb(err instanceof Error ? err : new Error(String(err)));
        this.#readPending();
      },
    );
  }

  #write(data: Exclude<SendData, Blob>, options: SendOptions | undefined, cb: SendCallback | undefined): void {
    const engine = this.#engine!;
    const binary = options?.binary ?? typeof data !== 'string';
    const fin = options?.fin ?? true;
    const compress = options?.compress;
    if (compress !== undefined && typeof compress !== 'boolean') throw new TypeError('send(data, options): options.compress must be a boolean');
    const socket = this.#socket!;
    // Protocol options only when needed: without them a whole string takes the protocol's fast path.
    let sendOptions: ProtocolSendOptions | undefined;
    if (!fin || compress === false) sendOptions = { fin, compress };
    let inCall = true;
    if (cb !== undefined && this.#hasEncoders) {
      // A message may wait behind an asynchronous encode: its frame is written after this call
      // returns, and the protocol says when (written inside the call, #release handles cb).
      sendOptions ??= {};
      sendOptions.onWritten = (written) => {
        if (inCall) return;
        if (written) socket.write(EMPTY, cb);
        else process.nextTick(cb, notOpen(this.#readyState === OPEN ? CLOSED : this.#readyState));
      };
    }
    // Only a server's large unmasked frame is written as header + payload (the protocol's
    // SINGLE_WRITE_MAX): cork then, so both leave in one writev. Everything else is one buffer.
    const cork = this.#isServer && (typeof data === 'string' ? data.length * 3 : data.byteLength) > SINGLE_WRITE_MAX;
    if (cork) socket.cork();
    this.#hold();
    let sent = false;
    try {
      if (binary) sent = engine.sendBinary(typeof data === 'string' ? Buffer.from(data) : toBytes(data), sendOptions);
      else sent = engine.sendText(typeof data === 'string' ? data : toBytes(data), sendOptions);
    } finally {
      inCall = false;
      this.#release(cb);
      if (cork) socket.uncork();
    }
    if (!sent) {
      this.#afterCloseBytes += byteLengthOf(data);
      if (cb !== undefined) process.nextTick(cb, notOpen(this.#readyState));
    }
  }

  #hold(): void {
    this.#holding = true;
    this.#held = undefined;
  }

  /**
   * Write the held last chunk of a send with `cb`. When an accepted data send wrote nothing (its
   * message waits behind an asynchronous encode), the protocol's onWritten hook takes `cb` later.
   */
  #release(cb: SendCallback | undefined): void {
    this.#holding = false;
    const held = this.#held;
    this.#held = undefined;
    if (held === undefined) return;
    if (cb === undefined) this.#socket!.write(held);
    else this.#socket!.write(held, cb);
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
  close(code?: number, reason?: string | Buffer): void {
    if (code !== undefined) {
      const allowed = this.#isServer
        ? isValidCloseCode(code)
        : code === WS_OK || (Number.isInteger(code) && code >= 3000 && code <= 4999);
      if (typeof code !== 'number' || !allowed) {
        throw domError(
          'InvalidAccessError',
          this.#isServer
            ? `close(code): ${String(code)} may not be sent; use 1000–1003, 1007–1014 or 3000–4999`
            : `close(code): ${String(code)} is neither 1000 nor in 3000–4999`,
        );
      }
    }
    let reasonText: string | undefined;
    if (reason !== undefined) {
      reasonText = typeof reason === 'string' ? reason : Buffer.isBuffer(reason) ? reason.toString('utf8') : String(reason);
      // RFC 6455 §5.5: the close payload is ≤ 125 bytes, 2 of them the code.
      if (Buffer.byteLength(reasonText) > 123) throw domError('SyntaxError', 'close(code, reason): reason is longer than 123 UTF-8 bytes');
    }
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
    this.#dialer?.abort(new ClientError(ClientErrorCode.ABORTED, 'WebSocket was closed before the connection was established'));
  }

  // ── Connection life ─────────────────────────────────────────────────────────────────────────

  #onDialOpen(result: DialResult, negotiator: DeflateClientNegotiator | undefined): void {
    clearTimeout(this.#handshakeTimer);
    this.#dialer = undefined;
    this.#url = result.url;
    this.#protocol = result.protocol;
    this.#extensions = result.extensions;
    this.emit('upgrade', result.response);
    const extensions: Extension[] = [];
    const settings = this.#deflateOptions;
    // The negotiator has a config only when the server accepted permessage-deflate.
    if (negotiator?.config !== undefined && settings !== undefined) {
      extensions.push(
        new PerMessageDeflate({
          role: 'client',
          config: negotiator.config,
          compressionThreshold: settings.compressionThreshold,
          level: settings.level,
          memLevel: settings.memLevel,
        }),
      );
    }
    this.#attach(result.socket, result.head, extensions);
    this.#emitEvent('open');
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
    const handler: ProtocolHandler = {
      onWrite: (data) => {
        if (this.#holding) {
          if (this.#held !== undefined) socket.write(this.#held);
          this.#held = data;
        } else {
          socket.write(data);
        }
      },
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
    this.#hasEncoders = extensions !== undefined && extensions.some((extension) => typeof extension.encode === 'function');
    this.#readyState = OPEN;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onSocketClose);
    socket.on('error', this.#onSocketError);
    socket.on('drain', this.#onDrain);
    if (head.length > 0) this.#onData(head);
    // A socket that closed before it was handed over will never emit 'close' again.
    if (socket.destroyed) process.nextTick(this.#onSocketClose);
    else if (this.#isServer) this.#startHeartbeat();
  }

  #onData = (chunk: Uint8Array): void => {
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
    this.#stopHeartbeat();
    this.#emitClose();
  };

  #onClosing(): void {
    if (this.#readyState === OPEN) this.#readyState = CLOSING;
    this.#stopHeartbeat();
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
    this.#stopHeartbeat();
    const socket = this.#socket!;
    if (socket.destroyed) return;
    // RFC 6455 §7.1.1: the server closes TCP first; a client waits for it (bounded by the close
    // timer), except after a failure, when it closes too.
    if (this.#isServer || !wasClean || socket.readableEnded) socket.end();
    if (this.#closeTimer === undefined) {
      this.#closeTimer = setTimeout(() => socket.destroy(), this.#limits.closeTimeoutMs);
    }
  }

  // ── Heartbeat ───────────────────────────────────────────────────────────────────────────────

  #startHeartbeat(): void {
    const heartbeat = this.#limits.heartbeat;
    if (heartbeat === undefined || this.#readyState !== OPEN) return;
    this.#heartbeatTimer = setInterval(() => this.#beat(heartbeat.timeoutMs), heartbeat.intervalMs);
  }

  #beat(timeoutMs: number): void {
    if (this.#pingPayload !== undefined || this.#readyState !== OPEN) return;
    const payload = Buffer.allocUnsafe(8);
    payload.writeDoubleBE(Math.random());
    this.#pingPayload = payload;
    this.#pingSentAt = performance.now();
    this.#engine!.sendPing(payload);
    this.#pongTimer = setTimeout(() => {
      const err = new ClientError(
        ClientErrorCode.HEARTBEAT_TIMEOUT,
        `No pong within heartbeat.timeoutMs (${timeoutMs} ms) of a ping; the connection was terminated`,
      );
      this.#failure = err;
      this.#emitError(err);
      this.terminate();
    }, timeoutMs);
  }

  #onPong(payload: Uint8Array): void {
    const expected = this.#pingPayload;
    if (expected !== undefined && expected.equals(payload)) {
      this.#latency = performance.now() - this.#pingSentAt;
      this.#pingPayload = undefined;
      clearTimeout(this.#pongTimer);
    }
    this.emit('pong', toBuffer(payload));
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#pongTimer);
    this.#heartbeatTimer = undefined;
    this.#pingPayload = undefined;
  }

  // ── Events ──────────────────────────────────────────────────────────────────────────────────

  #onMessage(data: Uint8Array, isBinary: boolean): void {
    if (this.listenerCount('message') === 0) return;
    this.emit('message', this.#toMessageData(data, isBinary), isBinary);
  }

  /** A message in the ws-style form for the current binaryType (text stays bytes: decode when wanted). */
  #toMessageData(data: Uint8Array, isBinary: boolean): Buffer | ArrayBuffer | Blob | Buffer[] {
    switch (this.#binaryType) {
      case 'arraybuffer':
        return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
          ? (data.buffer as ArrayBuffer)
          : (data.slice().buffer as ArrayBuffer);
      case 'blob':
        return isBinary ? new Blob([data as Uint8Array<ArrayBuffer>]) : toBuffer(data);
      case 'fragments':
        return [toBuffer(data)];
      default:
        return toBuffer(data);
    }
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
    for (const item of this.#pending.splice(0)) {
      this.#afterCloseBytes += byteLengthOf(item.data);
      if (item.cb !== undefined) process.nextTick(item.cb, notOpen(CLOSED));
    }
    this.#pendingBytes = 0;
    this.emit('close', this.#closeCode, Buffer.from(this.#closeReason), this.#wasClean);
  }

  #emitEvent(type: 'open'): void {
    this.emit(type);
  }

  /** The value a WHATWG listener or the async iterator sees: a string for text, else per binaryType. */
  #whatwgData(data: unknown, isBinary: boolean): unknown {
    if (isBinary) return data;
    if (Buffer.isBuffer(data)) return data.toString('utf8');
    if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
    if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8');
    return data;
  }

  #makeEvent(type: string, args: unknown[]): WebSocketEvent {
    let event: WebSocketEvent;
    switch (type) {
      case 'message':
        event = new MessageEvent('message', { data: this.#whatwgData(args[0], args[1] as boolean) });
        break;
      case 'close':
        event = new CloseEvent('close', {
          code: args[0] as number,
          reason: (args[1] as Buffer).toString('utf8'),
          wasClean: args[2] as boolean,
        });
        break;
      case 'error': {
        const error = args[0];
        event = new ErrorEvent('error', { error, message: error instanceof Error ? error.message : String(error) });
        break;
      }
      default:
        event = new WebSocketEvent(type);
    }
    event.target = this;
    return event;
  }

  #wrap(type: string, listener: EventListenerLike<never>, attribute: boolean, once: boolean): Wrapper {
    const wrapper = ((...args: unknown[]) => {
      if (once) this.off(type, wrapper);
      const event = args[0] === kDispatch ? (args[1] as WebSocketEvent) : this.#makeEvent(type, args);
      if (typeof listener === 'function') (listener as (event: WebSocketEvent) => void).call(this, event);
      else (listener as { handleEvent(event: WebSocketEvent): void }).handleEvent(event);
    }) as Wrapper;
    wrapper[kListener] = listener;
    wrapper[kAttribute] = attribute;
    return wrapper;
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
    if (listener === null || listener === undefined) return;
    if (typeof listener !== 'function' && (typeof listener !== 'object' || typeof listener.handleEvent !== 'function')) {
      throw new TypeError('addEventListener(type, listener): listener must be a function or an object with handleEvent');
    }
    for (const existing of this.listeners(type) as Wrapper[]) {
      if (existing[kListener] === listener && !existing[kAttribute]) return;
    }
    const once = typeof options === 'object' && options !== null && options.once === true;
    this.on(type, this.#wrap(type, listener, false, once));
  }

  /** Remove a listener added with `addEventListener`. */
  removeEventListener(type: string, listener: EventListenerLike<never> | null): void {
    for (const existing of this.listeners(type) as Wrapper[]) {
      if (existing[kListener] === listener && !existing[kAttribute]) {
        this.off(type, existing);
        return;
      }
    }
  }

  /** Call the WHATWG-style listeners (addEventListener and on*) of `event.type` with `event`. Returns true. */
  dispatchEvent(event: { readonly type: string }): boolean {
    if (event === null || typeof event !== 'object' || typeof event.type !== 'string') {
      throw new TypeError('dispatchEvent(event): event must be an object with a string type');
    }
    if (event instanceof WebSocketEvent && event.target === null) event.target = this;
    for (const existing of this.rawListeners(event.type) as Wrapper[]) {
      if (existing[kListener] !== undefined) existing(kDispatch, event);
    }
    return true;
  }

  #getAttribute(type: string): unknown {
    for (const existing of this.listeners(type) as Wrapper[]) if (existing[kAttribute]) return existing[kListener];
    return null;
  }

  #setAttribute(type: string, listener: unknown): void {
    for (const existing of this.listeners(type) as Wrapper[]) {
      if (existing[kAttribute]) this.off(type, existing);
    }
    if (typeof listener === 'function') this.on(type, this.#wrap(type, listener as EventListenerLike<never>, true, false));
  }

  /** WHATWG `onopen` attribute. */
  get onopen(): ((event: WebSocketEvent) => void) | null {
    return this.#getAttribute('open') as ((event: WebSocketEvent) => void) | null;
  }

  set onopen(listener: ((event: WebSocketEvent) => void) | null) {
    this.#setAttribute('open', listener);
  }

  /** WHATWG `onmessage` attribute. */
  get onmessage(): ((event: MessageEvent) => void) | null {
    return this.#getAttribute('message') as ((event: MessageEvent) => void) | null;
  }

  set onmessage(listener: ((event: MessageEvent) => void) | null) {
    this.#setAttribute('message', listener);
  }

  /** WHATWG `onerror` attribute. */
  get onerror(): ((event: ErrorEvent) => void) | null {
    return this.#getAttribute('error') as ((event: ErrorEvent) => void) | null;
  }

  set onerror(listener: ((event: ErrorEvent) => void) | null) {
    this.#setAttribute('error', listener);
  }

  /** WHATWG `onclose` attribute. */
  get onclose(): ((event: CloseEvent) => void) | null {
    return this.#getAttribute('close') as ((event: CloseEvent) => void) | null;
  }

  set onclose(listener: ((event: CloseEvent) => void) | null) {
    this.#setAttribute('close', listener);
  }

  /**
   * `for await (const message of ws)`: each message as a string (text) or per `binaryType`
   * (binary). Ends on a clean close, throws the error of an abnormal one; the socket is paused
   * while more than 16 messages wait for the consumer. `break` stops iterating without closing.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<string | Buffer | ArrayBuffer | Blob | Buffer[]> {
    return createMessageIterator(
      this,
      (data, isBinary) => this.#whatwgData(data, isBinary) as string | Buffer | ArrayBuffer | Blob | Buffer[],
      (code, reason) =>
        new ClientError(ClientErrorCode.CLOSED_ABNORMALLY, `The connection closed without a closing handshake (code ${code}${reason ? `, ${reason}` : ''})`, {
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
