/**
 * The client side of the opening handshake as the WebSocket constructor starts it: resolve the
 * dial options, offer permessage-deflate (RFC 7692 §5), build the request and the Dialer, bound
 * it by the handshake timeout, and make the extension objects the server's answer turned on. The
 * Dialer does the I/O; this module only wires it to the connection.
 */
import type { ClientRequest as HttpRequest, IncomingMessage } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { PERMESSAGE_DEFLATE, createDeflateClientNegotiator } from '@rfc6455/deflate';
import type { DeflateClientNegotiator } from '@rfc6455/deflate';
import { PerMessageDeflate } from '@rfc6455/deflate/node';
import { buildClientRequest, buildExtendedConnectRequest } from '@rfc6455/handshake';
import type { ClientExtension, ClientRequest, ExtensionInput } from '@rfc6455/handshake';
import type { Extension } from '@rfc6455/protocol';
import { ClientError, ClientErrorCode } from './client-error.ts';
import { Dialer } from './dial.ts';
import type { DialCallbacks, DialResult } from './dial.ts';
import { Http2Dialer } from './h2-dial.ts';
import { resolveDialOptions } from './options.ts';
import type { ResolvedDialOptions, WebSocketOptions } from './options.ts';
import type { DeflateSettings } from './ws-options.ts';

/** What the connection does with the outcome of the handshake. */
export interface DialHooks {
  /** The handshake succeeded; `createExtensions` makes the negotiated extensions, in order. */
  onOpen(result: DialResult, createExtensions: () => Extension[]): void;
  /** The handshake failed (refused, timed out, aborted, network error). */
  onFail(err: ClientError): void;
  /** A non-101 answer: true when the application takes it over ('unexpected-response' listener). */
  onUnexpectedResponse(request: HttpRequest, response: IncomingMessage): boolean;
  /** A handshake request is ready, not yet ended (`redirected`: after a redirect, now at `url`). True when the hook ended it (ws's `finishRequest`). */
  onRequest(request: HttpRequest, redirected: boolean, url: string): boolean;
  /** Whether a `redirect` listener decides which headers follow a redirect (ws: then none is dropped). */
  handlesRedirects(): boolean;
  /** A 101 answer arrived, before it is checked (ws's `upgrade`); false when the attempt was ended meanwhile. */
  onUpgradeResponse(response: IncomingMessage): boolean;
}

/** A connection attempt, over HTTP/1.1 or HTTP/2: started once, aborted at any point. */
export interface DialAttempt {
  /** The URL being dialled. */
  readonly url: string;
  /** Start dialling. */
  start(): void;
  /** Stop the attempt and report `err` (no-op once finished). */
  abort(err: ClientError): void;
}

/** A handshake ready to start. */
export interface DialSetup {
  /** The request URL in ws:/wss: form. */
  readonly url: string;
  /** The dialer; call `start()` to connect. It fails with WS_ERR_HANDSHAKE_TIMEOUT when not open within `handshakeTimeoutMs`. */
  readonly dialer: DialAttempt;
}

/**
 * Prepare the handshake to `url` offering `protocols`; the handshake timeout runs from now.
 *
 * @throws {SyntaxError} for an invalid URL or subprotocol.
 * @throws {TypeError|RangeError} for an invalid dial option, naming it.
 */
export function setUpDial(
  url: string | URL,
  protocols: string | readonly string[] | undefined,
  opts: WebSocketOptions,
  hooks: DialHooks,
): DialSetup {
  let dial = resolveDialOptions(opts);
  const ipc = parseIpcUrl(url);
  if (ipc !== undefined) {
    if (dial.http2 !== false) throw new TypeError('http2 cannot be used with a ws+unix: URL: HTTP/2 is dialled over TCP or TLS');
    url = ipc.url;
    dial = { ...dial, socketPath: ipc.socketPath, ipcHref: ipc.href };
  }
  const deflate = dial.perMessageDeflate;
  // RFC 7692 §5: offer permessage-deflate; the negotiator checks the server's answer.
  const negotiator = deflate === undefined ? undefined : createDeflateClientNegotiator(deflate.offers ?? {});
  const offers = negotiator === undefined ? [] : negotiator.offers.map((params) => ({ name: PERMESSAGE_DEFLATE, params }));
  const request = buildClientRequest(url, {
    protocols: protocols ?? opts.protocols,
    origin: opts.origin,
    headers: opts.headers,
    extensions: offers,
  });
  const callbacks: DialCallbacks = {
    onOpen: (result) => {
      clearTimeout(timer);
      hooks.onOpen(result, () => negotiatedExtensions(negotiator, deflate));
    },
    onFail: (err) => {
      clearTimeout(timer);
      hooks.onFail(err);
    },
    onUnexpectedResponse: (req, res) => hooks.onUnexpectedResponse(req, res),
    onRequest: (req, redirected): boolean => {
      // ws's handshakeTimeout bounds each request and starts again on every redirect.
      if (dial.requestTimeoutMs !== undefined) {
        clearTimeout(timer);
        timer = setTimeout(timeUp, dial.requestTimeoutMs, 'handshakeTimeout', dial.requestTimeoutMs);
      }
      return hooks.onRequest(req, redirected, dialer.url);
    },
    handlesRedirects: () => hooks.handlesRedirects(),
    onUpgradeResponse: (res) => hooks.onUpgradeResponse(res),
  };
  const extensions = negotiator === undefined ? [] : [negotiator];
  // 'auto' over ws: has nothing to negotiate h2 with (no ALPN): HTTP/1.1.
  const useHttp2 = dial.http2 === true || (dial.http2 === 'auto' && request.secure);
  const dialer: DialAttempt = useHttp2
    ? new Http2Attempt(url, protocols ?? opts.protocols, request, opts, dial, callbacks, offers, extensions)
    : new Dialer(request, opts, dial, callbacks, offers, extensions);
  const timeUp = (name: string, ms: number): void => {
    dialer.abort(new ClientError(ClientErrorCode.HandshakeTimeout, `Opening handshake has timed out: not complete within ${name} (${ms} ms)`));
  };
  // handshakeTimeoutMs bounds the whole handshake; ws's handshakeTimeout runs from now (a proxy
  // tunnel included) to the first request, then again for each request (restarted in onRequest).
  let timer =
    dial.requestTimeoutMs === undefined
      ? setTimeout(timeUp, dial.handshakeTimeoutMs, 'handshakeTimeoutMs', dial.handshakeTimeoutMs)
      : setTimeout(timeUp, dial.requestTimeoutMs, 'handshakeTimeout', dial.requestTimeoutMs);
  return { url: ipc === undefined ? request.url : ipc.href, dialer };
}

/**
 * An attempt over HTTP/2 (`http2: true` or `'auto'`), which under 'auto' becomes an HTTP/1.1
 * attempt when the server does not take WebSockets over HTTP/2.
 */
class Http2Attempt implements DialAttempt {
  #current: DialAttempt;

  constructor(
    url: string | URL,
    protocols: string | readonly string[] | undefined,
    http1: ClientRequest,
    opts: WebSocketOptions,
    dial: ResolvedDialOptions,
    callbacks: DialCallbacks,
    offers: readonly ExtensionInput[],
    extensions: readonly ClientExtension[],
  ) {
    const request = buildExtendedConnectRequest(url, { protocols, origin: opts.origin, headers: opts.headers, extensions: offers });
    this.#current = new Http2Dialer(
      request,
      opts,
      dial.http2 === 'auto' ? 'auto' : true,
      {
        onOpen: (result) => callbacks.onOpen(result),
        onFail: (err) => callbacks.onFail(err),
        fallBack: (socket) => {
          // The TLS connection that chose http/1.1 in ALPN carries the upgrade; a redirect dials anew.
          let spare = socket;
          const fallbackOptions: WebSocketOptions =
            spare === undefined
              ? opts
              : {
                  ...opts,
                  createConnection: (options) => {
                    const reused = spare;
                    spare = undefined;
                    return reused ?? tlsConnect(options as ConnectionOptions);
                  },
                };
          this.#current = new Dialer(http1, fallbackOptions, dial, callbacks, offers, extensions);
          this.#current.start();
        },
      },
      extensions,
      dial.passThrough,
    );
  }

  get url(): string {
    return this.#current.url;
  }

  start(): void {
    this.#current.start();
  }

  abort(err: ClientError): void {
    this.#current.abort(err);
  }
}

/**
 * ws's IPC URL, `ws+unix:/path/to/socket:/request/path?query`: the socket path runs up to the
 * first `:` (the request path defaults to `/`). Undefined for any other URL.
 *
 * @throws {SyntaxError} for a ws+unix: URL without a socket path, or with a fragment.
 */
export function parseIpcUrl(url: string | URL): { href: string; socketPath: string; url: string } | undefined {
  const href = typeof url === 'string' ? url : url?.href;
  if (typeof href !== 'string' || !href.toLowerCase().startsWith('ws+unix:')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(href);
  } catch (err) {
    throw new SyntaxError(`Invalid URL: ${href}`, { cause: err });
  }
  if (parsed.hash !== '') throw new SyntaxError(`Invalid URL ${JSON.stringify(href)}: WebSocket URLs must not have a fragment.`);
  const rest = parsed.pathname + parsed.search;
  const colon = rest.indexOf(':');
  const socketPath = colon === -1 ? rest : rest.slice(0, colon);
  if (socketPath === '' || socketPath === '/') throw new SyntaxError(`Invalid URL ${JSON.stringify(href)}: the ws+unix: URL has no socket path.`);
  const path = colon === -1 ? '/' : rest.slice(colon + 1) || '/';
  return { href: parsed.href, socketPath, url: `ws://localhost${path.startsWith('/') ? path : `/${path}`}` };
}

/** The extension objects for what the server accepted: permessage-deflate or nothing. */
function negotiatedExtensions(negotiator: DeflateClientNegotiator | undefined, settings: DeflateSettings | undefined): Extension[] {
  const extensions: Extension[] = [];
  // The negotiator has a config only when the server accepted permessage-deflate.
  if (negotiator?.config !== undefined && settings !== undefined) {
    extensions.push(
      new PerMessageDeflate({
        role: 'client',
        config: negotiator.config,
        compressionThreshold: settings.compressionThreshold,
        level: settings.level,
        memLevel: settings.memLevel,
        limiter: settings.limiter,
      }),
    );
  }
  return extensions;
}
