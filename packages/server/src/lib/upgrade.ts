/**
 * The opening handshake on the server side (RFC 6455 §4.2): for each 'upgrade' request, the
 * server's own refusals (shutting down, too many connections, another path), then
 * @rfc6455/handshake's `admitClientRequest` (validation, origin policy, permessage-deflate), then
 * ws's `verifyClient` and our `authenticate`; then ws's `completeUpgrade` step: the subprotocol
 * (`handleProtocols`, or the first offered), the 101 (shown to 'headers' listeners first), and the
 * socket becomes an OPEN connection. A refused request gets an HTTP error response. Every
 * handshake is bounded by `handshakeTimeoutMs`, and socket errors while it runs are reported,
 * never thrown.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DeflateConfig, DeflateServerNegotiator } from '@rfc6455/deflate';
import { createDeflateServerNegotiator } from '@rfc6455/deflate';
import { PerMessageDeflate, ZlibLimiter } from '@rfc6455/deflate/node';
import { HandshakeErrorCode, admitClientRequest, buildErrorResponse, buildServerResponse, formatExtensions, isHandshakeError, negotiateSubprotocol } from '@rfc6455/handshake';
import type { AcceptedExtension, AdmitClientRequestOptions, AdmittedClientRequest } from '@rfc6455/handshake';
import { nodeSha1 } from '@rfc6455/handshake/node';
import type { Extension } from '@rfc6455/protocol';
import { wrapSocket } from './connection.ts';
import type { ServerWebSocket } from './connection.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import type { ResolvedOptions } from './options.ts';
import { ServerError, ServerErrorCode, isHttpErrorLike } from './server-error.ts';
import type { ClientErrorReport, HttpErrorHeaders } from './server-error.ts';
import { runVerifyClient } from './verify-client.ts';

/** Called by `WebSocketServer.handleUpgrade` with the OPEN connection. */
export type UpgradeCallback<Context, Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>> = (
  ws: Socket,
  request: IncomingMessage,
  context: Context,
) => void;

/**
 * ws's "accepted extensions" argument of `completeUpgrade`: what `handleUpgrade` negotiated, by
 * extension name. `{}` for none; the values are the server's own and cannot be made by hand.
 */
export type UpgradeExtensions = Readonly<Record<string, object>>;

/** What the handshake needs from its server besides the options. */
export interface UpgradeHost<Context, Socket extends ServerWebSocket<Context>> {
  /** Whether `close()` has begun: new handshakes get 503. */
  readonly closing: () => boolean;
  /** Whether the request's path is ours. */
  readonly shouldHandle: (request: IncomingMessage) => boolean;
  /** A handshake was refused, timed out or its socket failed (the server's 'handshakeError'). */
  readonly onClientError: ClientErrorReport;
  /**
   * ws's 'wsClientError' for a malformed request: true when a listener took it (the listener then
   * answers and closes the socket, as in ws), false when the server is to answer it.
   */
  readonly takeClientError: (error: Error, socket: Duplex, request: IncomingMessage) => boolean;
  /** The 101's lines, before they are written: the server's 'headers' event (listeners may change them). */
  readonly onHeaders: (lines: string[], request: IncomingMessage) => void;
  /** The server's `completeUpgrade`, called through the server so that a subclass's override takes part. */
  readonly completeUpgrade: (
    extensions: UpgradeExtensions,
    key: string,
    protocols: Set<string>,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: UpgradeCallback<Context, Socket>,
  ) => void;
}

/** Refuse the handshake with an HTTP error response. */
export type Reject = (status: number, message: string, headers?: HttpErrorHeaders, cause?: unknown) => void;

/** A handshake past `handleUpgrade`'s checks, waiting for `completeUpgrade`. */
interface Pending<Context> {
  readonly context: Context;
  readonly done: () => void;
  readonly reject: Reject;
}

/** What `handleUpgrade` put in its extensions argument (the values are opaque to the caller). */
interface Negotiated {
  readonly accepted: AcceptedExtension[];
  readonly config: DeflateConfig | undefined;
}

// A socket of any of our servers: handleUpgrade has taken it, or completeUpgrade made it a WebSocket.
const taken = new WeakSet<Duplex>();
const upgraded = new WeakSet<Duplex>();
const negotiated = new WeakMap<object, Negotiated>();

const TWICE =
  "handleUpgrade()/completeUpgrade() was called again for a socket that is already being (or has been) upgraded: check that only one 'upgrade' listener hands each request to a WebSocketServer.";

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
  readonly #host: UpgradeHost<Context, Socket>;
  readonly #negotiator: DeflateServerNegotiator | undefined;
  readonly #limiter: ZlibLimiter | undefined;
  readonly #admitOptions: AdmitClientRequestOptions<IncomingMessage>;
  readonly #pending = new Map<Duplex, Pending<Context> | undefined>();

  constructor(options: ResolvedOptions<Context, Socket>, registry: ConnectionRegistry<Context, Socket>, host: UpgradeHost<Context, Socket>) {
    this.#options = options;
    this.#registry = registry;
    this.#host = host;
    const deflate = options.perMessageDeflate;
    this.#negotiator = deflate === undefined ? undefined : createDeflateServerNegotiator(deflate);
    // ws's concurrencyLimit: a limiter of this server's own; without it, the one every connection shares.
    this.#limiter = deflate?.concurrencyLimit === undefined ? undefined : new ZlibLimiter(deflate.concurrencyLimit);
    this.#admitOptions = {
      origin: options.origins,
      extensions: this.#negotiator === undefined ? undefined : [this.#negotiator],
    };
  }

  /** How many handshakes are in progress (they count against `maxConnections`). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Destroy the sockets of the handshakes in progress: the server is going away. */
  abortPending(): void {
    for (const socket of this.#pending.keys()) socket.destroy();
    this.#pending.clear();
  }

  /**
   * Check or refuse the handshake of `request` (see `WebSocketServer.handleUpgrade`); once every
   * hook has admitted it, the host's `completeUpgrade` finishes it.
   *
   * @throws {Error} when `socket` is already being upgraded, or has been.
   */
  handle(request: IncomingMessage, socket: Duplex, head: Buffer | undefined, callback: UpgradeCallback<Context, Socket>): void {
    if (taken.has(socket) || upgraded.has(socket)) throw new Error(TWICE);
    taken.add(socket);
    const options = this.#options;
    const opening = head ?? Buffer.alloc(0);
    this.#pending.set(socket, undefined);
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

    // Validation, origin policy and extensions are the handshake package's.
    let admitted: AdmittedClientRequest;
    const extensions: Record<string, object> = {};
    try {
      admitted = admitClientRequest(request, this.#admitOptions);
      // The negotiator is the only extension offered, so an accepted one is permessage-deflate.
      const [deflateParams] = admitted.extensions;
      if (deflateParams !== undefined) {
        const token = Object.freeze({});
        negotiated.set(token, { accepted: admitted.extensions, config: this.#negotiator?.configure(deflateParams.params) });
        extensions[deflateParams.name] = token;
      }
    } catch (err) {
      if (isHandshakeError(err)) {
        // ws's wsClientError covers the request's own faults, not our origin policy.
        if (err.code !== HandshakeErrorCode.ForbiddenOrigin && this.#host.takeClientError(err, socket, request)) {
          done();
          // The listener owns the socket now; a late socket error must not crash the process.
          socket.on('error', () => socket.destroy());
          return;
        }
        return reject(err.status, err.message, err.headers, err);
      }
      // A callback of the application (origins) threw.
      return reject(500, 'Internal Server Error', undefined, err);
    }

    const complete = (context: Context): void => {
      if (finished) return;
      this.#pending.set(socket, { context, done, reject });
      try {
        this.#host.completeUpgrade(extensions, admitted.request.key, new Set(admitted.request.protocols), request, socket, opening, callback);
      } catch (err) {
        // An override of completeUpgrade threw before finishing.
        if (!finished && !upgraded.has(socket)) reject(500, 'Internal Server Error', undefined, err);
      }
    };
    const authenticate = (): void => {
      if (finished) return;
      const hook = options.authenticate;
      if (hook === undefined) return complete(undefined as Context);
      let result: Context | Promise<Context>;
      try {
        result = hook(request);
      } catch (err) {
        return authenticateFailed(err, reject);
      }
      if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        (result as Promise<Context>).then(complete, (err: unknown) => {
          if (!finished) authenticateFailed(err, reject);
        });
      } else {
        complete(result as Context);
      }
    };
    if (options.verifyClient === undefined) return authenticate();
    runVerifyClient(options.verifyClient, request, admitted.request.origin, reject, authenticate);
  }

  /**
   * ws's `completeUpgrade`: choose the subprotocol from `protocols` (`handleProtocols`, else the
   * first offered), build the 101 with what `extensions` holds, let 'headers' listeners change it,
   * write it and hand the OPEN connection to `callback`. A socket that has ended is destroyed; a
   * closing server answers 503.
   *
   * @throws {Error} when the socket has already been upgraded.
   * @throws {TypeError} for arguments that are not those of a handshake.
   */
  complete(
    extensions: UpgradeExtensions,
    key: string,
    protocols: Set<string>,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: UpgradeCallback<Context, Socket>,
  ): void {
    if (socket === null || typeof socket !== 'object' || typeof socket.write !== 'function') {
      throw new TypeError('completeUpgrade(extensions, key, protocols, request, socket, head, callback): socket must be the Duplex of the upgrade event.');
    }
    if (upgraded.has(socket)) throw new Error(TWICE);
    if (typeof key !== 'string' || !(protocols instanceof Set) || typeof callback !== 'function' || extensions === null || typeof extensions !== 'object') {
      throw new TypeError('completeUpgrade(extensions, key, protocols, request, socket, head, callback): pass what handleUpgrade would: an object, a string, a Set, the request, the socket, a Buffer and a function.');
    }
    const found = Object.entries(extensions).map(([name, token]) => ({ name, value: negotiated.get(token) }));
    const unknown = found.find((entry) => entry.value === undefined);
    if (unknown !== undefined) throw new TypeError(`completeUpgrade: extensions.${unknown.name} was not negotiated by this server's handleUpgrade; pass {} for none.`);
    const pending = this.#pending.get(socket);
    const done = pending?.done ?? (() => this.#pending.delete(socket));
    const reject: Reject = pending?.reject ?? ((status, message, headers, cause) => this.#reject(socket, request, status, message, headers, cause));
    if (!socket.readable || !socket.writable) {
      done();
      socket.destroy();
      return;
    }
    if (this.#host.closing()) return reject(503, 'The server is shutting down.');
    const agreed = found[0]?.value;
    let response: string;
    let protocol: string | undefined;
    try {
      const offered = [...protocols];
      const choose = this.#options.handleProtocols ?? ((set: Set<string>) => set.values().next().value);
      protocol = offered.length === 0 ? undefined : negotiateSubprotocol(offered, () => choose(new Set(offered), request) || undefined);
      const extra = this.#options.headers;
      const headers = typeof extra === 'function' ? extra(request) : extra;
      const built = buildServerResponse({ key, protocol, extensions: agreed?.accepted, headers }, nodeSha1);
      // The lines without the blank line that ends the head; 'headers' listeners may change them.
      const lines = built.slice(0, -4).split('\r\n');
      this.#host.onHeaders(lines, request);
      response = `${lines.join('\r\n')}\r\n\r\n`;
    } catch (err) {
      // handleProtocols, the headers option or a 'headers' listener threw, or gave something unusable.
      return reject(500, 'Internal Server Error', undefined, err);
    }
    done();
    upgraded.add(socket);
    socket.write(response);
    let ws: Socket;
    try {
      ws = wrapSocket(
        this.#options.WebSocket,
        socket,
        head ?? Buffer.alloc(0),
        {
          protocol: protocol ?? '',
          extensions: agreed === undefined ? '' : formatExtensions(agreed.accepted),
          extensionHandlers: this.#extensionHandlers(agreed?.config),
          maxPayloadLength: this.#options.maxPayloadLength,
          maxMessageLength: this.#options.maxMessageLength,
          maxFragments: this.#options.maxFragments,
          closeTimeoutMs: this.#options.closeTimeoutMs,
          autoPong: this.#options.autoPong,
          skipUtf8Validation: this.#options.skipUtf8Validation,
          allowSynchronousEvents: this.#options.allowSynchronousEvents,
          maxBufferedChunks: this.#options.maxBufferedChunks,
        },
        this.#registry.binding,
        pending?.context,
      );
    } catch (err) {
      this.#clientError(ServerErrorCode.HandshakeSocket, 'The upgraded socket could not be wrapped.', socket, request, undefined, err);
      socket.destroy();
      return;
    }
    this.#registry.add(ws, pending?.context as Context, agreed?.config);
    callback(ws, request, pending?.context as Context);
  }

  /** The permessage-deflate codec for a connection that negotiated it (its zlib state is created lazily). */
  /** The permessage-deflate codec for `config` (the HTTP/2 handshake shares it, and the zlib limiter). */
  extensionHandlers(config: DeflateConfig | undefined): Extension[] {
    return this.#extensionHandlers(config);
  }

  #extensionHandlers(config: DeflateConfig | undefined): Extension[] {
    const settings = this.#options.perMessageDeflate;
    if (config === undefined || settings === undefined) return [];
    return [
      new PerMessageDeflate({
        role: 'server',
        config,
        // ws's `threshold` (doc/ws.md) spares small messages only where our side has no context takeover.
        compressionThreshold: settings.wsThreshold === true && !config.serverNoContextTakeover ? 0 : this.#options.compressionThreshold,
        level: settings.level,
        memLevel: settings.memLevel,
        limiter: this.#limiter,
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
