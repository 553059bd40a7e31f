/**
 * `WebSocketServer`: accepts WebSocket handshakes standalone, attached to an HTTP(S) server, or
 * from a framework's 'upgrade' handler, and keeps the connections it accepted (heartbeat,
 * broadcast, topics, slow-consumer policy, graceful shutdown). A facade: each concept lives in a
 * file of its own — the HTTP side (http-listener.ts), the handshake (upgrade.ts), the open
 * connections (connection-registry.ts), broadcast delivery (broadcast.ts), the adapter seam to
 * other nodes (adapter-link.ts) and shutdown (shutdown.ts) — and this class wires them to the
 * public API and its events.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketError } from '@rfc6455/codes';
import type { HandshakeError } from '@rfc6455/handshake';
import { createDeflateServerNegotiator } from '@rfc6455/deflate';
import { AdapterLink } from './adapter-link.ts';
import { Broadcaster } from './broadcast.ts';
import type { BroadcastData, BroadcastOptions } from './broadcast.ts';
import type { ServerWebSocket } from './connection.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import { Http2Listener, isHttp2Server } from './h2-listener.ts';
import { StreamUpgrader, isExtendedConnect } from './h2-upgrade.ts';
import type { StreamCallback } from './h2-upgrade.ts';
import { HttpListener } from './http-listener.ts';
import { resolveOptions } from './options.ts';
import type { ResolvedOptions, WebSocketServerOptions } from './options.ts';
import { ServerError } from './server-error.ts';
import type { ClientErrorReport } from './server-error.ts';
import { closeConnections, resolveCloseOptions } from './shutdown.ts';
import type { CloseOptions, ShutdownSettings } from './shutdown.ts';
import { Upgrader, pathnameOf } from './upgrade.ts';
import type { UpgradeCallback, UpgradeExtensions } from './upgrade.ts';

/** The events of a {@link WebSocketServer} and their arguments. */
export interface WebSocketServerEvents<Context, Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>> {
  /**
   * A handshake completed: the OPEN connection, the request (over HTTP/2 an `IncomingMessage` made
   * from the stream's headers, `httpVersion` '2.0'), and what `authenticate` returned.
   */
  connection: [ws: Socket, request: IncomingMessage, context: Context];
  /** The server of our own (standalone) or the attached one is listening. */
  listening: [];
  /** An error of the underlying HTTP server, such as `EADDRINUSE`. */
  error: [error: Error];
  /**
   * After `close()` or `shutdown()`: nothing is listening and every connection has closed (with
   * `clientTracking: false` and no server of our own, as ws: without waiting for the connections).
   */
  close: [];
  /**
   * The lines of the 101 response (status line first, no blank line), before they are written:
   * listeners may change the array, e.g. push a `Set-Cookie: …` line. As ws's 'headers'.
   */
  headers: [headers: string[], request: IncomingMessage];
  /**
   * As ws: a malformed upgrade request (bad method, Upgrade, key, version, subprotocol or
   * extensions header; its code and status are those of the handshake's `HandshakeError`). With a
   * listener, the server writes nothing: the listener answers on `socket` and closes it. Without
   * one, the server answers with the 4xx.
   */
  wsClientError: [error: HandshakeError, socket: Duplex, request: IncomingMessage];
  /**
   * Every handshake that failed or was refused and that the server answered (or cut off): the
   * refusals, timeouts and socket errors, for logging. Not for a request a 'wsClientError'
   * listener took over.
   */
  handshakeError: [error: ServerError, socket: Duplex, request: IncomingMessage | undefined];
  /** A broadcast or publish skipped `ws` under `backpressure: 'drop'`. */
  drop: [ws: Socket, byteLength: number];
  /** `ws` passed `maxBufferedAmount` under `backpressure: 'close'` and is being closed with 1013. */
  slowConsumer: [ws: Socket, bufferedAmount: number];
  /** `ws` did not answer a heartbeat ping in time and was terminated (its close event says 1006). */
  heartbeatTimeout: [ws: Socket];
  /**
   * A `publish` (its topic) or `broadcast` (topic undefined) reached this node's connections but
   * the adapter could not forward it to the other nodes (code `WS_ERR_FORWARD_FAILED`, the
   * adapter's reason as `cause`). Not emitted for `publishAsync`/`broadcastAsync`, which reject.
   */
  forwardError: [error: WebSocketError, topic: string | undefined];
}

/**
 * A WebSocket server (RFC 6455 §4.2). Three ways to run it:
 * - `new WebSocketServer({ port, host })`: listens with an HTTP server of its own, which answers
 *   plain HTTP requests with 426 Upgrade Required;
 * - `new WebSocketServer({ server })`: attached to your `http`/`https` server, whose routes keep
 *   working; upgrade requests whose path matches `path` are ours;
 * - `new WebSocketServer({ noServer: true })`: call {@link handleUpgrade} from your own 'upgrade'
 *   handler (Express, Fastify, Koa, Hono's Node server).
 *
 * `Context` is the type `authenticate` resolves to; each connection's context arrives as the third
 * argument of 'connection' and through {@link contextOf}.
 */
export class WebSocketServer<
  Context = undefined,
  Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>,
> extends EventEmitter<WebSocketServerEvents<Context, Socket>> {
  /**
   * The connections accepted and still open. As in ws, only with `clientTracking` (the default):
   * with `clientTracking: false` the property is absent (`undefined`); `connectionCount` counts
   * either way.
   */
  declare readonly clients: Set<Socket>;
  /** The options after defaults. */
  readonly options: ResolvedOptions<Context, Socket>;

  readonly #registry: ConnectionRegistry<Context, Socket>;
  readonly #upgrader: Upgrader<Context, Socket>;
  readonly #streamUpgrader: StreamUpgrader<Context, Socket>;
  readonly #h2Listener: Http2Listener | undefined;
  readonly #broadcaster: Broadcaster<Context, Socket>;
  readonly #link: AdapterLink<Context, Socket>;
  readonly #listener: HttpListener | undefined;
  #state: 'running' | 'closing' | 'closed' = 'running';
  #closed: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;

  /**
   * `callback`, as in ws, is a listener for 'listening' (standalone, and attached: when the
   * attached server listens).
   *
   * @throws {TypeError} without exactly one of `port`, `server`, `noServer`, for an unknown option
   *   or one of the wrong type, or a `callback` with `noServer` (it would never be called).
   * @throws {RangeError} for a limit that is not a positive number.
   */
  constructor(options: WebSocketServerOptions<Context, Socket>, callback?: () => void) {
    super();
    this.options = resolveOptions(options);
    if (callback !== undefined) {
      if (typeof callback !== 'function') throw new TypeError('new WebSocketServer(options, callback): callback must be a function.');
      if (this.options.mode === 'noServer') {
        throw new TypeError("new WebSocketServer(options, callback): a noServer server never emits 'listening', so callback would never be called.");
      }
      this.once('listening', callback);
    }
    const resolved = this.options;
    this.#registry = new ConnectionRegistry<Context, Socket>({
      clientTracking: resolved.clientTracking,
      heartbeat: resolved.heartbeat,
      onHeartbeatTimeout: (ws) => this.emit('heartbeatTimeout', ws),
      topicHooks: { opened: (topic) => this.#link.opened(topic), closed: (topic) => this.#link.closed(topic) },
    });
    // ws adds `clients` only with clientTracking; a program may test for it.
    if (resolved.clientTracking) Object.defineProperty(this, 'clients', { value: this.#registry.clients, enumerable: true });
    this.#upgrader = new Upgrader(resolved, this.#registry, {
      closing: () => this.#state !== 'running',
      shouldHandle: (request) => this.shouldHandle(request),
      onClientError: this.#emitClientError,
      takeClientError: (error, socket, request) => this.emit('wsClientError', error as HandshakeError, socket, request),
      onHeaders: (lines, request) => this.emit('headers', lines, request),
      completeUpgrade: (...args) => this.completeUpgrade(...args),
    });
    this.#streamUpgrader = new StreamUpgrader(
      resolved,
      this.#registry,
      {
        closing: () => this.#state !== 'running',
        shouldHandle: (request) => this.shouldHandle(request),
        otherPending: () => this.#upgrader.pendingCount,
        onClientError: this.#emitClientError,
        extensionHandlers: (config) => this.#upgrader.extensionHandlers(config),
      },
      resolved.perMessageDeflate === undefined ? undefined : createDeflateServerNegotiator(resolved.perMessageDeflate),
    );
    this.#broadcaster = new Broadcaster<Context, Socket>(
      {
        backpressure: resolved.backpressure,
        maxBufferedAmount: resolved.maxBufferedAmount,
        compressionThreshold: resolved.compressionThreshold,
        level: resolved.perMessageDeflate?.level ?? -1,
        memLevel: resolved.perMessageDeflate?.memLevel ?? 8,
        onDrop: (ws, byteLength) => this.emit('drop', ws, byteLength),
        onSlowConsumer: (ws, bufferedAmount) => this.emit('slowConsumer', ws, bufferedAmount),
      },
      this.#registry,
    );
    const broadcaster = this.#broadcaster;
    const registry = this.#registry;
    this.#link = new AdapterLink(
      resolved.adapter,
      broadcaster,
      {
        deliver: ({ topic, data, binary }) => (topic === undefined ? broadcaster.broadcast(data, { binary }) : broadcaster.publish(topic, data, { binary })),
        topics: () => registry.topics(),
        hasSubscribers: (topic) => registry.subscriberCount(topic) > 0,
      },
      (error, topic) => this.emit('forwardError', error, topic),
    );
    if (resolved.mode !== 'noServer') {
      this.#listener = new HttpListener(
        {
          ...resolved,
          shouldHandle: (request) => this.shouldHandle(request),
          // Through the public method, as ws does, so that an override takes part.
          onUpgrade: (request, socket, head) => this.handleUpgrade(request, socket, head, this.#emitConnection),
          onListening: () => this.emit('listening'),
          onError: (err) => this.emit('error', err),
          onClientError: this.#emitClientError,
        },
        // An http2 server with allowHTTP1 emits HTTP/1.1 'upgrade' events like an http server.
        resolved.server as HttpServer | undefined,
      );
    }
    if (resolved.mode === 'attach' && isHttp2Server(resolved.server)) {
      this.#h2Listener = new Http2Listener(resolved.server, {
        onStream: (stream, headers, rawHeaders) => this.#streamUpgrader.handle(stream, headers, rawHeaders, this.#emitConnection),
      });
    }
  }

  /** The address the HTTP server listens on (standalone and attach modes). */
  address(): AddressInfo | string | null {
    if (this.#listener === undefined) throw new Error('WebSocketServer.address(): a noServer server has no address.');
    return this.#listener.address();
  }

  /** How many connections are open (tracked whatever `clientTracking` says). */
  get connectionCount(): number {
    return this.#registry.size;
  }

  /** How many broadcast/publish deliveries were skipped under `backpressure: 'drop'`. */
  get droppedMessages(): number {
    return this.#broadcaster.dropped;
  }

  /** The context `authenticate` returned for `ws`, or undefined for a connection of another server. */
  contextOf(ws: Socket): Context | undefined {
    return this.#registry.stateOf(ws)?.context;
  }

  /** How many deliveries to `ws` were skipped under `backpressure: 'drop'`. */
  droppedMessagesOf(ws: Socket): number {
    return this.#registry.stateOf(ws)?.dropped ?? 0;
  }

  /** Whether a request's path matches the `path` option (ws-compatible); over HTTP/2 the path is `:path`. */
  shouldHandle(request: IncomingMessage): boolean {
    return this.options.path === undefined || pathnameOf(request.url) === this.options.path;
  }

  /**
   * Complete (or refuse) the handshake of an 'upgrade' request. On success `callback` receives the
   * OPEN connection, the request and the context; on failure the socket receives an HTTP error
   * response (400, 401…, 403, 405, 426, 500, 503) and is destroyed, 'handshakeError' is emitted and
   * `callback` is not called. Never throws for a bad request. Once `verifyClient` and
   * `authenticate` have admitted the request, {@link completeUpgrade} finishes it.
   *
   * @throws {TypeError} when called without a request, a socket or a callback.
   * @throws {Error} when called again for a socket it has already taken (two 'upgrade' listeners
   *   handing over the same request would otherwise write a second 101 into an open connection).
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: UpgradeCallback<Context, Socket>): void {
    if (request === null || typeof request !== 'object' || request.headers === undefined) {
      throw new TypeError('handleUpgrade(request, socket, head, callback): request must be the IncomingMessage of the upgrade event.');
    }
    if (socket === null || typeof socket !== 'object' || typeof socket.write !== 'function') {
      throw new TypeError('handleUpgrade(request, socket, head, callback): socket must be the Duplex of the upgrade event.');
    }
    if (typeof callback !== 'function') throw new TypeError('handleUpgrade(request, socket, head, callback): callback must be a function.');
    this.#upgrader.handle(request, socket, head ?? undefined, callback);
  }

  /**
   * ws's last step of a handshake, called by {@link handleUpgrade} once the request is admitted
   * (override it to run code at that point): choose the subprotocol from `protocols`
   * (`handleProtocols`, else the first offered, as ws), build the 101 with the negotiated
   * `extensions` (`{}` for none), emit 'headers', write it and call `callback` with the OPEN
   * connection. A socket that has ended is destroyed; after `close()` the answer is 503.
   *
   * @throws {Error} when the socket has already been upgraded.
   * @throws {TypeError} for arguments that are not those of a handshake, or `extensions` this server did not negotiate.
   */
  completeUpgrade(
    extensions: UpgradeExtensions,
    key: string,
    protocols: Set<string>,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: UpgradeCallback<Context, Socket>,
  ): void {
    this.#upgrader.complete(extensions, key, protocols, request, socket, head, callback);
  }

  /**
   * `handleUpgrade`'s counterpart for HTTP/2 (RFC 8441), for a framework's own http2 'stream'
   * event: complete (or refuse) the handshake of an extended CONNECT stream. The http2 server must
   * have been created with `settings: { enableConnectProtocol: true }`. On success `callback`
   * receives the OPEN connection, the request (an `IncomingMessage` made from the stream's
   * headers, as the hooks get it) and the context; on failure
   * the stream is answered with an HTTP error (400, 401…, 403, 404, 405, 501, 503) and ended,
   * 'handshakeError' is emitted and `callback` is not called. Never throws for a bad request.
   *
   * @throws {TypeError} for a stream that is not an HTTP/2 server stream, headers that are not an
   *   extended CONNECT (`:method` CONNECT with `:protocol`; check with your router first), or no callback.
   */
  handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, callback: StreamCallback<Context, Socket>): void {
    if (stream === null || typeof stream !== 'object' || typeof stream.respond !== 'function') {
      throw new TypeError("handleStream(stream, headers, callback): stream must be the ServerHttp2Stream of the http2 server's 'stream' event.");
    }
    if (headers === null || typeof headers !== 'object' || !isExtendedConnect(headers)) {
      throw new TypeError('handleStream(stream, headers, callback): headers must be those of an extended CONNECT (:method CONNECT with :protocol, RFC 8441).');
    }
    if (typeof callback !== 'function') throw new TypeError('handleStream(stream, headers, callback): callback must be a function.');
    this.#streamUpgrader.handle(stream, headers, undefined, callback);
  }

  /**
   * Send `data` to every open connection (those `filter` admits), encoding the frame once: every
   * receiver is handed the same bytes. Connections past `maxBufferedAmount` are handled by the
   * `backpressure` policy. With an `adapter`, the other nodes get it too (unless `local: true`); a
   * failure to forward it is reported by 'forwardError' and {@link forwardFailures}. Returns how
   * many connections of this node the frame was written to.
   *
   * @throws {TypeError} for data that is not a string or bytes, an unknown option, or a `filter`
   *   without `local: true` on a server with an adapter.
   */
  broadcast(data: BroadcastData, options: BroadcastOptions<Socket> = {}): number {
    return this.#link.broadcast(data, options);
  }

  /**
   * Send `data` to every subscriber of `topic`, encoding the frame once, under the same
   * backpressure policy as {@link broadcast}, on this node and (with an `adapter`, unless
   * `local: true`) on every other. Returns how many connections of this node it was written to.
   *
   * @throws {TypeError} as {@link broadcast} does, and for a topic that is not a string.
   */
  publish(topic: string, data: BroadcastData, options: BroadcastOptions<Socket> = {}): number {
    return this.#link.publish(topic, data, options);
  }

  /**
   * {@link broadcast}, for a caller who waits for the other nodes: resolves with the count of this
   * node's receivers once the adapter has handed the message on (at once without an adapter),
   * rejects with a `WS_ERR_FORWARD_FAILED` error when it could not (this node's connections got
   * it either way), or with the `TypeError` of a bad argument (then nobody got it).
   */
  broadcastAsync(data: BroadcastData, options: BroadcastOptions<Socket> = {}): Promise<number> {
    return this.#link.broadcastAsync(data, options);
  }

  /** {@link publish}, for a caller who waits for the other nodes, as {@link broadcastAsync}. */
  publishAsync(topic: string, data: BroadcastData, options: BroadcastOptions<Socket> = {}): Promise<number> {
    return this.#link.publishAsync(topic, data, options);
  }

  /** How many publishes and broadcasts the adapter could not forward to the other nodes. */
  get forwardFailures(): number {
    return this.#link.forwardFailures;
  }

  /** Subscribe `ws` to `topic`. Returns false when it was already subscribed or is not our open connection. */
  subscribe(ws: Socket, topic: string): boolean {
    return this.#registry.subscribe(ws, topic);
  }

  /** Unsubscribe `ws` from `topic`. Returns false when it was not subscribed. */
  unsubscribe(ws: Socket, topic: string): boolean {
    return this.#registry.unsubscribe(ws, topic);
  }

  /** The topics `ws` is subscribed to. */
  topicsOf(ws: Socket): string[] {
    return this.#registry.topicsOf(ws);
  }

  /** How many connections are subscribed to `topic`. */
  subscriberCount(topic: string): number {
    return this.#registry.subscriberCount(topic);
  }

  /** How many topics have at least one subscriber (0 once every subscriber has closed). */
  get topicCount(): number {
    return this.#registry.topicCount;
  }

  /**
   * ws's `close`: stop accepting handshakes (503 for those still in progress) and close the HTTP
   * server if it is our own; connections already open stay open. 'close' is emitted, and
   * `callback` called, once every connection has closed (with `clientTracking: false` and no
   * server of our own: at once, as ws). Called on a closed server, `callback` receives an Error.
   * To close every connection too, call {@link shutdown}.
   *
   * @throws {TypeError} for a callback that is not a function (an options object: use `shutdown(options)`).
   */
  close(callback?: (err?: Error) => void): void {
    if (callback !== undefined && typeof callback !== 'function') {
      throw new TypeError(
        typeof callback === 'object'
          ? 'WebSocketServer.close(callback): close() stops accepting and leaves the connections open, as in ws; to close them with a code and reason, call shutdown(options).'
          : 'WebSocketServer.close(callback): callback must be a function.',
      );
    }
    if (this.#state === 'closed') {
      if (callback !== undefined) this.once('close', () => callback(new Error('WebSocketServer.close(): the server is not running.')));
      process.nextTick(() => this.emit('close'));
      return;
    }
    if (callback !== undefined) this.once('close', () => callback());
    void this.#stop();
  }

  /**
   * Shut down gracefully: refuse new handshakes (503), send a close frame (default 1001) to every
   * connection, wait for their close handshakes, terminate stragglers after `timeoutMs`, stop
   * listening (closing the HTTP server only when this server created it), then emit 'close' and
   * resolve. Calling it again returns the same promise.
   *
   * @throws {RangeError} for a close code that may not be sent, a reason over 123 UTF-8 bytes or a negative timeout.
   * @throws {TypeError} for an unknown option.
   */
  shutdown(options: CloseOptions = {}): Promise<void> {
    const settings = resolveCloseOptions(options);
    this.#shutdown ??= this.#closeAll(settings);
    return this.#shutdown;
  }

  async #closeAll(settings: ShutdownSettings): Promise<void> {
    const stopped = this.#stop();
    this.#registry.stopHeartbeat();
    // Handshakes still in progress will not be completed: the server is going away.
    this.#upgrader.abortPending();
    this.#streamUpgrader.abortPending();
    await closeConnections([...this.#registry.sockets()], settings);
    this.#listener?.closeAllConnections();
    await stopped;
  }

  /** Stop accepting; resolves after 'close' (once the listener has stopped and, as ws, the connections have closed). */
  #stop(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    this.#state = 'closing';
    const stopped = this.#listener?.stop();
    this.#h2Listener?.stop();
    const untracked = !this.options.clientTracking && this.options.mode !== 'standalone';
    const drained = untracked ? Promise.resolve() : this.#registry.whenEmpty();
    this.#closed = Promise.all([stopped, drained]).then(async () => {
      this.#registry.stopHeartbeat();
      await this.#link.close();
      this.#state = 'closed';
      this.emit('close');
    });
    return this.#closed;
  }

  readonly #emitConnection = (ws: Socket, request: IncomingMessage, context: Context): void => {
    this.emit('connection', ws, request, context);
  };

  readonly #emitClientError: ClientErrorReport = (code, message, socket, request, details) => {
    // Swallow late socket errors: the socket is being destroyed anyway and must not crash the process.
    if (socket.listenerCount('error') === 0) socket.on('error', () => undefined);
    if (this.listenerCount('handshakeError') === 0) return;
    this.emit('handshakeError', new ServerError(code, message, details), socket, request);
  };
}
