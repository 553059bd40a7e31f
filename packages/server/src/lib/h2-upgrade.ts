/**
 * The opening handshake over HTTP/2 (RFC 8441): for each extended CONNECT stream, the same
 * refusals as over HTTP/1.1 (shutting down, too many connections, another path), then
 * @rfc6455/handshake's `acceptExtendedConnect` (validation, origin policy, permessage-deflate,
 * subprotocol), then `authenticate`; the stream is answered 200 and becomes an OPEN connection of
 * the server's class, or is answered with an HTTP error and ended. The session and its other
 * streams are never touched: closing a WebSocket ends its stream only (RFC 8441 §6).
 */
import { IncomingMessage } from 'node:http';
import { constants } from 'node:http2';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { DeflateConfig, DeflateServerNegotiator } from '@rfc6455/deflate';
import { acceptExtendedConnect, buildExtendedConnectRefusal, formatExtensions, isHandshakeError } from '@rfc6455/handshake';
import type { AcceptExtendedConnectOptions, AcceptedExtendedConnect } from '@rfc6455/handshake';
import type { Extension } from '@rfc6455/protocol';
import { wrapSocket } from './connection.ts';
import type { ServerWebSocket } from './connection.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import type { ResolvedOptions } from './options.ts';
import { ServerError, ServerErrorCode, isHttpErrorLike } from './server-error.ts';
import type { ClientErrorReport, HttpErrorHeaders } from './server-error.ts';
import { pathnameOf } from './upgrade.ts';
import { runVerifyClient } from './verify-client.ts';

const EMPTY = Buffer.alloc(0);

/** Called by `WebSocketServer.handleStream` with the OPEN connection. */
export type StreamCallback<Context, Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>> = (
  ws: Socket,
  request: IncomingMessage,
  context: Context,
) => void;

/** What the HTTP/2 handshake needs from its server besides the options. */
export interface StreamUpgradeHost {
  /** Whether `close()` has begun: new handshakes get 503. */
  readonly closing: () => boolean;
  /** Whether the request's path is ours. */
  readonly shouldHandle: (request: IncomingMessage) => boolean;
  /** Handshakes in progress over HTTP/1.1 (they count against `maxConnections` too). */
  readonly otherPending: () => number;
  /** A handshake was refused, timed out or its stream failed (the server's 'handshakeError'). */
  readonly onClientError: ClientErrorReport;
  /** The permessage-deflate codec for a negotiated configuration (the HTTP/1.1 handshake's, with its zlib limiter). */
  readonly extensionHandlers: (config: DeflateConfig | undefined) => Extension[];
}

type Reject = (status: number, message: string, headers?: HttpErrorHeaders, cause?: unknown) => void;

/**
 * Whether a stream's headers are an extended CONNECT (RFC 8441 §4: `:method` CONNECT with a
 * `:protocol`), the only HTTP/2 requests a WebSocket server takes.
 */
export function isExtendedConnect(headers: IncomingHttpHeaders): boolean {
  return headers[':method'] === 'CONNECT' && headers[':protocol'] !== undefined;
}

/** Runs one server's HTTP/2 handshakes and keeps the streams whose handshake is in progress. */
export class StreamUpgrader<Context, Socket extends ServerWebSocket<Context>> {
  readonly #options: ResolvedOptions<Context, Socket>;
  readonly #registry: ConnectionRegistry<Context, Socket>;
  readonly #host: StreamUpgradeHost;
  readonly #negotiator: DeflateServerNegotiator | undefined;
  readonly #pending = new Set<ServerHttp2Stream>();
  // A stream is taken once, whichever of 'stream' and the compatibility API's 'connect' saw it first.
  readonly #taken = new WeakSet<ServerHttp2Stream>();

  constructor(
    options: ResolvedOptions<Context, Socket>,
    registry: ConnectionRegistry<Context, Socket>,
    host: StreamUpgradeHost,
    negotiator: DeflateServerNegotiator | undefined,
  ) {
    this.#options = options;
    this.#registry = registry;
    this.#host = host;
    this.#negotiator = negotiator;
  }

  /** How many HTTP/2 handshakes are in progress. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Reset the streams of the handshakes in progress: the server is going away. */
  abortPending(): void {
    for (const stream of this.#pending) if (!stream.closed) stream.close(constants.NGHTTP2_REFUSED_STREAM);
    this.#pending.clear();
  }

  /** Whether `stream` was already taken by this server. */
  has(stream: ServerHttp2Stream): boolean {
    return this.#taken.has(stream);
  }

  /**
   * Complete or refuse the handshake on `stream` (see `WebSocketServer.handleStream`). `request`
   * is the compatibility API's request when Node made one; otherwise one is made here.
   */
  handle(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders: string[] | undefined,
    callback: StreamCallback<Context, Socket>,
  ): void {
    if (this.#taken.has(stream)) return;
    this.#taken.add(stream);
    const options = this.#options;
    const request = requestOf(stream, headers, rawHeaders);
    this.#pending.add(stream);
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.#pending.delete(stream);
      stream.removeListener('error', onStreamError);
      stream.removeListener('close', onStreamClose);
    };
    const onStreamError = (err: Error): void => {
      this.#clientError(ServerErrorCode.HandshakeSocket, `Stream error during the handshake: ${err.message}`, stream, request, undefined, err);
      done();
    };
    const onStreamClose = (): void => {
      this.#clientError(ServerErrorCode.HandshakeSocket, 'The stream closed during the handshake.', stream, request);
      done();
    };
    const timer = setTimeout(() => {
      this.#clientError(ServerErrorCode.HandshakeTimeout, `The handshake did not complete within ${options.handshakeTimeoutMs} ms.`, stream, request);
      done();
      if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    }, options.handshakeTimeoutMs);
    stream.on('error', onStreamError);
    stream.once('close', onStreamClose);
    const reject: Reject = (status, message, extra, cause) => {
      done();
      this.#reject(stream, request, status, message, extra, cause);
    };

    if (this.#host.closing()) return reject(503, 'The server is shutting down.');
    if (this.#registry.size + this.#pending.size + this.#host.otherPending() > options.maxConnections) {
      return reject(503, 'Too many connections; try again later.', { 'retry-after': String(options.retryAfterSeconds) });
    }
    if (!this.#host.shouldHandle(request)) return reject(404, `No WebSocket endpoint at ${pathnameOf(request.url)}.`);

    let accepted: AcceptedExtendedConnect;
    let deflate: DeflateConfig | undefined;
    try {
      const acceptOptions: AcceptExtendedConnectOptions<IncomingMessage> = {
        origin: options.origins,
        handleProtocols: options.handleProtocols,
        extensions: this.#negotiator === undefined ? undefined : [this.#negotiator],
        headers: options.headers,
        request,
      };
      accepted = acceptExtendedConnect(headers, acceptOptions);
      const [deflateParams] = accepted.extensions;
      if (deflateParams !== undefined) deflate = this.#negotiator?.configure(deflateParams.params);
    } catch (err) {
      if (isHandshakeError(err)) return reject(err.status, err.message, err.headers, err);
      return reject(500, 'Internal Server Error', undefined, err);
    }

    const finish = (context: Context): void => {
      if (finished) return;
      if (stream.closed || stream.destroyed) {
        done();
        return;
      }
      if (this.#host.closing()) return reject(503, 'The server is shutting down.');
      done();
      let ws: Socket;
      try {
        // RFC 8441 §5: a 200 (not a 101) accepts; the stream stays open both ways.
        stream.respond(accepted.response);
        ws = wrapSocket(
          options.WebSocket,
          stream,
          EMPTY,
          {
            protocol: accepted.protocol ?? '',
            extensions: accepted.extensions.length === 0 ? '' : formatExtensions(accepted.extensions),
            extensionHandlers: this.#host.extensionHandlers(deflate),
            maxPayloadLength: options.maxPayloadLength,
            maxMessageLength: options.maxMessageLength,
            maxFragments: options.maxFragments,
            closeTimeoutMs: options.closeTimeoutMs,
            autoPong: options.autoPong,
            skipUtf8Validation: options.skipUtf8Validation,
            allowSynchronousEvents: options.allowSynchronousEvents,
            maxBufferedChunks: options.maxBufferedChunks,
          },
          this.#registry.binding,
          context,
        );
      } catch (err) {
        this.#clientError(ServerErrorCode.HandshakeSocket, 'The stream could not be answered or wrapped.', stream, request, undefined, err);
        if (!stream.closed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      this.#registry.add(ws, context, deflate);
      callback(ws, request, context);
    };

    const runAuthenticate = (): void => {
      if (finished) return;
      const { authenticate } = options;
      if (authenticate === undefined) return finish(undefined as Context);
      let result: Context | Promise<Context>;
      try {
        result = authenticate(request);
      } catch (err) {
        return authenticateFailed(err, reject);
      }
      if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        (result as Promise<Context>).then(finish, (err: unknown) => {
          if (!finished) authenticateFailed(err, reject);
        });
      } else {
        finish(result as Context);
      }
    };
    // ws's verifyClient first, then authenticate, as over HTTP/1.1.
    if (options.verifyClient === undefined) return runAuthenticate();
    runVerifyClient(options.verifyClient, request, accepted.request.origin, reject, runAuthenticate);
  }

  #reject(stream: ServerHttp2Stream, request: IncomingMessage, status: number, message: string, extra: HttpErrorHeaders | undefined, cause?: unknown): void {
    let headers: Record<string, string | number | string[]>;
    try {
      headers = buildExtendedConnectRefusal(status, message, extra);
    } catch (err) {
      // The headers from an HttpError were unusable: answer without them.
      headers = buildExtendedConnectRefusal(status, message);
      cause ??= err;
    }
    this.#clientError(ServerErrorCode.HandshakeRejected, `Handshake refused with ${status}: ${message}`, stream, request, status, cause);
    if (stream.closed || stream.destroyed || stream.headersSent) return;
    stream.respond(headers);
    stream.end(message);
  }

  #clientError(code: ServerErrorCode, message: string, stream: ServerHttp2Stream, request: IncomingMessage, status?: number, cause?: unknown): void {
    this.#host.onClientError(code, message, stream, request, { status, cause });
  }
}

/**
 * The request the hooks see, as an `IncomingMessage` like over HTTP/1.1 (so code written for
 * ws's `(request: IncomingMessage)` keeps working): `method` CONNECT, `url` the `:path`,
 * `httpVersion` '2.0', `headers` as Node's http2 gives them (pseudo-headers included),
 * `rawHeaders`, and `socket` the session's socket. It has no body: it is ended from the start.
 */
function requestOf(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[] | undefined): IncomingMessage {
  const request = new IncomingMessage(stream.session?.socket as Socket);
  request.method = 'CONNECT';
  request.url = typeof headers[':path'] === 'string' ? headers[':path'] : '/';
  request.httpVersion = '2.0';
  request.httpVersionMajor = 2;
  request.httpVersionMinor = 0;
  request.headers = headers;
  request.rawHeaders = rawHeaders ?? flatten(headers);
  request.complete = true;
  request.push(null);
  return request;
}

/** Node's flat rawHeaders list for headers given as a record. */
function flatten(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) out.push(name, String(item));
  }
  return out;
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
