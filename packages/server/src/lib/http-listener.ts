/**
 * The HTTP side of a server: the standalone HTTP server it creates (which answers plain HTTP
 * requests with 426 and malformed, oversized or slow request heads with 400, 431 or 408), or the
 * `http`/`https` server it is attached to, whose upgrade requests for our path it takes. Its
 * 'listening' and 'error' events become the WebSocket server's.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { buildErrorResponse } from '@rfc6455/handshake';
import { ServerErrorCode } from './server-error.ts';
import type { ClientErrorReport } from './server-error.ts';

/** What the listener needs from its server. */
export interface ListenerSettings {
  /** Standalone: listen here with an HTTP server of our own. */
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  readonly backlog?: number | undefined;
  /** Standalone: the request-head limits and timeout. */
  readonly handshakeTimeoutMs: number;
  readonly maxHeaderSize: number;
  readonly maxHeadersCount: number;
  /** Whether an upgrade request is ours (its path matches). */
  readonly shouldHandle: (request: IncomingMessage) => boolean;
  /** Take an upgrade request: answer the handshake, or refuse it. */
  readonly onUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** The HTTP server listens. */
  readonly onListening: () => void;
  /** An error of the HTTP server, such as `EADDRINUSE`. */
  readonly onError: (error: Error) => void;
  /** A request head Node refused before any handler saw it (reported as 'handshakeError'). */
  readonly onClientError: ClientErrorReport;
}

const PLAIN_HTTP_BODY = 'Upgrade Required: this endpoint only speaks WebSocket.';

/** A standalone HTTP server of our own, or the listeners we put on an attached one. */
export class HttpListener {
  /** The HTTP server, ours or the attached one. */
  readonly server: HttpServer | HttpsServer;
  readonly #owned: boolean;
  readonly #settings: ListenerSettings;
  #listenFailed = false;

  /** Create and start a standalone server (`server` undefined), or attach to `server`. */
  constructor(settings: ListenerSettings, server?: HttpServer | HttpsServer) {
    this.#settings = settings;
    this.#owned = server === undefined;
    this.server = server ?? this.#createStandalone();
    this.server.on('listening', this.#onListening);
    this.server.on('error', this.#onError);
    this.server.on('upgrade', this.#onUpgrade);
    if (this.#owned) this.server.listen(settings.port, settings.host, settings.backlog);
  }

  /** The address the HTTP server listens on. */
  address(): AddressInfo | string | null {
    return this.server.address();
  }

  /**
   * Stop taking upgrades. An attached server is left as it was, listening; our own stops
   * listening, and the promise resolves once it has closed (after {@link closeAllConnections}).
   */
  stop(): Promise<void> {
    const server = this.server;
    if (!this.#owned) {
      server.removeListener('upgrade', this.#onUpgrade);
      server.removeListener('listening', this.#onListening);
      server.removeListener('error', this.#onError);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const close = (): void => {
        server.close(() => resolve());
        server.closeIdleConnections();
      };
      if (server.listening) return close();
      if (this.#listenFailed) return resolve();
      // stop() right after the constructor: listen() has not bound yet (host lookup).
      server.once('listening', close);
      server.once('error', () => resolve());
    });
  }

  /** Our own server: drop the HTTP connections still open (once the WebSocket connections have closed). */
  closeAllConnections(): void {
    if (this.#owned) this.server.closeAllConnections();
  }

  #createStandalone(): HttpServer {
    const { handshakeTimeoutMs, maxHeaderSize, maxHeadersCount } = this.#settings;
    const server = createServer(
      {
        maxHeaderSize,
        // A client that trickles its request head is cut off: Node checks these timeouts every
        // connectionsCheckingInterval, so keep that short relative to the handshake timeout.
        headersTimeout: handshakeTimeoutMs,
        requestTimeout: handshakeTimeoutMs,
        connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(handshakeTimeoutMs / 4))),
      },
      onPlainRequest,
    );
    server.maxHeadersCount = maxHeadersCount;
    server.on('clientError', this.#onHttpClientError);
    return server;
  }

  readonly #onListening = (): void => {
    this.#settings.onListening();
  };

  readonly #onError = (err: Error): void => {
    if (this.#owned && !this.server.listening) this.#listenFailed = true;
    this.#settings.onError(err);
  };

  // Attached: leave upgrades for other paths to other 'upgrade' listeners when there are any.
  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!this.#owned && !this.#settings.shouldHandle(request) && this.server.listenerCount('upgrade') > 1) return;
    this.#settings.onUpgrade(request, socket, head);
  };

  // Node found the request malformed, too large or too slow before any handler saw it.
  readonly #onHttpClientError = (err: Error & { code?: string }, socket: Duplex): void => {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const code = status === 408 ? ServerErrorCode.HandshakeTimeout : ServerErrorCode.HandshakeRejected;
    this.#settings.onClientError(code, `HTTP error before the handshake: ${err.message}`, socket, undefined, { status, cause: err });
    if (socket.writable && err.code !== 'ECONNRESET') {
      socket.once('finish', () => socket.destroy());
      socket.end(buildErrorResponse(status));
    } else {
      socket.destroy();
    }
  };
}

// Standalone: a plain HTTP request to a WebSocket-only server (RFC 6455 §4.2.2, RFC 9110 §15.5.22).
function onPlainRequest(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(426, {
    Connection: 'close',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(PLAIN_HTTP_BODY),
  });
  res.end(PLAIN_HTTP_BODY);
}
