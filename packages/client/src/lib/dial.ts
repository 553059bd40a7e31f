/**
 * The client's opening handshake over node:http (RFC 6455 §4.1): an optional CONNECT tunnel
 * through a proxy, TLS, the upgrade request, redirects, and the check of the server's answer by
 * @rfc6455/handshake. The HTTP response parsing, agents and TLS belong to Node; this file only
 * decides what to send and what the answer means.
 */
import { request as httpRequest } from 'node:http';
import type { ClientRequest as HttpRequest, IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { buildClientRequest, isHandshakeError, validateServerResponse } from '@rfc6455/handshake';
import type { ClientExtension, ClientRequest, ExtensionInput } from '@rfc6455/handshake';
import { nodeSha1 } from '@rfc6455/handshake/node';
import { BODY_EXCERPT_BYTES, ClientError, ClientErrorCode } from './client-error.ts';
import type { ResolvedDialOptions, WebSocketOptions } from './options.ts';
import { resolveProxy } from './proxy.ts';
import { PROXY_PASS_THROUGH_KEYS, requestHeaders } from './ws-options.ts';

/** What a successful handshake hands to the WebSocket. */
export interface DialResult {
  readonly socket: Duplex;
  readonly head: Buffer;
  /** The HTTP/1.1 101 response; undefined over HTTP/2, whose answer is a HEADERS frame. */
  readonly response: IncomingMessage | undefined;
  /** The selected subprotocol, '' for none. */
  readonly protocol: string;
  /** The Sec-WebSocket-Extensions header of the answer, '' for none. */
  readonly extensions: string;
  /** The URL finally connected to (after redirects), in ws:/wss: form. */
  readonly url: string;
}

/** How the dialler reports back; exactly one of onOpen / onFail is called, unless a listener took the response. */
export interface DialCallbacks {
  onOpen(result: DialResult): void;
  onFail(err: ClientError): void;
  /** A non-101 answer that is not followed: true when the application handles it (ws's `unexpected-response`). */
  onUnexpectedResponse(request: HttpRequest, response: IncomingMessage): boolean;
  /**
   * A handshake request was created, its headers not yet sent (`redirected`: it follows a
   * redirect). Return true when the callee ends it itself (ws's `finishRequest`).
   */
  onRequest?(request: HttpRequest, redirected: boolean): boolean;
  /** Whether the application inspects redirects itself (a ws `redirect` listener): then no header is dropped. */
  handlesRedirects?(): boolean;
  /**
   * A 101 answer arrived, not yet checked (ws's `upgrade` event comes here). Return false when
   * the application ended the attempt meanwhile: the socket is dropped and the abort it
   * scheduled reports the failure.
   */
  onUpgradeResponse?(response: IncomingMessage): boolean;
}

/** Response headers as a record of strings (repeated fields joined with `, `). */
export function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** Host and port of a parsed request (what ws compares to decide whether a redirect leaves the host). */
function hostOf(request: ClientRequest): string {
  return `${request.host.toLowerCase()}:${request.port}`;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie']);

/**
 * One connection attempt, redirects included. `abort(err)` stops it at any point (timeout, close()
 * before open) and reports `err` through onFail.
 */
export class Dialer {
  readonly #options: WebSocketOptions;
  readonly #resolved: ResolvedDialOptions;
  readonly #callbacks: DialCallbacks;
  readonly #offers: readonly ExtensionInput[];
  readonly #extensions: readonly ClientExtension[];
  readonly #original: ClientRequest;
  #request: ClientRequest;
  #headers: WebSocketOptions['headers'];
  #auth: string | undefined;
  #socketPath: string | undefined;
  #response: IncomingMessage | undefined;
  #redirects = 0;
  #httpRequest: HttpRequest | undefined;
  #proxyRequest: HttpRequest | undefined;
  #transport: Duplex | undefined;
  #done = false;

  /**
   * `request` is the first request (built with `offers` as its extensions); `extensions` check the
   * server's answer to those offers (see @rfc6455/handshake's `validateServerResponse`).
   */
  constructor(
    request: ClientRequest,
    options: WebSocketOptions,
    resolved: ResolvedDialOptions,
    callbacks: DialCallbacks,
    offers: readonly ExtensionInput[] = [],
    extensions: readonly ClientExtension[] = [],
  ) {
    this.#request = request;
    this.#original = request;
    this.#auth = options.auth;
    this.#socketPath = resolved.socketPath;
    this.#offers = offers;
    this.#extensions = extensions;
    this.#options = options;
    this.#resolved = resolved;
    this.#callbacks = callbacks;
    this.#headers = options.headers;
  }

  /** The URL being dialled (changes on a redirect). */
  get url(): string {
    return this.#request.url;
  }

  /** Start dialling. */
  start(): void {
    let proxy: URL | undefined;
    try {
      proxy = resolveProxy(this.#resolved.proxy, this.#request);
    } catch (err) {
      this.#fail(new ClientError(ClientErrorCode.ProxyConnectFailed, (err as Error).message, { cause: err }));
      return;
    }
    if (proxy === undefined) this.#sendUpgrade(undefined);
    else this.#tunnel(proxy);
  }

  /** Stop the attempt and report `err` (no-op once finished). */
  abort(err: ClientError): void {
    if (this.#done) return;
    this.#fail(err);
  }

  #fail(err: ClientError): void {
    if (this.#done) return;
    this.#done = true;
    this.#httpRequest?.destroy();
    this.#response?.destroy();
    this.#proxyRequest?.destroy();
    this.#transport?.destroy();
    this.#callbacks.onFail(err);
  }

  #connectionFailed(err: Error, through: string): void {
    this.#fail(
      new ClientError(ClientErrorCode.ConnectionFailed, `Could not connect to ${through}: ${err.message}`, { cause: err }),
    );
  }

  #tlsOptions(host: string): ConnectionOptions {
    const o = this.#options;
    const tls: ConnectionOptions = { ...this.#resolved.passThrough, ...o.tls };
    if (o.ca !== undefined) tls.ca = o.ca;
    if (o.cert !== undefined) tls.cert = o.cert;
    if (o.key !== undefined) tls.key = o.key;
    if (o.rejectUnauthorized !== undefined) tls.rejectUnauthorized = o.rejectUnauthorized;
    // RFC 6066 §3: SNI carries host names only, never IP literals.
    const servername = o.servername ?? tls.servername ?? (isIP(host) === 0 ? host : undefined);
    if (servername !== undefined) tls.servername = servername;
    tls.ALPNProtocols ??= ['http/1.1'];
    return tls;
  }

  /** Open a CONNECT tunnel to the target through `proxy` (RFC 9110 §9.3.6), then upgrade through it. */
  #tunnel(proxy: URL): void {
    const { host, port } = this.#request;
    const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { host: authority };
    if (proxy.username !== '' || proxy.password !== '') {
      const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const options: RequestOptions = {
      method: 'CONNECT',
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port === '' ? (proxy.protocol === 'https:' ? 443 : 80) : Number(proxy.port),
      path: authority,
      headers,
      agent: false,
    };
    for (const name of PROXY_PASS_THROUGH_KEYS) {
      const value = this.#resolved.passThrough[name];
      if (value !== undefined) (options as Record<string, unknown>)[name] = value;
    }
    const req = proxy.protocol === 'https:' ? httpsRequest({ ...options, ...this.#tlsOptions(proxy.hostname) }) : httpRequest(options);
    this.#proxyRequest = req;
    req.once('connect', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      this.#proxyRequest = undefined;
      if (this.#done) {
        socket.destroy();
        return;
      }
      if (res.statusCode !== 200) {
        socket.destroy();
        this.#fail(
          new ClientError(ClientErrorCode.ProxyConnectFailed, `The proxy refused CONNECT ${authority}: ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trim(), {
            status: res.statusCode,
            headers: headerRecord(res.headers),
          }),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      let transport: Duplex = socket;
      if (this.#request.secure) transport = tlsConnect({ ...this.#tlsOptions(host), socket });
      this.#transport = transport;
      this.#sendUpgrade(transport);
    });
    req.once('error', (err) => this.#connectionFailed(err, `proxy ${proxy.host}`));
    req.once('response', (res: IncomingMessage) => {
      // A proxy that answers CONNECT with a plain response (Node emits 'response' when no 'connect' follows).
      res.resume();
      this.#fail(
        new ClientError(ClientErrorCode.ProxyConnectFailed, `The proxy refused CONNECT ${authority}: ${res.statusCode ?? 0}`, {
          status: res.statusCode,
          headers: headerRecord(res.headers),
        }),
      );
    });
    req.end();
  }

  /** Send the upgrade request (RFC 6455 §4.1), over `transport` when a tunnel is open. */
  #sendUpgrade(transport: Duplex | undefined): void {
    const r = this.#request;
    const options: RequestOptions = {
      ...this.#resolved.passThrough,
      method: 'GET',
      host: r.host,
      port: r.port,
      path: r.path,
      headers: requestHeaders(r.headers, this.#resolved.protocolVersion, this.#resolved.passThrough['setHost'] !== false),
      setHost: false,
    };
    if (this.#auth !== undefined) options.auth = this.#auth;
    // ws+unix: (ws's IPC URLs): the request goes over the Unix domain socket.
    if (this.#socketPath !== undefined) options.socketPath = this.#socketPath;
    if (transport !== undefined) {
      options.createConnection = () => transport as Socket;
    } else if (this.#options.agent !== undefined) {
      options.agent = this.#options.agent;
      if (r.secure) Object.assign(options, this.#tlsOptions(r.host));
    } else {
      // No agent: one connection of our own, never pooled (an upgraded socket leaves HTTP for good).
      const create = this.#options.createConnection;
      if (r.secure) {
        Object.assign(options, this.#tlsOptions(r.host));
        options.createConnection = (create ?? ((o: ConnectionOptions) => tlsConnect(o))) as RequestOptions['createConnection'];
      } else {
        options.createConnection = (create ?? ((o: { host: string; port: number }) => netConnect(o))) as RequestOptions['createConnection'];
      }
    }
    let req: HttpRequest;
    try {
      req = r.secure && transport === undefined ? httpsRequest(options) : httpRequest(options);
    } catch (err) {
      this.#connectionFailed(err as Error, r.url);
      return;
    }
    this.#httpRequest = req;
    req.once('error', (err) => this.#connectionFailed(err, r.url));
    req.once('response', (res: IncomingMessage) => this.#onResponse(req, res));
    req.once('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(res, socket, head));
    if (this.#callbacks.onRequest?.(req, this.#redirects > 0) !== true) req.end();
  }

  #onUpgrade(res: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#httpRequest = undefined;
    if (this.#done || this.#callbacks.onUpgradeResponse?.(res) === false) {
      socket.destroy();
      return;
    }
    let protocol: string | undefined;
    try {
      ({ protocol } = validateServerResponse(
        this.#request,
        { status: res.statusCode ?? 0, headers: res.rawHeaders },
        { sha1: nodeSha1, extensions: this.#extensions },
      ));
    } catch (err) {
      socket.destroy();
      if (!isHandshakeError(err)) throw err;
      this.#fail(
        new ClientError(err.code, err.message, { status: res.statusCode, headers: headerRecord(res.headers), cause: err }),
      );
      return;
    }
    this.#done = true;
    this.#transport = undefined;
    const extensions = res.headers['sec-websocket-extensions'];
    this.#callbacks.onOpen({
      socket,
      head,
      response: res,
      protocol: protocol ?? '',
      extensions: Array.isArray(extensions) ? extensions.join(', ') : (extensions ?? ''),
      url: this.#redirects === 0 && this.#resolved.ipcHref !== undefined ? this.#resolved.ipcHref : this.#request.url,
    });
  }

  #onResponse(req: HttpRequest, res: IncomingMessage): void {
    this.#httpRequest = undefined;
    if (this.#done) {
      res.destroy();
      return;
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (this.#resolved.followRedirects && status >= 300 && status < 400 && location !== undefined) {
      res.resume();
      this.#redirect(location, status);
      return;
    }
    // The application took the response (ws's contract): it ends the attempt itself with
    // terminate()/close(), or the handshake timeout does. Until then the request and response are
    // kept, so that ending the attempt also closes their socket.
    this.#httpRequest = req;
    this.#response = res;
    if (this.#callbacks.onUnexpectedResponse(req, res)) return;
    this.#httpRequest = undefined;
    this.#response = undefined;
    this.#readExcerpt(res, (body) => {
      this.#fail(
        new ClientError(ClientErrorCode.UnexpectedStatus, `Unexpected server response: ${status} (expected 101 Switching Protocols)`, {
          status,
          headers: headerRecord(res.headers),
          body,
        }),
      );
    });
  }

  /** Read at most BODY_EXCERPT_BYTES of the body, then stop reading. */
  #readExcerpt(res: IncomingMessage, done: (body: string) => void): void {
    const chunks: Buffer[] = [];
    let length = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      res.destroy();
      done(Buffer.concat(chunks, length).subarray(0, BODY_EXCERPT_BYTES).toString('utf8'));
    };
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= BODY_EXCERPT_BYTES) finish();
    });
    res.once('end', finish);
    res.once('error', finish);
    res.once('close', finish);
  }

  #redirect(location: string, status: number): void {
    if (++this.#redirects > this.#resolved.maxRedirects) {
      this.#fail(
        new ClientError(ClientErrorCode.TooManyRedirects, `More than maxRedirects (${this.#resolved.maxRedirects}) redirects`, {
          status,
        }),
      );
      return;
    }
    const previous = this.#request;
    let next: ClientRequest;
    try {
      const target = new URL(location, previous.url);
      const candidate = buildClientRequest(target, { protocols: previous.protocols });
      // Credentials stay with the host that was given them (ws's rule, after curl): drop them on a
      // redirect to another host or port, or from wss: to ws:, unless a 'redirect' listener decides.
      const original = this.#original;
      const leaves = hostOf(candidate) !== hostOf(original) || (original.secure && !candidate.secure) || this.#socketPath !== undefined;
      if (leaves && this.#callbacks.handlesRedirects?.() !== true) {
        this.#auth = undefined;
        if (this.#headers !== undefined) {
          const kept: Record<string, string | number | readonly string[] | undefined> = {};
          for (const name of Object.keys(this.#headers)) {
            if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) kept[name] = this.#headers[name];
          }
          this.#headers = kept;
        }
      }
      this.#socketPath = undefined;
      next = buildClientRequest(target, {
        protocols: previous.protocols,
        origin: this.#options.origin,
        headers: this.#headers,
        extensions: this.#offers,
      });
    } catch (err) {
      this.#fail(new ClientError(ClientErrorCode.InvalidRedirect, `Invalid redirect to ${JSON.stringify(location)}: ${(err as Error).message}`, { status, cause: err }));
      return;
    }
    this.#request = next;
    this.#transport?.destroy();
    this.#transport = undefined;
    this.start();
  }
}
