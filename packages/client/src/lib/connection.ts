/**
 * Connection I/O: the pump between a Node socket and @rfc6455/protocol once the opening handshake
 * is done. The protocol does no I/O; this loop feeds it the socket's bytes and end, turns its
 * events into the owner's ws-style events and hands its frames to the SocketWriter — the shape of
 * Python websockets' asyncio layer around its sans-I/O core. The heartbeat lives exactly as long
 * as this pump, so it is started here too.
 */
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CLOSED, OPEN } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import { Protocol } from '@rfc6455/protocol';
import type { Extension, ProtocolHandler } from '@rfc6455/protocol';
import { emitError } from './event-surface.ts';
import { destroyTransport, isHttp2Stream, isOwnAbort, streamResetError } from './h2-stream.ts';
import { Heartbeat } from './heartbeat.ts';
import type { Lifecycle } from './lifecycle.ts';
import { toBuffer, toMessageData } from './message-conversion.ts';
import type { BinaryType } from './message-conversion.ts';
import { useNativeMaskIfAvailable } from './native-mask.ts';
import type { ResolvedLimits } from './options.ts';
import { SocketWriter } from './socket-writer.ts';

/** The object the connection's events are emitted on (the WebSocket): how it wants binary messages, and its `terminate()`. */
export interface ConnectionOwner extends EventEmitter {
  readonly binaryType: BinaryType;
  terminate(): void;
}

/** Where a socket keeps its Connection, for the socket listeners every connection shares (as ws's kWebSocket). */
const kConnection = Symbol('rfc6455.connection');

/** A socket carrying its Connection. */
type ConnectedSocket = Duplex & { [kConnection]?: Connection };

/** The socket listeners of every connection, called with the socket as `this`; set by the static block of {@link Connection}. */
let socketListeners: {
  data(this: ConnectedSocket, chunk: Uint8Array): void;
  end(this: ConnectedSocket): void;
  close(this: ConnectedSocket): void;
  error(this: ConnectedSocket, err: Error): void;
};
/** setImmediate / process.nextTick targets, with the connection as argument (no closure per connection). */
let flushHeadOf: (connection: Connection) => void;
let socketClosedOf: (connection: Connection) => void;
let nextTurnOf: (connection: Connection) => void;

/**
 * A socket after the handshake, joined to a Protocol. It is the protocol's handler itself (its
 * `on*` methods), and its socket listeners are shared by every connection (the socket carries the
 * connection), so a connection costs its objects and no closure per callback.
 */
export class Connection implements ProtocolHandler {
  static {
    socketListeners = {
      data(chunk) {
        this[kConnection]!.#onData(chunk);
      },
      end() {
        this[kConnection]!.#onEnd();
      },
      close() {
        this[kConnection]!.#onSocketClose();
      },
      error(err) {
        this[kConnection]!.#onSocketError(err);
      },
    };
    flushHeadOf = (connection) => connection.#flushHead();
    socketClosedOf = (connection) => connection.#onSocketClose();
    nextTurnOf = (connection) => connection.#nextTurn();
  }

  /** The socket, in upgraded (WebSocket) use. */
  readonly socket: Duplex;
  /** The protocol state machine of this connection. */
  readonly protocol: Protocol;
  /** Where sends go: protocol calls and socket writes with the callbacks on the last chunk. */
  readonly writer: SocketWriter;
  readonly #owner: ConnectionOwner;
  readonly #life: Lifecycle;
  #heartbeat: Heartbeat | undefined;
  #pendingHead: Uint8Array | undefined;
  #socketClosed = false;
  // allowSynchronousEvents: false (ws): one message, ping or pong per turn of the event loop; the
  // events after it wait here, and the error and close reports wait behind them.
  readonly #sync: boolean;
  #waiting: Array<() => void> | undefined;
  #emittedThisTurn = false;
  // HTTP/2 (RFC 8441 §6): the peer reset the stream (RST_STREAM), which is reported once.
  #streamAborted = false;
  #resetReported = false;

  /**
   * Take over `socket` (`head`: the bytes read past the handshake) for `owner`, running
   * `extensions` in negotiated order, and make the connection OPEN.
   */
  constructor(
    owner: ConnectionOwner,
    life: Lifecycle,
    socket: Duplex,
    head: Uint8Array,
    isServer: boolean,
    limits: ResolvedLimits,
    extensions: readonly Extension[] | undefined,
  ) {
    this.#owner = owner;
    this.#life = life;
    this.socket = socket;
    this.#sync = limits.allowSynchronousEvents;
    const net = socket as Partial<Socket>;
    net.setTimeout?.(0);
    net.setNoDelay?.(true);
    const writer = new SocketWriter(socket, isServer, life);
    this.writer = writer;
    useNativeMaskIfAvailable();
    this.protocol = new Protocol({
      role: isServer ? 'server' : 'client',
      handler: this,
      maxPayloadLength: limits.maxPayloadLength,
      maxMessageLength: limits.maxMessageLength,
      maxFragments: limits.maxFragments,
      autoPong: limits.autoPong,
      skipUtf8Validation: limits.skipUtf8Validation,
      extensions: extensions ?? [],
      ...(limits.maxBufferedChunks === undefined ? {} : { maxBufferedChunks: limits.maxBufferedChunks }),
      ...(limits.randomMaskKey === undefined ? {} : { randomMaskKey: limits.randomMaskKey }),
    });
    writer.start(this.protocol, extensions !== undefined && extensions.some((extension) => typeof extension.encode === 'function'));
    life.open();
    (socket as ConnectedSocket)[kConnection] = this;
    socket.on('data', socketListeners.data);
    socket.on('end', socketListeners.end);
    socket.on('close', socketListeners.close);
    socket.on('error', socketListeners.error);
    if (isHttp2Stream(socket)) socket.once('aborted', () => this.#onStreamAborted());
    // Bytes that came with the handshake response are processed on the next turn of the event
    // loop, not now: the caller has not yet had 'open', the 'connection' event or connect()'s
    // promise, so a message in them would reach no listener. Later socket data waits behind them.
    if (head.length > 0) {
      this.#pendingHead = head;
      setImmediate(flushHeadOf, this);
    }
    // A socket that closed before it was handed over will never emit 'close' again.
    if (socket.destroyed) process.nextTick(socketClosedOf, this);
    // A server-role socket is open on return; a client's heartbeat starts after its 'open' event.
    else if (isServer) this.startHeartbeat(limits.heartbeat);
  }

  /** The last heartbeat round-trip time in milliseconds (undefined before the first pong). */
  get latency(): number | undefined {
    return this.#heartbeat?.latency;
  }

  /** Ping on `heartbeat`'s interval while OPEN; a missing pong fails the connection and terminates it. */
  startHeartbeat(heartbeat: ResolvedLimits['heartbeat']): void {
    if (heartbeat === undefined || this.#life.readyState !== OPEN) return;
    this.#heartbeat = new Heartbeat(
      heartbeat.intervalMs,
      heartbeat.timeoutMs,
      (payload) => {
        if (this.#life.readyState !== OPEN) return false;
        this.protocol.sendPing(payload);
        return true;
      },
      (err) => {
        this.#life.fail(err);
        emitError(this.#owner, err);
        // Through the owner's public method, so a subclass that overrides terminate() sees it (as before the split).
        this.#owner.terminate();
      },
    );
  }

  /** Begin the closing handshake with our close frame (RFC 6455 §7.1.2); nothing when it has begun. */
  sendClose(code: number | undefined, reason: string | undefined): void {
    if (this.protocol.sendClose(code, reason)) this.#life.began();
  }

  /** Destroy the socket at once, without a closing handshake (`close` 1006 follows). */
  terminate(): void {
    if (this.#life.readyState === CLOSED) return;
    this.#life.stop();
    destroyTransport(this.socket);
  }

  /** ProtocolHandler: the protocol's bytes, written through {@link writer}. */
  onWrite(data: Uint8Array): void {
    this.writer.onWrite(data);
  }

  /** ProtocolHandler: a whole message, emitted as ws does (`binaryType` decides the form). */
  onMessage(data: Uint8Array, isBinary: boolean): void {
    if (!this.#sync) {
      this.#turn(() => this.#emitMessage(data, isBinary), true);
      return;
    }
    this.#emitMessage(data, isBinary);
  }

  #emitMessage(data: Uint8Array, isBinary: boolean): void {
    const owner = this.#owner;
    if (owner.listenerCount('message') === 0) return;
    owner.emit('message', toMessageData(data, isBinary, owner.binaryType), isBinary);
  }

  /** ProtocolHandler: a ping (already answered when `autoPong` is on). */
  onPing(payload: Uint8Array): void {
    if (this.#sync) this.#owner.emit('ping', toBuffer(payload));
    else this.#turn(() => this.#owner.emit('ping', toBuffer(payload)), true);
  }

  /** ProtocolHandler: a pong, which may answer the heartbeat's ping. */
  onPong(payload: Uint8Array): void {
    this.#heartbeat?.onPong(payload);
    if (this.#sync) this.#owner.emit('pong', toBuffer(payload));
    else this.#turn(() => this.#owner.emit('pong', toBuffer(payload)), true);
  }

  /**
   * allowSynchronousEvents: false — run `fn` now when nothing waits and no event was emitted in
   * this turn, else after the events before it, one turn each. `event`: `fn` emits a message,
   * ping or pong (which takes a turn); reports (error, close) only keep their place in line.
   */
  #turn(fn: () => void, event: boolean): void {
    if (this.#waiting === undefined && !(event && this.#emittedThisTurn)) {
      if (event) this.#emitTakingTurn(fn);
      else fn();
      return;
    }
    (this.#waiting ??= []).push(event ? () => this.#emitTakingTurn(fn) : fn);
    if (!this.#emittedThisTurn) {
      this.#emittedThisTurn = true;
      setImmediate(nextTurnOf, this);
    }
  }

  /** Emit an event that takes this turn; the next waits for a setImmediate queued after the listeners' own (as ws). */
  #emitTakingTurn(fn: () => void): void {
    this.#emittedThisTurn = true;
    try {
      fn();
    } finally {
      setImmediate(nextTurnOf, this);
    }
  }

  #nextTurn(): void {
    this.#emittedThisTurn = false;
    const waiting = this.#waiting;
    // Reports run at once; the first event runs and ends this turn (it schedules the next).
    while (waiting !== undefined && waiting.length > 0 && !this.#emittedThisTurn) (waiting.shift() as () => void)();
    if (waiting !== undefined && waiting.length === 0 && this.#waiting === waiting) this.#waiting = undefined;
  }

  /** Run a report (error, close) in order with the events waiting for their turn, or now when none waits. */
  #inOrder(fn: () => void): void {
    if (this.#sync || this.#waiting === undefined) fn();
    else this.#turn(fn, false);
  }

  /** ProtocolHandler: the closing handshake began. */
  onClosing(): void {
    this.#heartbeat?.stop();
    this.#life.closing(this.socket);
  }

  /** ProtocolHandler: the protocol is done; the lifecycle ends TCP. */
  onClose(code: number, reason: string, wasClean: boolean): void {
    this.#heartbeat?.stop();
    this.#life.protocolClosed(this.socket, code, reason, wasClean, this.protocol.closeReceived !== undefined);
    if (this.#socketClosed) this.#inOrder(() => this.#life.closed(undefined, this.socket.readableEnded));
  }

  /** ProtocolHandler: the peer broke the protocol (or an extension failed); our close frame follows. */
  onError(err: WebSocketError): void {
    this.#life.fail(err);
    this.#inOrder(() => emitError(this.#owner, err));
  }

  #flushHead(): void {
    const head = this.#pendingHead;
    if (head === undefined) return;
    this.#pendingHead = undefined;
    this.#onData(head);
  }

  #onData(chunk: Uint8Array): void {
    if (this.#pendingHead !== undefined) this.#flushHead();
    const protocol = this.protocol;
    try {
      protocol.receiveData(chunk);
    } catch (err) {
      // A listener threw: the parser has stopped, so the connection cannot go on (1011). The
      // exception is the application's and goes on up, as with any EventEmitter listener.
      protocol.fail(1011);
      throw err;
    }
    // The peer's close frame was in this chunk, behind messages still being decoded: the protocol
    // reports onClosing after them (message order), but from now on it refuses every send, so the
    // ready state says CLOSING at once — otherwise a send or a broadcast in between would see OPEN
    // and be refused by the protocol while its caller counts it as sent.
    if (this.#life.readyState === OPEN && protocol.state === 'CLOSING') this.onClosing();
  }

  #onEnd(): void {
    this.protocol.receiveEof();
    // The peer will not send more; finish our half too (a no-op when the socket already did).
    this.socket.end();
  }

  #onSocketError(err: Error): void {
    // Our own terminate() or close timer reset the HTTP/2 stream: nothing to report.
    if (isOwnAbort(this.socket, err)) return;
    // Errors after the closing handshake (e.g. ECONNRESET while waiting for FIN) change nothing.
    if (this.protocol.state !== 'CLOSED' && this.#life.failure === undefined) {
      const socket = this.socket;
      // An HTTP/2 stream reset with an error code arrives as ERR_HTTP2_STREAM_ERROR: say what it is.
      if (isHttp2Stream(socket) && (err as { code?: unknown }).code === 'ERR_HTTP2_STREAM_ERROR') this.#reportReset(err);
      else emitError(this.#owner, err);
    }
    this.socket.destroy();
  }

  // Node emits 'aborted' when RST_STREAM arrives while our side is still open, before 'end'.
  #onStreamAborted(): void {
    this.#streamAborted = true;
    if (this.protocol.state !== 'CLOSED' && this.#life.failure === undefined) this.#reportReset();
  }

  /** The stream was reset before the closing handshake completed: WS_ERR_STREAM_RESET, close 1006. */
  #reportReset(cause?: unknown): void {
    if (this.#resetReported || !isHttp2Stream(this.socket)) return;
    this.#resetReported = true;
    const err = streamResetError(this.socket, cause);
    this.#life.fail(err);
    this.#inOrder(() => emitError(this.#owner, err));
  }

  #onSocketClose(): void {
    const socket = this.socket;
    // RFC 8441 §6: RST_STREAM is the TCP reset of RFC 6455 — an abnormal closure (1006).
    if (
      isHttp2Stream(socket) &&
      this.protocol.state !== 'CLOSED' &&
      this.#life.failure === undefined &&
      (this.#streamAborted || (socket.rstCode !== undefined && socket.rstCode !== 0))
    ) {
      this.#reportReset();
    }
    this.protocol.receiveEof();
    this.#heartbeat?.stop();
    this.#socketClosed = true;
    // Messages still being decoded are delivered first: onClose ends the connection once they are
    // (a message event never follows the close event).
    if (this.protocol.state === 'CLOSED') this.#inOrder(() => this.#life.closed(undefined, this.socket.readableEnded));
  }
}
