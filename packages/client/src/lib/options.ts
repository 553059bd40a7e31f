/**
 * The client's options: their types, defaults and validation. Invalid options are rejected at once
 * with a TypeError or RangeError naming the option, before any connection is attempted.
 */
import type { Agent, ClientRequest as HttpRequest, ClientRequestArgs } from 'node:http';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import type { DeflateOfferOptions } from '@rfc6455/deflate';
import { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_LENGTH } from '@rfc6455/protocol';
import type { Extension } from '@rfc6455/protocol';
import { PASS_THROUGH_KEYS, checkHeartbeatKeys, checkTlsOptionKeys, fromMaxPayload, fromWsCount, fromWsDeflate, oneOf } from './ws-options.ts';
import type { DeflateSettings } from './ws-options.ts';

/** Default `handshakeTimeoutMs`: 30 s, from the constructor to `open`. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;
/** Default `closeTimeoutMs`: 30 s (as ws) to wait for the peer's close frame and the end of TCP. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** Default `highWaterMark`: `send` returns false once more than 1 MiB is buffered. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
/** Default `maxRedirects` when `followRedirects` is on. */
export const DEFAULT_MAX_REDIRECTS = 10;

/** Heartbeat settings: ping every `intervalMs`; no pong within `timeoutMs` ends the connection. */
export interface HeartbeatOptions {
  /** Time between pings, in ms (> 0). */
  intervalMs: number;
  /** Time to wait for the pong, in ms (> 0). Default: `intervalMs`. */
  timeoutMs?: number | undefined;
}

/** Options shared by the dialled and the adopted (`fromSocket`) connection. */
export interface ConnectionLimits {
  /** Time from the start of the closing handshake until TCP has ended, in ms; then the socket is destroyed. Default 30000. */
  closeTimeoutMs?: number | undefined;
  /** Largest payload of one incoming frame, in bytes. Default 64 MiB. Over it: close 1009. */
  maxPayloadLength?: number | undefined;
  /** Largest incoming message, in bytes. Default 64 MiB. Over it: close 1009. */
  maxMessageLength?: number | undefined;
  /** Most frames one incoming message may span. Default 131072. Over it: close 1009. */
  maxFragments?: number | undefined;
  /** `send` returns false, and `drain` follows, once `bufferedAmount` exceeds this many bytes. Default 1 MiB. */
  highWaterMark?: number | undefined;
  /** Answer pings with pongs automatically (RFC 6455 §5.5.2). Default true. */
  autoPong?: boolean | undefined;
  /** Ping periodically and terminate the connection when a pong does not come back. Default off. */
  heartbeat?: HeartbeatOptions | false | undefined;
  /**
   * ws's name: the largest incoming message (and so frame), in bytes; coerced to a 32-bit integer,
   * 0 lifts the limit. Sets both `maxMessageLength` and `maxPayloadLength` (give one or the other).
   */
  maxPayload?: number | undefined;
  /** ws's name for `closeTimeoutMs` (give one or the other). */
  closeTimeout?: number | undefined;
  /** Most pieces one incoming frame may be read in (ws's name and meaning; 0: no limit). Default 262144 (the protocol's). Over it: close 1008. */
  maxBufferedChunks?: number | undefined;
  /** Deliver text messages and close reasons without checking their UTF-8 (ws's name): only for a trusted peer. Default false. */
  skipUTF8Validation?: boolean | undefined;
  /**
   * `false` emits each `message`, `ping` and `pong` in its own turn of the event loop (ws's name
   * and meaning; closer to the WHATWG standard, slower). Default true.
   */
  allowSynchronousEvents?: boolean | undefined;
}

/** Options of `WebSocket.fromSocket`: the result of a handshake done elsewhere. */
export interface FromSocketOptions extends ConnectionLimits {
  /** This end's role: 'server' for a socket accepted by a server (it does not mask), 'client' otherwise. */
  role: 'server' | 'client';
  /** The negotiated subprotocol ('' for none). */
  protocol?: string | undefined;
  /** The negotiated Sec-WebSocket-Extensions value, for the `extensions` property ('' for none). */
  extensions?: string | undefined;
  /** Extension objects to run (e.g. permessage-deflate from @rfc6455/deflate), in negotiated order. */
  extensionHandlers?: readonly Extension[] | undefined;
  /** The URL to report as `url` (servers usually leave it ''). */
  url?: string | undefined;
}

/** A function that opens the transport for the handshake, as `http.request`'s `createConnection`. */
export type CreateConnection = (options: ClientRequestArgs, callback?: (err: Error | null, socket?: Duplex) => void) => Duplex;

/** The names of the `http.request()` / `https.request()` options passed through to Node, as ws does. */
export type PassThroughOptionName =
  | 'family' | 'hints' | 'insecureHTTPParser' | 'joinDuplicateHeaders' | 'localAddress' | 'localPort' | 'lookup'
  | 'maxHeaderSize' | 'setDefaultHeaders' | 'setHost' | 'signal' | 'uniqueHeaders' | 'autoSelectFamily'
  | 'autoSelectFamilyAttemptTimeout' | 'keepAlive' | 'keepAliveInitialDelay' | 'noDelay' | 'blockList' | 'ALPNProtocols'
  | 'allowPartialTrustChain' | 'checkServerIdentity' | 'ciphers' | 'clientCertEngine' | 'crl' | 'dhparam' | 'ecdhCurve'
  | 'enableTrace' | 'honorCipherOrder' | 'maxVersion' | 'minDHSize' | 'minVersion' | 'passphrase' | 'pfx'
  | 'privateKeyEngine' | 'privateKeyIdentifier' | 'pskCallback' | 'requestOCSP' | 'secureContext' | 'secureOptions'
  | 'secureProtocol' | 'session' | 'sessionIdContext' | 'sessionTimeout' | 'sigalgs' | 'ticketKeys';

/** The `http.request()` / `https.request()` / `tls.connect()` options passed through to Node untouched, as ws does. */
export type PassThroughOptions = Partial<Pick<HttpsRequestOptions, Extract<PassThroughOptionName, keyof HttpsRequestOptions>>>;

/**
 * Options of `new WebSocket(url, protocols, options)` and `WebSocket.connect(url, options)`: ours,
 * ws 8's (with ws's meaning) and the `http.request()` / `https.request()` options ws passes
 * through to Node ({@link PassThroughOptions}). Any other key throws a TypeError naming it.
 */
export interface WebSocketOptions extends ConnectionLimits, PassThroughOptions {
  /** Subprotocols to offer (also the constructor's second argument). */
  protocols?: string | readonly string[] | undefined;
  /** Extra request headers (not `Upgrade`, `Connection` or `Sec-WebSocket-*`). */
  headers?: Readonly<Record<string, string | number | readonly string[] | undefined>> | undefined;
  /** The `Origin` header to send. */
  origin?: string | undefined;
  /** Time from the constructor to `open`, proxy, redirects and TLS included, in ms. Default 30000. */
  handshakeTimeoutMs?: number | undefined;
  /** Follow 3xx redirects. Default false. */
  followRedirects?: boolean | undefined;
  /** Most redirects to follow. Default 10. */
  maxRedirects?: number | undefined;
  /** A CONNECT proxy (`http://host:port` or `https://…`, userinfo becomes Proxy-Authorization), or `'env'`. */
  proxy?: string | URL | undefined;
  /** An `http.Agent` for the handshake request (not used through a proxy). */
  agent?: Agent | undefined;
  /** Open the transport yourself (not used through a proxy). */
  createConnection?: CreateConnection | undefined;
  /** Trusted CA certificates (PEM). */
  ca?: ConnectionOptions['ca'];
  /** Client certificate (PEM). */
  cert?: ConnectionOptions['cert'];
  /** Client private key (PEM). */
  key?: ConnectionOptions['key'];
  /** TLS SNI server name; default: the URL's host name unless it is an IP address. */
  servername?: string | undefined;
  /** Reject a server certificate that does not verify. Default true. */
  rejectUnauthorized?: boolean | undefined;
  /** Any other `tls.connect` options. */
  tls?: ConnectionOptions | undefined;
  /**
   * Offer permessage-deflate (RFC 7692): `true` (the default) offers it with the defaults, an
   * object with its settings, `false` does not offer it. Memory, when the server accepts: nothing
   * until the first compressed message; then up to ~262 KiB for our compressor with context
   * takeover (windowBits 15, memLevel 8; 0 without takeover) and up to 32 KiB for the server's
   * window (see the README table).
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions | undefined;
  /**
   * Open the WebSocket over HTTP/2 (RFC 8441 extended CONNECT): `true` requires it (wss: needs the
   * server to choose h2 in ALPN, ws: speaks h2c with prior knowledge; a server that does not enable
   * extended CONNECT fails with WS_ERR_EXTENDED_CONNECT_UNSUPPORTED), `'auto'` (wss: only) offers
   * h2 and http/1.1 in ALPN and uses HTTP/2 when the server enables extended CONNECT, HTTP/1.1
   * otherwise. WebSockets to one origin with the same TLS options share one HTTP/2 session.
   * Default false: HTTP/1.1. Not with `agent`, `createConnection`, `proxy` or `followRedirects`.
   */
  http2?: boolean | 'auto' | undefined;
  /**
   * Keep the shared HTTP/2 session open after its last WebSocket has closed, for the next one to
   * the same origin (it is unref'd while idle, so it does not keep the process alive). Default
   * false: the session closes with its last stream.
   */
  keepHttp2Session?: boolean | undefined;
  /**
   * Messages shorter than this many bytes are sent uncompressed under permessage-deflate (the
   * seed's `compression_threshold`). Default 1024: see the README for the measurements behind it.
   * `perMessageDeflate.compressionThreshold` wins when both are given.
   */
  compressionThreshold?: number | undefined;
  /**
   * ws's name: the time each handshake request may take, in ms, restarted on every redirect (ws's
   * meaning). Give it or `handshakeTimeoutMs` (the whole handshake), not both.
   */
  handshakeTimeout?: number | undefined;
  /** The `Sec-WebSocket-Version` to send: 13 (default) or 8; with 8 the origin goes in `Sec-WebSocket-Origin` (as ws). */
  protocolVersion?: 8 | 13 | undefined;
  /** ws's `finishRequest(request, websocket)`: called for each handshake request instead of `request.end()`; it must end the request. */
  finishRequest?: ((request: HttpRequest, websocket: any) => void) | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any -- ws types the second argument as its WebSocket
  /** ws's `generateMask(mask)`: fill the 4-byte Buffer with the masking key of each frame, synchronously. Default: crypto-random bytes. */
  generateMask?: ((mask: Buffer) => void) | undefined;
  /** Basic authentication `user:password` for the handshake request (`http.request`'s `auth`; dropped on a redirect to another host). */
  auth?: string | undefined;
}

/** Settings of the `perMessageDeflate` option. */
export interface PerMessageDeflateOptions {
  /** The offers, most preferred first (@rfc6455/deflate's `DeflateOfferOptions`). Default: one offer with `client_max_window_bits`. */
  offers?: DeflateOfferOptions | readonly DeflateOfferOptions[] | undefined;
  /** Messages shorter than this many bytes are sent uncompressed. Default 1024 (@rfc6455/deflate's default). */
  compressionThreshold?: number | undefined;
  /** zlib level, 0–9 or -1 (zlib's default). */
  level?: number | undefined;
  /** zlib memLevel, 1–9. Default 8. */
  memLevel?: number | undefined;
  /** ws's offer parameter: ask the server not to keep its context between messages. */
  serverNoContextTakeover?: boolean | undefined;
  /** ws's offer parameter: promise not to keep our context between messages. */
  clientNoContextTakeover?: boolean | undefined;
  /** ws's offer parameter: ask the server for a window of at most 2^n bytes (8–15). */
  serverMaxWindowBits?: number | undefined;
  /** ws's offer parameter: `true` (default) lets the server choose our window; 8–15 caps it. */
  clientMaxWindowBits?: number | boolean | undefined;
  /** ws's name for `compressionThreshold`. Default 1024, as ws. */
  threshold?: number | undefined;
  /** ws's zlib deflate options: `level` and `memLevel` are taken; any other key throws. */
  zlibDeflateOptions?: { level?: number | undefined; memLevel?: number | undefined } | undefined;
  /** ws's zlib inflate options: none can be honoured (an empty object is accepted); any key throws. */
  zlibInflateOptions?: Record<string, never> | undefined;
  /** ws's limit of concurrent zlib jobs. Default 10, shared by the process. */
  concurrencyLimit?: number | undefined;
}

/** The options after validation, with every default filled in. */
export interface ResolvedLimits {
  readonly closeTimeoutMs: number;
  readonly maxPayloadLength: number;
  readonly maxMessageLength: number;
  readonly maxFragments: number;
  readonly highWaterMark: number;
  readonly autoPong: boolean;
  readonly heartbeat: { readonly intervalMs: number; readonly timeoutMs: number } | undefined;
  readonly maxBufferedChunks: number | undefined;
  readonly skipUtf8Validation: boolean;
  readonly allowSynchronousEvents: boolean;
  /** ws's `generateMask`, as the protocol's mask key source; undefined for the default (CSPRNG). */
  readonly randomMaskKey: (() => Uint8Array) | undefined;
}

function limit(name: string, value: unknown, fallback: number, { positive = false, infinite = true } = {}): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < (positive ? 1 : 0) ||
    (!Number.isInteger(value) && !(infinite && value === Infinity))
  ) {
    throw new RangeError(
      `${name} must be a ${positive ? 'positive' : 'non-negative'} integer${infinite ? ' or Infinity' : ''}, got ${String(value)}`,
    );
  }
  return value;
}

function timeout(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  // Node timers cap at 2^31-1 ms; a larger value would fire at once.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new RangeError(`${name} must be an integer number of milliseconds from 1 to 2147483647, got ${String(value)}`);
  }
  return value;
}

/** Validate the limits shared by dialled and adopted connections. */
export function resolveLimits(options: ConnectionLimits): ResolvedLimits {
  for (const name of ['autoPong', 'skipUTF8Validation', 'allowSynchronousEvents'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof options[name]}`);
  }
  oneOf(options, 'closeTimeout', 'closeTimeoutMs');
  oneOf(options, 'maxPayload', 'maxMessageLength');
  oneOf(options, 'maxPayload', 'maxPayloadLength');
  let heartbeat: ResolvedLimits['heartbeat'];
  if (options.heartbeat !== undefined && options.heartbeat !== false) {
    if (options.heartbeat === null || typeof options.heartbeat !== 'object') {
      throw new TypeError('heartbeat must be { intervalMs, timeoutMs } or false');
    }
    checkHeartbeatKeys(options.heartbeat);
    const intervalMs = timeout('heartbeat.intervalMs', options.heartbeat.intervalMs, Number.NaN);
    if (Number.isNaN(intervalMs)) throw new RangeError('heartbeat.intervalMs is required');
    heartbeat = { intervalMs, timeoutMs: timeout('heartbeat.timeoutMs', options.heartbeat.timeoutMs, intervalMs) };
  }
  const maxPayload = options.maxPayload === undefined ? undefined : fromMaxPayload(options.maxPayload);
  // ws documents maxFragments with 0 meaning no limit; ours took only positive counts: both work.
  const maxFragments = options.maxFragments === 0 ? Infinity : limit('maxFragments', options.maxFragments, DEFAULT_MAX_FRAGMENTS, { positive: true });
  return {
    closeTimeoutMs: timeout(options.closeTimeout === undefined ? 'closeTimeoutMs' : 'closeTimeout', options.closeTimeout ?? options.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS),
    maxPayloadLength: maxPayload ?? limit('maxPayloadLength', options.maxPayloadLength, DEFAULT_MAX_MESSAGE_LENGTH),
    maxMessageLength: maxPayload ?? limit('maxMessageLength', options.maxMessageLength, DEFAULT_MAX_MESSAGE_LENGTH),
    maxFragments,
    highWaterMark: limit('highWaterMark', options.highWaterMark, DEFAULT_HIGH_WATER_MARK),
    autoPong: options.autoPong ?? true,
    heartbeat,
    maxBufferedChunks: options.maxBufferedChunks === undefined ? undefined : fromWsCount('maxBufferedChunks', options.maxBufferedChunks),
    skipUtf8Validation: options.skipUTF8Validation ?? false,
    allowSynchronousEvents: options.allowSynchronousEvents ?? true,
    randomMaskKey: maskKeySource((options as WebSocketOptions).generateMask),
  };
}

let lastLimits: ResolvedLimits | undefined;

/**
 * `limits`, or an equal object resolved before: a server wraps every connection with the same
 * limits, and each connection keeps them, so sharing one object saves one per connection. Limits
 * are never changed after resolving; a `generateMask` source is a new function each time, so
 * limits with one are never shared.
 */
export function internLimits(limits: ResolvedLimits): ResolvedLimits {
  const last = lastLimits;
  if (last !== undefined && sameLimits(last, limits)) return last;
  lastLimits = limits;
  return limits;
}

/** Every field equal (the heartbeat by its two values, anything else by identity), whatever fields ResolvedLimits gains. */
function sameLimits(a: ResolvedLimits, b: ResolvedLimits): boolean {
  const keys = Object.keys(b) as (keyof ResolvedLimits)[];
  if (keys.length !== Object.keys(a).length) return false;
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (key !== 'heartbeat' || a.heartbeat === undefined || b.heartbeat === undefined) return false;
    if (a.heartbeat.intervalMs !== b.heartbeat.intervalMs || a.heartbeat.timeoutMs !== b.heartbeat.timeoutMs) return false;
  }
  return true;
}

/** ws's `generateMask(buffer)` as a mask key source: a fresh 4-byte Buffer per frame, filled by the caller's function. */
function maskKeySource(generateMask: unknown): (() => Uint8Array) | undefined {
  if (generateMask === undefined) return undefined;
  if (typeof generateMask !== 'function') throw new TypeError('generateMask must be a function (mask: Buffer) => void');
  return () => {
    const mask = Buffer.alloc(4);
    generateMask(mask);
    return mask;
  };
}

/** The `http.request()` options that shape an HTTP/1.1 exchange only: refused with `http2`. */
const HTTP1_ONLY_KEYS = ['insecureHTTPParser', 'joinDuplicateHeaders', 'maxHeaderSize', 'setDefaultHeaders', 'setHost', 'uniqueHeaders', 'signal'];

/** The dialling options after validation. */
export interface ResolvedDialOptions {
  readonly handshakeTimeoutMs: number;
  /** ws's per-request `handshakeTimeout`, restarted on each redirect; undefined when not given. */
  readonly requestTimeoutMs: number | undefined;
  /** The Sec-WebSocket-Version sent: 13 or 8. */
  readonly protocolVersion: 8 | 13;
  readonly finishRequest: WebSocketOptions['finishRequest'];
  /** `http.request()` / `tls.connect()` options passed through to Node. */
  readonly passThrough: Readonly<Record<string, unknown>>;
  /** The Unix domain socket of a ws+unix: URL (set by the dial setup, not an option). */
  readonly socketPath?: string | undefined;
  /** The ws+unix: URL itself, reported as `url` unless a redirect leads elsewhere. */
  readonly ipcHref?: string | undefined;
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  readonly proxy: string | URL | undefined;
  /** `http2`: false (HTTP/1.1), true (HTTP/2 only) or 'auto'. */
  readonly http2: boolean | 'auto';
  /** The permessage-deflate settings (in our shape) when it is offered, else undefined. */
  readonly perMessageDeflate: DeflateSettings | undefined;
}

/** Validate the options only a dialled connection has. */
export function resolveDialOptions(options: WebSocketOptions): ResolvedDialOptions {
  if (options.followRedirects !== undefined && typeof options.followRedirects !== 'boolean') {
    throw new TypeError(`followRedirects must be a boolean, got ${typeof options.followRedirects}`);
  }
  if (options.proxy !== undefined && typeof options.proxy !== 'string' && !(options.proxy instanceof URL)) {
    throw new TypeError("proxy must be a URL string such as 'http://host:3128', a URL, or 'env'");
  }
  if (options.agent !== undefined && (options.agent === null || typeof options.agent !== 'object')) {
    throw new TypeError('agent must be an http.Agent');
  }
  if (options.createConnection !== undefined && typeof options.createConnection !== 'function') {
    throw new TypeError('createConnection must be a function (options, callback) => Duplex');
  }
  if (options.tls !== undefined && (options.tls === null || typeof options.tls !== 'object')) {
    throw new TypeError('tls must be an object of tls.connect options');
  }
  if (options.tls !== undefined) checkTlsOptionKeys(options.tls);
  const http2 = options.http2 ?? false;
  if (http2 !== true && http2 !== false && http2 !== 'auto') throw new TypeError(`http2 must be true, false or 'auto', got ${JSON.stringify(http2)}`);
  if (options.keepHttp2Session !== undefined && typeof options.keepHttp2Session !== 'boolean') {
    throw new TypeError(`keepHttp2Session must be a boolean, got ${typeof options.keepHttp2Session}`);
  }
  if (http2 !== false) {
    // These shape an HTTP/1.1 connection or exchange; over a shared HTTP/2 session they cannot apply.
    // http.request's own options have no HTTP/2 counterpart here either; net/tls ones go to the session's socket.
    for (const name of ['agent', 'createConnection', 'proxy', 'finishRequest', 'auth', ...HTTP1_ONLY_KEYS]) {
      if ((options as Record<string, unknown>)[name] !== undefined) {
        throw new TypeError(`${name} cannot be used with http2 (the WebSocket rides a shared HTTP/2 session); leave http2 off`);
      }
    }
    if (options.followRedirects === true) throw new TypeError('followRedirects cannot be used with http2: redirects are followed over HTTP/1.1 only');
    // RFC 8441 bootstraps version 13 only.
    if (options.protocolVersion !== undefined && options.protocolVersion !== 13) throw new TypeError('protocolVersion must be 13 with http2 (RFC 8441 bootstraps version 13 only)');
  } else if (options.keepHttp2Session !== undefined) {
    throw new TypeError("keepHttp2Session only applies with http2: true or 'auto'");
  }
  const deflate = options.perMessageDeflate;
  if (deflate !== undefined && typeof deflate !== 'boolean' && (deflate === null || typeof deflate !== 'object')) {
    throw new TypeError('perMessageDeflate must be a boolean or an object of its settings (ws\'s or ours)');
  }
  oneOf(options, 'handshakeTimeout', 'handshakeTimeoutMs');
  const version = options.protocolVersion ?? 13;
  // ws's check and wording: only the two versions of RFC 6455's drafts that ws speaks.
  if (version !== 8 && version !== 13) throw new RangeError(`Unsupported protocol version: ${String(version)} (supported versions: 8, 13)`);
  if (options.finishRequest !== undefined && typeof options.finishRequest !== 'function') {
    throw new TypeError('finishRequest must be a function (request, websocket) => void that calls request.end()');
  }
  if (options.auth !== undefined && typeof options.auth !== 'string') throw new TypeError("auth must be a string 'user:password'");
  const passThrough: Record<string, unknown> = {};
  for (const name of Object.keys(options)) {
    if (PASS_THROUGH_KEYS.has(name)) passThrough[name] = (options as Record<string, unknown>)[name];
  }
  const threshold = options.compressionThreshold;
  if (threshold !== undefined && (typeof threshold !== 'number' || Number.isNaN(threshold) || threshold < 0)) {
    throw new RangeError(`compressionThreshold must be a number ≥ 0 (Infinity: never compress), got ${String(threshold)}`);
  }
  // RFC 7692 is offered unless turned off: most servers accept it, and text traffic shrinks 5–7×.
  const settings: DeflateSettings | undefined =
    deflate === false ? undefined : deflate === true || deflate === undefined ? {} : fromWsDeflate(deflate);
  return {
    handshakeTimeoutMs: timeout('handshakeTimeoutMs', options.handshakeTimeoutMs, DEFAULT_HANDSHAKE_TIMEOUT_MS),
    requestTimeoutMs: options.handshakeTimeout === undefined ? undefined : timeout('handshakeTimeout', options.handshakeTimeout, 0),
    protocolVersion: version,
    finishRequest: options.finishRequest,
    passThrough,
    followRedirects: options.followRedirects ?? false,
    maxRedirects: limit('maxRedirects', options.maxRedirects, DEFAULT_MAX_REDIRECTS, { infinite: false }),
    proxy: options.proxy,
    http2,
    perMessageDeflate:
      settings === undefined
        ? undefined
        : { ...settings, compressionThreshold: settings.compressionThreshold ?? threshold },
  };
}
