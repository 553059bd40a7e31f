/**
 * The opening handshake on the server side (RFC 6455 §4.2): for each 'upgrade' request, the
 * server's own refusals (shutting down, too many connections, another path), then
 * @rfc6455/handshake's `acceptClientRequest` (validation, origin policy, subprotocol,
 * permessage-deflate, the 101), then `authenticate`; the 101 is written and the socket becomes an
 * OPEN connection, or the request gets an HTTP error response. Every handshake is bounded by
 * `handshakeTimeoutMs`, and socket errors while it runs are reported, never thrown.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DeflateConfig, DeflateServerNegotiator } from '@rfc6455/deflate';
import { createDeflateServerNegotiator } from '@rfc6455/deflate';
import { PerMessageDeflate } from '@rfc6455/deflate/node';
import { acceptClientRequest, buildErrorResponse, formatExtensions, isHandshakeError } from '@rfc6455/handshake';
import type { AcceptClientRequestOptions, AcceptedClientRequest } from '@rfc6455/handshake';
import { nodeSha1 } from '@rfc6455/handshake/node';
import type { Extension } from '@rfc6455/protocol';
import { wrapSocket } from './connection.ts';
import type { ServerWebSocket } from './connection.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import type { ResolvedOptions } from './options.ts';
import { ServerError, ServerErrorCode, isHttpErrorLike } from './server-error.ts';
import type { ClientErrorReport, HttpErrorHeaders } from './server-error.ts';

/** Called by `WebSocketServer.handleUpgrade` with the OPEN connection. */
export type UpgradeCallback<Context, Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>> = (
  ws: Socket,
  request: IncomingMessage,
  context: Context,
) => void;

/** What the handshake needs from its server besides the options. */
export interface UpgradeHost {
  /** Whether `close()` has begun: new handshakes get 503. */
  readonly closing: () => boolean;
  /** Whether the request's path is ours. */
  readonly shouldHandle: (request: IncomingMessage) => boolean;
  /** A handshake was refused, timed out or its socket failed (the server's 'wsClientError'). */
  readonly onClientError: ClientErrorReport;
}

type Reject = (status: number, message: string, headers?: HttpErrorHeaders, cause?: unknown) => void;

/** The pathname of a request target, without the query. */
export function pathnameOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Runs one server's handshakes and keeps the sockets whose handshake is still in progress. */
export class Upgrader<Context, Socket extends ServerWebSocket<Context>> {
  readonly #options: ResolvedOptions<Context, Socket>;
  readonly #registry: ConnectionRegistry<Context, Socket>;
  readonly #host: UpgradeHost;
  readonly #negotiator: DeflateServerNegotiator | undefined;
  readonly #acceptOptions: AcceptClientRequestOptions<IncomingMessage>;
  readonly #pending = new Set<Duplex>();

  constructor(options: ResolvedOptions<Context, Socket>, registry: ConnectionRegistry<Context, Socket>, host: UpgradeHost) {
    this.#options = options;
    this.#registry = registry;
    this.#host = host;
    const deflate = options.perMessageDeflate;
    this.#negotiator = deflate === undefined ? undefined : createDeflateServerNegotiator(deflate);
    this.#acceptOptions = {
      origin: options.origins,
      handleProtocols: options.handleProtocols,
      extensions: this.#negotiator === undefined ? undefined : [this.#negotiator],
      headers: options.headers,
      sha1: nodeSha1,
    };
  }

  /** How many handshakes are in progress (they count against `maxConnections`). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Destroy the sockets of the handshakes in progress: the server is going away. */
  abortPending(): void {
    for (const socket of this.#pending) socket.destroy();
    this.#pending.clear();
  }

  /** Complete or refuse the handshake of `request` (see `WebSocketServer.handleUpgrade`). */
  handle(request: IncomingMessage, socket: Duplex, head: Buffer | undefined, callback: UpgradeCallback<Context, Socket>): void {
    const options = this.#options;
    const opening = head ?? Buffer.alloc(0);
    this.#pending.add(socket);
    const onSocketError = (err: Error): void => {
      this.#clientError(ServerErrorCode.HandshakeSocket, `Socket error during the handshake: ${err.message}`, socket, request, undefined, err);
      done();
      socket.destroy();
    };
    const timer = setTimeout(() => {
      this.#clientError(ServerErrorCode.HandshakeTimeout, `The handshake did not complete within ${options.handshakeTimeoutMs} ms.`, socket, request);
      done();
      socket.destroy();
    }, options.handshakeTimeoutMs);
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.#pending.delete(socket);
      socket.removeListener('error', onSocketError);
    };
    socket.on('error', onSocketError);
    const reject: Reject = (status, message, headers, cause) => {
      done();
      this.#reject(socket, request, status, message, headers, cause);
    };

    if (this.#host.closing()) return reject(503, 'The server is shutting down.');
    if (this.#registry.size + this.#pending.size > options.maxConnections) {
      return reject(503, 'Too many connections; try again later.', { 'Retry-After': String(options.retryAfterSeconds) });
    }
    if (!this.#host.shouldHandle(request)) return reject(400, `No WebSocket endpoint at ${pathnameOf(request.url)}.`);

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
      if (this.#host.closing()) return reject(503, 'The server is shutting down.');
      done();
      socket.write(accepted.response);
      let ws: Socket;
      try {
        ws = wrapSocket(
          options.WebSocket,
          socket,
          opening,
          {
            protocol: accepted.protocol ?? '',
            extensions: accepted.extensions.length === 0 ? '' : formatExtensions(accepted.extensions),
            extensionHandlers: this.#extensionHandlers(deflate),
            maxPayloadLength: options.maxPayloadLength,
            maxMessageLength: options.maxMessageLength,
            maxFragments: options.maxFragments,
            closeTimeoutMs: options.closeTimeoutMs,
          },
          this.#registry.binding(context),
        );
      } catch (err) {
        this.#clientError(ServerErrorCode.HandshakeSocket, 'The upgraded socket could not be wrapped.', socket, request, undefined, err);
        socket.destroy();
        return;
      }
      this.#registry.add(ws, context, deflate);
      callback(ws, request, context);
    };

    const { authenticate } = options;
    if (authenticate === undefined) {
      finish(undefined as Context);
      return;
    }
    let result: Context | Promise<Context>;
    try {
      result = authenticate(request);
    } catch (err) {
      authenticateFailed(err, reject);
      return;
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      (result as Promise<Context>).then(finish, (err: unknown) => {
        if (!finished) authenticateFailed(err, reject);
      });
    } else {
      finish(result as Context);
    }
  }

  /** The permessage-deflate codec for a connection that negotiated it (its zlib state is created lazily). */
  #extensionHandlers(config: DeflateConfig | undefined): Extension[] {
    const settings = this.#options.perMessageDeflate;
    if (config === undefined || settings === undefined) return [];
    return [
      new PerMessageDeflate({
        role: 'server',
        config,
        compressionThreshold: this.#options.compressionThreshold,
        level: settings.level,
        memLevel: settings.memLevel,
      }),
    ];
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
    this.#clientError(ServerErrorCode.HandshakeRejected, `Handshake refused with ${status}: ${message}`, socket, request, status, cause);
    if (socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.once('finish', () => socket.destroy());
    socket.end(response);
  }

  #clientError(code: ServerErrorCode, message: string, socket: Duplex, request: IncomingMessage, status?: number, cause?: unknown): void {
    this.#host.onClientError(code, message, socket, request, { status, cause });
  }
}

/** Refuse with what `authenticate` threw: its HTTP status and headers, or a 500 for anything else. */
function authenticateFailed(err: unknown, reject: Reject): void {
  if (isHttpErrorLike(err)) {
    const message = typeof err.message === 'string' && err.message !== '' ? err.message : undefined;
    reject(err.status, message ?? '', err.headers, err);
    return;
  }
  const cause = new ServerError(ServerErrorCode.AuthenticateFailed, 'authenticate threw an error that is not an HTTP error.', { status: 500, cause: err });
  reject(500, 'Internal Server Error', undefined, cause);
}
