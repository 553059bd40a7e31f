/**
 * The client's opening handshake over HTTP/2 (RFC 8441): find or open a session to the origin
 * (TLS with ALPN `h2`, or h2c with prior knowledge for ws: URLs), wait for the server's SETTINGS
 * to enable extended CONNECT (RFC 8441 §3), send the CONNECT with `:protocol = websocket` on a new
 * stream and check the answer with @rfc6455/handshake. With `http2: 'auto'` ALPN offers `h2` and
 * `http/1.1`: a server that picks HTTP/1.1 gets the HTTP/1.1 upgrade on the same TLS connection,
 * and one that speaks h2 without extended CONNECT gets it on a new connection.
 */
import { connect as http2Connect, constants } from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { isHandshakeError, validateExtendedConnectResponse } from '@rfc6455/handshake';
import type { ClientExtension, ExtendedConnectRequest } from '@rfc6455/handshake';
import { BODY_EXCERPT_BYTES, ClientError, ClientErrorCode } from './client-error.ts';
import type { DialResult } from './dial.ts';
import { addSession, findSession, releaseSession, retainSession, sessionKey } from './h2-session-pool.ts';
import { http2ErrorName } from './h2-stream.ts';
import type { PooledSession } from './h2-session-pool.ts';
import type { WebSocketOptions } from './options.ts';

const EMPTY = Buffer.alloc(0);

/** How the HTTP/2 dialler reports back: exactly one of onOpen, onFail and fallBack is called. */
export interface Http2DialCallbacks {
  onOpen(result: DialResult): void;
  onFail(err: ClientError): void;
  /**
   * `http2: 'auto'` only: the server does not do WebSockets over HTTP/2; dial HTTP/1.1 instead,
   * over `socket` when the TLS connection already chose `http/1.1` in ALPN.
   */
  fallBack(socket: TLSSocket | undefined): void;
}

/** Response headers as a record of strings, for the error of a refused handshake. */
function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** One WebSocket's attempt over HTTP/2. `abort(err)` stops it at any point and reports `err`. */
export class Http2Dialer {
  readonly #request: ExtendedConnectRequest;
  readonly #options: WebSocketOptions;
  readonly #mode: true | 'auto';
  readonly #callbacks: Http2DialCallbacks;
  readonly #extensions: readonly ClientExtension[];
  readonly #passThrough: Readonly<Record<string, unknown>>;
  #pooled: PooledSession | undefined;
  #stream: ClientHttp2Stream | undefined;
  #socket: TLSSocket | undefined;
  #done = false;

  constructor(
    request: ExtendedConnectRequest,
    options: WebSocketOptions,
    mode: true | 'auto',
    callbacks: Http2DialCallbacks,
    extensions: readonly ClientExtension[] = [],
    passThrough: Readonly<Record<string, unknown>> = {},
  ) {
    this.#passThrough = passThrough;
    this.#request = request;
    this.#options = options;
    this.#mode = mode;
    this.#callbacks = callbacks;
    this.#extensions = extensions;
  }

  /** The URL being dialled. */
  get url(): string {
    return this.#request.url;
  }

  /** Start dialling. */
  start(): void {
    const key = this.#key();
    const pooled = findSession(key);
    if (pooled !== undefined) {
      this.#use(pooled);
      return;
    }
    const r = this.#request;
    const authority = `${r.secure ? 'https' : 'http'}://${isIP(r.host) === 6 ? `[${r.host}]` : r.host}:${r.port}`;
    if (!r.secure) {
      // ws: over HTTP/2 is h2c with prior knowledge (RFC 9113 §3.3); 'auto' never gets here.
      this.#open(key, http2Connect(authority, { ...this.#passThrough }));
      return;
    }
    let socket: TLSSocket;
    try {
      socket = tlsConnect({ ...this.#tlsOptions(), host: r.host, port: r.port });
    } catch (err) {
      this.#connectionFailed(err as Error);
      return;
    }
    this.#socket = socket;
    const onError = (err: Error & { code?: string }): void => {
      // A server whose ALPN list has no h2 may refuse the TLS handshake (RFC 7301 §3.2 alert 120).
      if (this.#mode === true && typeof err.code === 'string' && err.code.includes('NO_APPLICATION_PROTOCOL')) {
        this.#fail(new ClientError(ClientErrorCode.ExtendedConnectUnsupported, `The server at ${authority} does not speak h2 (TLS ALPN refused it): ${err.message}`, { cause: err }));
        return;
      }
      this.#connectionFailed(err);
    };
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.removeListener('error', onError);
      if (this.#done) {
        socket.destroy();
        return;
      }
      if (socket.alpnProtocol !== 'h2') {
        this.#socket = undefined;
        if (this.#mode === 'auto') {
          this.#done = true;
          this.#callbacks.fallBack(socket);
          return;
        }
        socket.destroy();
        this.#fail(
          new ClientError(
            ClientErrorCode.ExtendedConnectUnsupported,
            `The server at ${authority} did not choose h2 in ALPN (it chose ${socket.alpnProtocol === false ? 'nothing' : JSON.stringify(socket.alpnProtocol)}); WebSockets over HTTP/2 need it.`,
          ),
        );
        return;
      }
      this.#socket = undefined;
      this.#open(key, http2Connect(authority, { createConnection: () => socket }));
    });
  }

  /** Stop the attempt and report `err` (no-op once finished). */
  abort(err: ClientError): void {
    if (this.#done) return;
    this.#fail(err);
  }

  /** The TLS settings of the session (ALPN: h2, or h2 then http/1.1 for 'auto'). */
  #tlsOptions(): ConnectionOptions {
    const o = this.#options;
    // net.connect/tls.connect options passed through as over HTTP/1.1 (lookup, family, minVersion …).
    const tls: ConnectionOptions = { ...this.#passThrough, ...o.tls };
    if (o.ca !== undefined) tls.ca = o.ca;
    if (o.cert !== undefined) tls.cert = o.cert;
    if (o.key !== undefined) tls.key = o.key;
    if (o.rejectUnauthorized !== undefined) tls.rejectUnauthorized = o.rejectUnauthorized;
    const host = this.#request.host;
    // RFC 6066 §3: SNI carries host names only, never IP literals.
    const servername = o.servername ?? tls.servername ?? (isIP(host) === 0 ? host : undefined);
    if (servername !== undefined) tls.servername = servername;
    tls.ALPNProtocols = this.#mode === 'auto' ? ['h2', 'http/1.1'] : ['h2'];
    return tls;
  }

  /** Sessions are shared by WebSockets to the same origin with the same TLS settings. */
  #key(): string {
    const o = this.#options;
    const r = this.#request;
    return sessionKey(`${r.secure ? 'https' : 'http'}://${r.host}:${r.port}`, {
      ...this.#passThrough,
      tls: o.tls,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      rejectUnauthorized: o.rejectUnauthorized,
      servername: o.servername,
    });
  }

  #open(key: string, session: ClientHttp2Session): void {
    const pooled = addSession(key, session, this.#options.keepHttp2Session === true);
    this.#use(pooled);
  }

  #use(pooled: PooledSession): void {
    this.#pooled = pooled;
    retainSession(pooled, this.#options.keepHttp2Session === true);
    pooled.settings.then(
      (settings) => {
        if (this.#done) return;
        // RFC 8441 §3: extended CONNECT only after SETTINGS_ENABLE_CONNECT_PROTOCOL = 1.
        if (settings.enableConnectProtocol !== true) {
          if (this.#mode === 'auto') {
            this.#done = true;
            this.#release();
            this.#callbacks.fallBack(undefined);
            return;
          }
          this.#fail(
            new ClientError(
              ClientErrorCode.ExtendedConnectUnsupported,
              'The server speaks HTTP/2 but did not send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1: it does not take WebSockets over HTTP/2 (RFC 8441 §3).',
            ),
          );
          return;
        }
        this.#sendConnect(pooled.session);
      },
      (err: Error) => this.#connectionFailed(err),
    );
  }

  #sendConnect(session: ClientHttp2Session): void {
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(this.#request.headers, { endStream: false });
    } catch (err) {
      this.#connectionFailed(err as Error);
      return;
    }
    this.#stream = stream;
    stream.once('close', () => this.#release());
    const reset = (cause?: unknown): ClientError =>
      new ClientError(
        ClientErrorCode.StreamReset,
        `The HTTP/2 stream was reset (RST_STREAM ${http2ErrorName(stream.rstCode ?? 0)}) before the server answered the extended CONNECT.`,
        { cause },
      );
    // A reset with an error code arrives as ERR_HTTP2_STREAM_ERROR; NO_ERROR and CANCEL only as 'close'.
    const onError = (err: Error & { code?: string }): void => {
      if (err.code === 'ERR_HTTP2_STREAM_ERROR') this.#fail(reset(err));
      else this.#connectionFailed(err);
    };
    stream.on('error', onError);
    const onClose = (): void => {
      if (this.#done) return;
      this.#fail(reset());
    };
    stream.once('close', onClose);
    stream.once('response', (headers: IncomingHttpHeaders & IncomingHttpStatusHeader) => {
      if (this.#done) return;
      const status = Number(headers[':status']);
      let protocol: string | undefined;
      try {
        ({ protocol } = validateExtendedConnectResponse(this.#request, { status, headers }, { extensions: this.#extensions }));
      } catch (err) {
        if (!isHandshakeError(err)) throw err;
        if (err.code === ClientErrorCode.UnexpectedStatus) {
          this.#readExcerpt(stream, (body) => {
            this.#fail(new ClientError(err.code, err.message, { status, headers: headerRecord(headers), body, cause: err }));
          });
          return;
        }
        this.#fail(new ClientError(err.code, err.message, { status, headers: headerRecord(headers), cause: err }));
        return;
      }
      this.#done = true;
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
      const extensions = headers['sec-websocket-extensions'];
      this.#callbacks.onOpen({
        socket: stream as unknown as Duplex,
        head: EMPTY,
        response: undefined,
        protocol: protocol ?? '',
        extensions: Array.isArray(extensions) ? extensions.join(', ') : (extensions ?? ''),
        url: this.#request.url,
      });
    });
  }

  /** Read at most BODY_EXCERPT_BYTES of a refusal's body, then reset the stream. */
  #readExcerpt(stream: ClientHttp2Stream, done: (body: string) => void): void {
    const chunks: Buffer[] = [];
    let length = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      done(Buffer.concat(chunks, length).subarray(0, BODY_EXCERPT_BYTES).toString('utf8'));
    };
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= BODY_EXCERPT_BYTES) finish();
    });
    stream.once('end', finish);
    stream.once('close', finish);
  }

  #release(): void {
    const pooled = this.#pooled;
    if (pooled === undefined) return;
    this.#pooled = undefined;
    releaseSession(pooled);
  }

  #connectionFailed(err: Error): void {
    this.#fail(new ClientError(ClientErrorCode.ConnectionFailed, `Could not connect to ${this.#request.url} over HTTP/2: ${err.message}`, { cause: err }));
  }

  #fail(err: ClientError): void {
    if (this.#done) return;
    this.#done = true;
    this.#socket?.destroy();
    const stream = this.#stream;
    if (stream !== undefined && !stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    // The session closes once its last stream has (a stream not yet opened is released here).
    if (stream === undefined) this.#release();
    this.#callbacks.onFail(err);
  }
}
