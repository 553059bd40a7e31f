/**
 * The HTTP/2 side of an attached server: turns on extended CONNECT in the server's SETTINGS
 * (RFC 8441 §3, `enableConnectProtocol`) and takes its extended CONNECT streams. Node delivers a
 * stream through 'stream', and, when the compatibility API is in use (the server has a 'request'
 * listener), also as a CONNECT through 'connect' — which Node answers with 405 when nobody
 * listens; so this listens to both and hands each stream over once. Other streams (GET, a plain CONNECT) are left to the application.
 */
import type { Http2SecureServer, Http2Server, Http2ServerRequest, Http2ServerResponse, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { isExtendedConnect } from './h2-upgrade.ts';

/** What the listener does with a stream. */
export interface Http2ListenerSettings {
  /** Take an extended CONNECT stream. */
  readonly onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[] | undefined) => void;
}

/** Whether `server` is one of node:http2's servers (`createServer` or `createSecureServer`). */
export function isHttp2Server(server: unknown): server is Http2Server | Http2SecureServer {
  return typeof server === 'object' && server !== null && typeof (server as { updateSettings?: unknown }).updateSettings === 'function';
}

/** The listeners put on an attached http2 server. */
export class Http2Listener {
  readonly #server: Http2Server | Http2SecureServer;
  readonly #settings: Http2ListenerSettings;
  readonly #seen = new WeakSet<ServerHttp2Stream>();

  /** Attach to `server`: enable extended CONNECT for its new sessions, take its extended CONNECT streams. */
  constructor(server: Http2Server | Http2SecureServer, settings: Http2ListenerSettings) {
    this.#server = server;
    this.#settings = settings;
    // RFC 8441 §3: a client may only send extended CONNECT after this setting. Sessions opened
    // before the WebSocket server was attached keep the settings they got.
    server.updateSettings({ enableConnectProtocol: true });
    server.on('stream', this.#onStream);
    server.on('connect', this.#onConnect);
  }

  /** Stop taking streams; the http2 server and its sessions are left as they are. */
  stop(): void {
    this.#server.removeListener('stream', this.#onStream);
    this.#server.removeListener('connect', this.#onConnect);
  }

  readonly #onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders?: string[]): void => {
    if (!isExtendedConnect(headers)) return;
    this.#take(stream, headers, rawHeaders);
  };

  /** Hand `stream` over once, whichever of 'stream' and 'connect' brought it first. */
  #take(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[] | undefined): void {
    if (this.#seen.has(stream)) return;
    this.#seen.add(stream);
    this.#settings.onStream(stream, headers, rawHeaders);
  }

  readonly #onConnect = (request: Http2ServerRequest, response: Http2ServerResponse): void => {
    if (isExtendedConnect(request.headers)) {
      this.#take(request.stream, request.headers, request.rawHeaders);
      return;
    }
    // A plain CONNECT: Node would have answered 405 had we not listened; do so unless someone else does.
    if (this.#server.listenerCount('connect') === 1) {
      response.statusCode = 405;
      response.end();
    }
  };
}
