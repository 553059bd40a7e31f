/**
 * `WebSocketServer`: accepts WebSocket handshakes standalone, attached to an HTTP(S) server, or
 * from a framework's 'upgrade' handler, and keeps the connections it accepted (heartbeat,
 * broadcast, topics, slow-consumer policy, graceful shutdown).
 */
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WS_GONE, WS_TRY_AGAIN_LATER, isValidCloseCode } from '@rfc6455/codes';
import { createDeflateServerNegotiator } from '@rfc6455/deflate';
import type { DeflateConfig, DeflateServerNegotiator } from '@rfc6455/deflate';
import { PerMessageDeflate } from '@rfc6455/deflate/node';
import { acceptClientRequest, buildErrorResponse, formatExtensions, isHandshakeError } from '@rfc6455/handshake';
import type { AcceptClientRequestOptions, AcceptedClientRequest } from '@rfc6455/handshake';
import { nodeSha1 } from '@rfc6455/handshake/node';
import type { Extension } from '@rfc6455/protocol';
import { BroadcastFrames } from './broadcast-frames.ts';
import { OPEN, sendEncodedFrame, wrapSocket } from './connection.ts';
import type { ServerBinding, ServerWebSocket } from './connection.ts';
import { Heartbeat } from './heartbeat.ts';
import { resolveOptions } from './options.ts';
import type { ResolvedOptions, WebSocketServerOptions } from './options.ts';
import { ServerError, isHttpErrorLike } from './server-error.ts';
import type { HttpErrorHeaders, ServerErrorCode } from './server-error.ts';
import { TopicRegistry } from './topics.ts';

/** The events of a {@link WebSocketServer} and their arguments. */
export interface WebSocketServerEvents<Context, Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>> {
  /** A handshake completed: the OPEN connection, the upgrade request, and what `authenticate` returned. */
  connection: [ws: Socket, request: IncomingMessage, context: Context];
  /** The server of our own (standalone) or the attached one is listening. */
  listening: [];
  /** An error of the underlying HTTP server, such as `EADDRINUSE`. */
  error: [error: Error];
  /** The server has shut down: nothing is listening and every connection has closed. */
  close: [];
  /** A handshake failed or was refused (the socket was answered and destroyed); for logging. */
  wsClientError: [error: ServerError, socket: Duplex, request: IncomingMessage | undefined];
  /** A broadcast or publish skipped `ws` under `backpressure: 'drop'`. */
  drop: [ws: Socket, byteLength: number];
  /** `ws` passed `maxBufferedAmount` under `backpressure: 'close'` and is being closed with 1013. */
  slowConsumer: [ws: Socket, bufferedAmount: number];
  /** `ws` did not answer a heartbeat ping in time and was terminated (its close event says 1006). */
  heartbeatTimeout: [ws: Socket];
}

/** Options of {@link WebSocketServer.broadcast} and {@link WebSocketServer.publish}. */
export interface BroadcastOptions<Socket extends ServerWebSocket<any> = ServerWebSocket> { // eslint-disable-line @typescript-eslint/no-explicit-any -- any context
  /** Send a binary frame (default: text for a string, binary for bytes). */
  binary?: boolean | undefined;
  /** Only send to connections for which this returns true. */
  filter?: ((ws: Socket) => boolean) | undefined;
}

/** Options of {@link WebSocketServer.close}. */
export interface CloseOptions {
  /** The close code sent to every connection (default 1001, going away). */
  code?: number | undefined;
  /** The close reason sent to every connection (default empty). */
  reason?: string | undefined;
  /** Time to wait for the connections' close handshakes before terminating them, in ms (default 10 000). */
  timeoutMs?: number | undefined;
}

/** Data a broadcast or publish accepts. */
export type BroadcastData = string | ArrayBuffer | ArrayBufferView;

/** Called by {@link WebSocketServer.handleUpgrade} with the OPEN connection. */
export type UpgradeCallback<Context, Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>> = (
  ws: Socket,
  request: IncomingMessage,
  context: Context,
) => void;

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const encoder = new TextEncoder();

/** Per-connection bookkeeping, kept out of the WebSocket object. */
interface ConnectionState<Context> {
  readonly context: Context;
  dropped: number;
  /** The negotiated permessage-deflate parameters, undefined when not in use. */
  readonly deflate: DeflateConfig | undefined;
}

/** The pathname of a request target, without the query. */
function pathnameOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function toBytes(data: BroadcastData): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError('broadcast/publish: data must be a string, an ArrayBuffer or an ArrayBufferView.');
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
  /** The connections accepted and still open (kept when `clientTracking` is true, empty otherwise). */
  readonly clients = new Set<Socket>();
  /** The options after defaults. */
  readonly options: ResolvedOptions<Context, Socket>;

  readonly #connections = new Map<Socket, ConnectionState<Context>>();
  readonly #negotiator: DeflateServerNegotiator | undefined;
  readonly #acceptOptions: AcceptClientRequestOptions<IncomingMessage>;
  readonly #pending = new Set<Duplex>();
  readonly #topics = new TopicRegistry<Socket>();
  readonly #heartbeat: Heartbeat<Socket> | undefined;
  readonly #httpServer: HttpServer | HttpsServer | undefined;
  readonly #ownsServer: boolean;
  #closing: Promise<void> | undefined;
  #dropped = 0;
  #listenFailed = false;

  /**
   * @throws {TypeError} without exactly one of `port`, `server`, `noServer`, or with an option of the wrong type.
   * @throws {RangeError} for a limit that is not a positive number.
   */
  constructor(options: WebSocketServerOptions<Context, Socket>) {
    super();
    this.options = resolveOptions(options);
    const deflate = this.options.perMessageDeflate;
    this.#negotiator = deflate === undefined ? undefined : createDeflateServerNegotiator(deflate);
    const { origins, handleProtocols, headers } = this.options;
    this.#acceptOptions = {
      origin: origins,
      handleProtocols,
      extensions: this.#negotiator === undefined ? undefined : [this.#negotiator],
      headers,
      sha1: nodeSha1,
    };
    const { heartbeat } = this.options;
    if (heartbeat !== false) {
      this.#heartbeat = new Heartbeat(heartbeat, {
        ping: (ws) => {
          try {
            ws.ping();
          } catch {
            // The connection is closing; its close event removes it from the heartbeat.
          }
        },
        expire: (ws) => this.#expire(ws),
      });
    }
    if (this.options.mode === 'standalone') {
      this.#ownsServer = true;
      this.#httpServer = this.#createStandaloneServer();
    } else if (this.options.mode === 'attach') {
      this.#ownsServer = false;
      this.#httpServer = this.options.server;
      this.#httpServer?.on('listening', this.#onListening);
      this.#httpServer?.on('error', this.#onServerError);
      this.#httpServer?.on('upgrade', this.#onAttachedUpgrade);
    } else {
      this.#ownsServer = false;
    }
  }

  /** The address the HTTP server listens on (standalone and attach modes). */
  address(): AddressInfo | string | null {
    if (this.#httpServer === undefined) throw new Error('WebSocketServer.address(): a noServer server has no address.');
    return this.#httpServer.address();
  }

  /** How many connections are open (tracked whatever `clientTracking` says). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** How many broadcast/publish deliveries were skipped under `backpressure: 'drop'`. */
  get droppedMessages(): number {
    return this.#dropped;
  }

  /** The context `authenticate` returned for `ws`, or undefined for a connection of another server. */
  contextOf(ws: Socket): Context | undefined {
    return this.#connections.get(ws)?.context;
  }

  /** How many deliveries to `ws` were skipped under `backpressure: 'drop'`. */
  droppedMessagesOf(ws: Socket): number {
    return this.#connections.get(ws)?.dropped ?? 0;
  }

  /** Whether a request's path matches the `path` option (ws-compatible). */
  shouldHandle(request: IncomingMessage): boolean {
    return this.options.path === undefined || pathnameOf(request.url) === this.options.path;
  }

  /**
   * Complete (or refuse) the handshake of an 'upgrade' request. On success `callback` receives the
   * OPEN connection, the request and the context; on failure the socket receives an HTTP error
   * response (400, 401…, 403, 405, 426, 500, 503) and is destroyed, 'wsClientError' is emitted and
   * `callback` is not called. Never throws for a bad request.
   *
   * @throws {TypeError} when called without a request, a socket or a callback.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: UpgradeCallback<Context, Socket>): void {
    if (request === null || typeof request !== 'object' || request.headers === undefined) {
      throw new TypeError('handleUpgrade(request, socket, head, callback): request must be the IncomingMessage of the upgrade event.');
    }
    if (socket === null || typeof socket !== 'object' || typeof socket.write !== 'function') {
      throw new TypeError('handleUpgrade(request, socket, head, callback): socket must be the Duplex of the upgrade event.');
    }
    if (typeof callback !== 'function') throw new TypeError('handleUpgrade(request, socket, head, callback): callback must be a function.');
    const opening = head === undefined || head === null ? Buffer.alloc(0) : head;

    this.#pending.add(socket);
    const onSocketError = (err: Error): void => {
      this.#emitClientError('WS_ERR_HANDSHAKE_SOCKET', `Socket error during the handshake: ${err.message}`, socket, request, undefined, err);
      done();
      socket.destroy();
    };
    const timer = setTimeout(() => {
      this.#emitClientError('WS_ERR_HANDSHAKE_TIMEOUT', `The handshake did not complete within ${this.options.handshakeTimeoutMs} ms.`, socket, request);
      done();
      socket.destroy();
    }, this.options.handshakeTimeoutMs);
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.#pending.delete(socket);
      socket.removeListener('error', onSocketError);
    };
    socket.on('error', onSocketError);
    const reject = (status: number, message: string, headers?: HttpErrorHeaders, cause?: unknown): void => {
      done();
      this.#reject(socket, request, status, message, headers, cause);
    };

    if (this.#closing !== undefined) return reject(503, 'The server is shutting down.');
    if (this.#connections.size + this.#pending.size > this.options.maxConnections) {
      return reject(503, 'Too many connections; try again later.', { 'Retry-After': String(this.options.retryAfterSeconds) });
    }
    if (!this.shouldHandle(request)) return reject(400, `No WebSocket endpoint at ${pathnameOf(request.url)}.`);

    // Validation, origin policy, subprotocol, extensions and the 101 are the handshake package's.
    let accepted: AcceptedClientRequest;
    let deflate: DeflateConfig | undefined;
    try {
      accepted = acceptClientRequest(request, this.#acceptOptions);
      // The negotiator is the only extension offered, so an accepted one is permessage-deflate.
      const [deflateParams] = accepted.extensions;
      if (deflateParams !== undefined) deflate = this.#negotiator?.configure(deflateParams.params);
    } catch (err) {
      if (isHandshakeError(err)) return reject(err.status, err.message, err.headers, err);
      // A callback of the application (origins, handleProtocols, headers) threw, or its answer was unusable.
      return reject(500, 'Internal Server Error', undefined, err);
    }

    const finish = (context: Context): void => {
      if (finished) return;
      if (socket.destroyed || !socket.writable) {
        done();
        socket.destroy();
        return;
      }
      if (this.#closing !== undefined) return reject(503, 'The server is shutting down.');
      done();
      socket.write(accepted.response);
      let ws: Socket;
      try {
        ws = wrapSocket(
          this.options.WebSocket,
          socket,
          opening,
          {
            protocol: accepted.protocol ?? '',
            extensions: accepted.extensions.length === 0 ? '' : formatExtensions(accepted.extensions),
            extensionHandlers: this.#extensionHandlers(deflate),
            maxPayloadLength: this.options.maxPayloadLength,
            maxMessageLength: this.options.maxMessageLength,
            maxFragments: this.options.maxFragments,
            closeTimeoutMs: this.options.closeTimeoutMs,
          },
          this.#binding(context),
        );
      } catch (err) {
        this.#emitClientError('WS_ERR_HANDSHAKE_SOCKET', 'The upgraded socket could not be wrapped.', socket, request, undefined, err);
        socket.destroy();
        return;
      }
      this.#register(ws, context, deflate);
      callback(ws, request, context);
    };

    const { authenticate } = this.options;
    if (authenticate === undefined) {
      finish(undefined as Context);
      return;
    }
    let result: Context | Promise<Context>;
    try {
      result = authenticate(request);
    } catch (err) {
      this.#authenticateFailed(err, reject);
      return;
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      (result as Promise<Context>).then(finish, (err: unknown) => {
        if (!finished) this.#authenticateFailed(err, reject);
      });
    } else {
      finish(result as Context);
    }
  }

  /**
   * Send `data` to every open connection (those `filter` admits), encoding the frame once: every
   * receiver is handed the same bytes. Connections past `maxBufferedAmount` are handled by the
   * `backpressure` policy. Returns how many connections the frame was written to.
   */
  broadcast(data: BroadcastData, options: BroadcastOptions<Socket> = {}): number {
    const frames = this.#encode(data, options);
    const { filter } = options;
    let sent = 0;
    for (const [ws, state] of this.#connections) {
      if (filter !== undefined && !filter(ws)) continue;
      if (this.#deliver(ws, state, frames)) sent++;
    }
    return sent;
  }

  /** Subscribe `ws` to `topic`. Returns false when it was already subscribed or is not our open connection. */
  subscribe(ws: Socket, topic: string): boolean {
    if (typeof topic !== 'string') throw new TypeError('subscribe(ws, topic): topic must be a string.');
    if (!this.#connections.has(ws)) return false;
    return this.#topics.subscribe(ws, topic);
  }

  /** Unsubscribe `ws` from `topic`. Returns false when it was not subscribed. */
  unsubscribe(ws: Socket, topic: string): boolean {
    return this.#topics.unsubscribe(ws, topic);
  }

  /** The topics `ws` is subscribed to. */
  topicsOf(ws: Socket): string[] {
    return this.#topics.topicsOf(ws);
  }

  /** How many connections are subscribed to `topic`. */
  subscriberCount(topic: string): number {
    return this.#topics.subscriberCount(topic);
  }

  /** How many topics have at least one subscriber (0 once every subscriber has closed). */
  get topicCount(): number {
    return this.#topics.topicCount;
  }

  /**
   * Send `data` to every subscriber of `topic`, encoding the frame once, under the same
   * backpressure policy as {@link broadcast}. Returns how many connections it was written to.
   */
  publish(topic: string, data: BroadcastData, options: BroadcastOptions<Socket> = {}): number {
    const subscribers = this.#topics.subscribersOf(topic);
    if (subscribers === undefined) return 0;
    const frames = this.#encode(data, options);
    const { filter } = options;
    let sent = 0;
    for (const ws of subscribers) {
      if (filter !== undefined && !filter(ws)) continue;
      const state = this.#connections.get(ws);
      if (state !== undefined && this.#deliver(ws, state, frames)) sent++;
    }
    return sent;
  }

  /**
   * Shut down gracefully: refuse new handshakes (503), send a close frame (default 1001) to every
   * connection, wait for their close handshakes, terminate stragglers after `timeoutMs`, stop
   * listening (closing the HTTP server only when this server created it), then emit 'close' and
   * resolve. Calling it again returns the same promise. The ws-style `close(callback)` works too.
   *
   * @throws {RangeError} for a close code that may not be sent or a negative timeout.
   */
  close(options?: CloseOptions | ((err?: Error) => void)): Promise<void> {
    const callback = typeof options === 'function' ? options : undefined;
    const settings = typeof options === 'object' && options !== null ? options : {};
    const code = settings.code ?? WS_GONE;
    if (!isValidCloseCode(code)) throw new RangeError(`WebSocketServer.close: code ${String(code)} may not be sent in a close frame.`);
    const timeoutMs = settings.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
      throw new RangeError(`WebSocketServer.close: timeoutMs must be a non-negative number, got ${String(timeoutMs)}.`);
    }
    this.#closing ??= this.#shutdown(code, settings.reason ?? '', timeoutMs);
    if (callback !== undefined) this.#closing.then(() => callback(), callback);
    return this.#closing;
  }

  async #shutdown(code: number, reason: string, timeoutMs: number): Promise<void> {
    this.#heartbeat?.stop();
    const httpServer = this.#httpServer;
    if (httpServer !== undefined && !this.#ownsServer) {
      httpServer.removeListener('upgrade', this.#onAttachedUpgrade);
      httpServer.removeListener('listening', this.#onListening);
      httpServer.removeListener('error', this.#onServerError);
    }
    const listenerClosed =
      httpServer !== undefined && this.#ownsServer
        ? new Promise<void>((resolve) => {
            const stop = (): void => {
              httpServer.close(() => resolve());
              httpServer.closeIdleConnections();
            };
            if (httpServer.listening) return stop();
            if (this.#listenFailed) return resolve();
            // close() right after the constructor: listen() has not bound yet (host lookup).
            httpServer.once('listening', stop);
            httpServer.once('error', () => resolve());
          })
        : Promise.resolve();
    // Handshakes still in progress will not be completed: the server is going away.
    for (const socket of this.#pending) socket.destroy();
    this.#pending.clear();

    const open = [...this.#connections.keys()];
    if (open.length > 0) {
      const allClosed = Promise.all(open.map((ws) => new Promise<void>((resolve) => {
        if (!this.#connections.has(ws)) return resolve();
        ws.once('close', () => resolve());
      })));
      for (const ws of open) {
        try {
          ws.close(code, reason);
        } catch {
          ws.terminate();
        }
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([allClosed, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        for (const ws of this.#connections.keys()) ws.terminate();
        await allClosed;
      }
    }
    if (httpServer !== undefined && this.#ownsServer) httpServer.closeAllConnections();
    await listenerClosed;
    this.emit('close');
  }

  #createStandaloneServer(): HttpServer {
    const { handshakeTimeoutMs, maxHeaderSize, maxHeadersCount, port, host, backlog } = this.options;
    const server = createServer(
      {
        maxHeaderSize,
        // A client that trickles its request head is cut off: Node checks these timeouts every
        // connectionsCheckingInterval, so keep that short relative to the handshake timeout.
        headersTimeout: handshakeTimeoutMs,
        requestTimeout: handshakeTimeoutMs,
        connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(handshakeTimeoutMs / 4))),
      },
      this.#onPlainRequest,
    );
    server.maxHeadersCount = maxHeadersCount;
    server.on('listening', this.#onListening);
    server.on('error', this.#onServerError);
    server.on('upgrade', this.#onOwnUpgrade);
    server.on('clientError', this.#onHttpClientError);
    server.listen(port, host, backlog);
    return server;
  }

  readonly #onListening = (): void => {
    this.emit('listening');
  };

  readonly #onServerError = (err: Error): void => {
    if (this.#ownsServer && !this.#httpServer?.listening) this.#listenFailed = true;
    this.emit('error', err);
  };

  // Standalone: a plain HTTP request to a WebSocket-only server (RFC 6455 §4.2.2, RFC 9110 §15.5.22).
  readonly #onPlainRequest = (_req: IncomingMessage, res: ServerResponse): void => {
    const body = 'Upgrade Required: this endpoint only speaks WebSocket.';
    res.writeHead(426, {
      Connection: 'close',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  // Node found the request malformed, too large or too slow before any handler saw it.
  readonly #onHttpClientError = (err: Error & { code?: string }, socket: Duplex): void => {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const code: ServerErrorCode = status === 408 ? 'WS_ERR_HANDSHAKE_TIMEOUT' : 'WS_ERR_HANDSHAKE_REJECTED';
    this.#emitClientError(code, `HTTP error before the handshake: ${err.message}`, socket, undefined, status, err);
    if (socket.writable && (err.code !== 'ECONNRESET')) {
      socket.once('finish', () => socket.destroy());
      socket.end(buildErrorResponse(status));
    } else {
      socket.destroy();
    }
  };

  readonly #emitConnection = (ws: Socket, request: IncomingMessage, context: Context): void => {
    this.emit('connection', ws, request, context);
  };

  readonly #onOwnUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.handleUpgrade(request, socket, head, this.#emitConnection);
  };

  // Attach mode: leave upgrades for other paths to other 'upgrade' listeners when there are any.
  readonly #onAttachedUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!this.shouldHandle(request) && (this.#httpServer?.listenerCount('upgrade') ?? 0) > 1) return;
    this.handleUpgrade(request, socket, head, this.#emitConnection);
  };

  #authenticateFailed(err: unknown, reject: (status: number, message: string, headers?: HttpErrorHeaders, cause?: unknown) => void): void {
    if (isHttpErrorLike(err)) {
      const message = typeof err.message === 'string' && err.message !== '' ? err.message : undefined;
      reject(err.status, message ?? '', err.headers, err);
      return;
    }
    reject(500, 'Internal Server Error', undefined, new ServerError('WS_ERR_AUTHENTICATE_FAILED', 'authenticate threw an error that is not an HTTP error.', { status: 500, cause: err }));
  }

  #reject(socket: Duplex, request: IncomingMessage, status: number, message: string, headers: HttpErrorHeaders | undefined, cause?: unknown): void {
    let response: string;
    try {
      response = buildErrorResponse(status, message, headers);
    } catch (err) {
      // The headers from an HttpError were unusable (a CR/LF, a reserved name): answer without them.
      response = buildErrorResponse(status, message);
      cause ??= err;
    }
    this.#emitClientError('WS_ERR_HANDSHAKE_REJECTED', `Handshake refused with ${status}: ${message}`, socket, request, status, cause);
    if (socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.once('finish', () => socket.destroy());
    socket.end(response);
  }

  #emitClientError(code: ServerErrorCode, message: string, socket: Duplex, request: IncomingMessage | undefined, status?: number, cause?: unknown): void {
    // Swallow late socket errors: the socket is being destroyed anyway and must not crash the process.
    if (socket.listenerCount('error') === 0) socket.on('error', () => undefined);
    if (this.listenerCount('wsClientError') === 0) return;
    this.emit('wsClientError', new ServerError(code, message, { status, cause }), socket, request);
  }

  /** The permessage-deflate codec for a connection that negotiated it (its zlib state is created lazily). */
  #extensionHandlers(config: DeflateConfig | undefined): Extension[] {
    const settings = this.options.perMessageDeflate;
    if (config === undefined || settings === undefined) return [];
    return [
      new PerMessageDeflate({
        role: 'server',
        config,
        compressionThreshold: this.options.compressionThreshold,
        level: settings.level,
        memLevel: settings.memLevel,
      }),
    ];
  }

  /** What a connection's own `subscribe`/`unsubscribe`/`topics`/`context` reach. */
  #binding(context: Context): ServerBinding {
    return {
      context,
      subscribe: (ws, topic) => this.subscribe(ws as Socket, topic),
      unsubscribe: (ws, topic) => this.unsubscribe(ws as Socket, topic),
      topicsOf: (ws) => this.topicsOf(ws as Socket),
    };
  }

  #register(ws: Socket, context: Context, deflate: DeflateConfig | undefined): void {
    this.#connections.set(ws, { context, dropped: 0, deflate });
    if (this.options.clientTracking) this.clients.add(ws);
    const heartbeat = this.#heartbeat;
    if (heartbeat !== undefined) {
      heartbeat.add(ws);
      ws.on('pong', () => heartbeat.alive(ws));
    }
    ws.once('close', () => {
      this.#connections.delete(ws);
      this.clients.delete(ws);
      this.#topics.unsubscribeAll(ws);
      heartbeat?.delete(ws);
    });
  }

  #expire(ws: Socket): void {
    this.emit('heartbeatTimeout', ws);
    if (ws.listenerCount('error') > 0) {
      ws.emit('error', new ServerError('WS_ERR_HEARTBEAT_TIMEOUT', `No pong within ${this.options.heartbeat === false ? 0 : this.options.heartbeat.timeoutMs} ms of a heartbeat ping; the connection was terminated.`, { closeCode: 1006 }));
    }
    ws.terminate();
  }

  #encode(data: BroadcastData, options: BroadcastOptions<Socket>): BroadcastFrames {
    const binary = options.binary ?? typeof data !== 'string';
    const payload = toBytes(data);
    const deflate = this.options.perMessageDeflate;
    return new BroadcastFrames(payload, typeof data === 'string' ? data : payload, binary, {
      threshold: this.options.compressionThreshold,
      level: deflate?.level ?? -1,
      memLevel: deflate?.memLevel ?? 8,
    });
  }

  #deliver(ws: Socket, state: ConnectionState<Context>, frames: BroadcastFrames): boolean {
    if (ws.readyState !== OPEN) return false;
    const { backpressure, maxBufferedAmount } = this.options;
    if (backpressure !== 'queue') {
      // A peer below the limit always gets the frame (so one message larger than the limit still
      // reaches a peer that keeps up); a peer at or above it is a slow consumer.
      const buffered = ws.bufferedAmount;
      if (buffered >= maxBufferedAmount) {
        if (backpressure === 'drop') {
          this.#dropped++;
          const state = this.#connections.get(ws);
          if (state !== undefined) state.dropped++;
          this.emit('drop', ws, frames.plain().byteLength);
        } else {
          this.emit('slowConsumer', ws, buffered);
          if (ws.listenerCount('error') > 0) {
            ws.emit('error', new ServerError('WS_ERR_SLOW_CONSUMER', `${buffered} bytes were buffered for this connection (maxBufferedAmount ${maxBufferedAmount}); it is closed with 1013.`, { closeCode: WS_TRY_AGAIN_LATER }));
          }
          // RFC 6455 §7.4.1 / IANA: 1013 "try again later" — the peer did nothing wrong, it is just
          // slower than the traffic; it may reconnect and catch up.
          ws.close(WS_TRY_AGAIN_LATER, 'Slow consumer');
        }
        return false;
      }
    }
    const delivery = frames.deliveryFor(state.deflate);
    if (delivery.kind === 'frame') sendEncodedFrame(ws, delivery.frame);
    // Our compressor keeps context for this connection: only its own extension may compress.
    else ws.send(delivery.payload, { binary: delivery.binary });
    return true;
  }
}

