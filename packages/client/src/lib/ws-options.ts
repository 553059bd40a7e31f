/**
 * ws 8's option names beside ours, and the rule that no option is silently ignored. Every options
 * object the client takes is checked here against the names it knows — ours, ws's, and the
 * `http.request()` / `https.request()` options ws passes through to Node, which we pass through
 * too — so that a misspelt key throws a TypeError naming it instead of doing nothing. The ws
 * names that need translating (`maxPayload`, a ws-shaped `perMessageDeflate` …) are turned into
 * ours here, so the rest of the package sees one vocabulary.
 */
import { checkOptionKeys } from '@rfc6455/codes';
import type { DeflateOfferOptions } from '@rfc6455/deflate';
import { ZlibLimiter } from '@rfc6455/deflate/node';

/** The per-connection options every WebSocket takes, dialled or adopted (`fromSocket`). */
const CONNECTION_KEYS = [
  'closeTimeoutMs',
  'maxPayloadLength',
  'maxMessageLength',
  'maxFragments',
  'highWaterMark',
  'autoPong',
  'heartbeat',
  // ws's names.
  'maxPayload',
  'closeTimeout',
  'maxBufferedChunks',
  'skipUTF8Validation',
  'allowSynchronousEvents',
] as const;

/** `WebSocket.fromSocket`'s own options. */
const ADOPT_KEYS = ['role', 'protocol', 'extensions', 'extensionHandlers', 'url'] as const;

/** The dialling options that are ours or ws's. */
const DIAL_KEYS = [
  'protocols',
  'headers',
  'origin',
  'handshakeTimeoutMs',
  'followRedirects',
  'maxRedirects',
  'proxy',
  'agent',
  'createConnection',
  'ca',
  'cert',
  'key',
  'servername',
  'rejectUnauthorized',
  'tls',
  'perMessageDeflate',
  'compressionThreshold',
  'http2',
  'keepHttp2Session',
  // ws's names.
  'handshakeTimeout',
  'protocolVersion',
  'finishRequest',
  'generateMask',
  'auth',
] as const;

// tls.connect's and tls.createSecureContext's options (Node 20–24) that ws passes through.
const TLS_PASS_THROUGH = [
  'ALPNProtocols',
  'allowPartialTrustChain',
  'checkServerIdentity',
  'ciphers',
  'clientCertEngine',
  'crl',
  'dhparam',
  'ecdhCurve',
  'enableTrace',
  'honorCipherOrder',
  'maxVersion',
  'minDHSize',
  'minVersion',
  'passphrase',
  'pfx',
  'privateKeyEngine',
  'privateKeyIdentifier',
  'pskCallback',
  'requestOCSP',
  'secureContext',
  'secureOptions',
  'secureProtocol',
  'session',
  'sessionIdContext',
  'sessionTimeout',
  'sigalgs',
  'ticketKeys',
] as const;

/**
 * Options of `http.request()`, `https.request()` and the `net.connect()` / `tls.connect()` calls
 * under them that ws hands to Node untouched; we do the same (Node 20–24 documentation). `ca`,
 * `cert`, `key`, `servername`, `rejectUnauthorized`, `agent`, `createConnection` and `auth` are in
 * {@link DIAL_KEYS}: we read them ourselves.
 */
export const PASS_THROUGH_KEYS: ReadonlySet<string> = new Set([
  // http.request
  'family',
  'hints',
  'insecureHTTPParser',
  'joinDuplicateHeaders',
  'localAddress',
  'localPort',
  'lookup',
  'maxHeaderSize',
  'setDefaultHeaders',
  'setHost',
  'signal',
  'uniqueHeaders',
  // net.connect
  'autoSelectFamily',
  'autoSelectFamilyAttemptTimeout',
  'keepAlive',
  'keepAliveInitialDelay',
  'noDelay',
  'blockList',
  ...TLS_PASS_THROUGH,
]);

/**
 * Network-level pass-through options that also apply to the connection to a proxy (the TLS ones
 * go to the target's TLS inside the tunnel; `auth` and the header options belong to the target).
 */
export const PROXY_PASS_THROUGH_KEYS: ReadonlySet<string> = new Set([
  'family',
  'hints',
  'localAddress',
  'localPort',
  'lookup',
  'autoSelectFamily',
  'autoSelectFamilyAttemptTimeout',
  'keepAlive',
  'keepAliveInitialDelay',
  'noDelay',
  'blockList',
  'signal',
]);

/**
 * Names a caller may bring from ws or Node that we refuse, with what to do instead. ws overwrites
 * most of these with values from the URL, so passing them to ws does nothing; here that is an error.
 */
const REFUSED: Readonly<Record<string, string>> = {
  host: 'the URL gives the host (ws overrides this option too)',
  hostname: 'the URL gives the host (ws overrides this option too)',
  port: 'the URL gives the port (ws overrides this option too)',
  path: 'the URL gives the path (ws overrides this option too)',
  protocol: 'the URL gives the scheme; subprotocols are the second argument or the protocols option',
  method: 'the opening handshake is always a GET (ws overrides this option too)',
  socketPath: 'use a ws+unix:/path/to/socket:/request-path URL (ws overrides this option too)',
  timeout: 'use handshakeTimeout (per request, as ws) or handshakeTimeoutMs (the whole handshake); ws overrides this option',
  defaultPort: 'the URL scheme decides the default port',
  socket: 'use createConnection to provide the transport',
  allowHalfOpen: 'the connection manages its socket itself',
  onread: 'the connection reads its socket itself',
  threshold: 'use perMessageDeflate: { threshold } or compressionThreshold',
  binary: 'binary is an option of send(data, { binary })',
  compress: 'compress is an option of send(data, { compress })',
  fin: 'fin is an option of send(data, { fin })',
  mask: 'mask is an option of send(data, { mask })',
  verifyClient: 'verifyClient is a WebSocketServer option',
  handleProtocols: 'handleProtocols is a WebSocketServer option',
  clientTracking: 'clientTracking is a WebSocketServer option',
};

const CLIENT_KNOWN: ReadonlySet<string> = new Set([...CONNECTION_KEYS, ...DIAL_KEYS, ...PASS_THROUGH_KEYS]);
const ADOPT_KNOWN: ReadonlySet<string> = new Set([...CONNECTION_KEYS, ...ADOPT_KEYS]);
const HEARTBEAT_KNOWN: ReadonlySet<string> = new Set(['intervalMs', 'timeoutMs']);
const SEND_KNOWN: ReadonlySet<string> = new Set(['binary', 'compress', 'fin', 'mask']);

/** @throws {TypeError} naming the first key of `options` that `new WebSocket()` / `connect()` does not know. */
export function checkClientOptionKeys(options: object): void {
  checkOptionKeys('new WebSocket(url, protocols, options)', options, CLIENT_KNOWN, REFUSED);
}

/** @throws {TypeError} naming the first key of `options` that `WebSocket.fromSocket()` does not know. */
export function checkAdoptOptionKeys(options: object): void {
  checkOptionKeys('WebSocket.fromSocket(socket, head, options)', options, ADOPT_KNOWN, ADOPT_HINTS);
}

// Built once: a server calls fromSocket for every connection it accepts (the per-call copy of
// these hints was 1.5% of a handshake-bound server's samples in bench:e2e's profile).
const ADOPT_HINTS: Readonly<Record<string, string>> = {
  ...REFUSED,
  generateMask: 'a server-role socket never masks (RFC 6455 §5.1); generateMask is a client option',
};

// What the `tls` option may carry: tls.connect's own options (the five we also take at the top
// level included). Where to connect and how to resolve it are the URL's and the top level's.
const TLS_KNOWN: ReadonlySet<string> = new Set([...TLS_PASS_THROUGH, 'ca', 'cert', 'key', 'servername', 'rejectUnauthorized']);
const TLS_HINTS: Readonly<Record<string, string>> = {
  host: 'the URL gives the host',
  port: 'the URL gives the port',
  socket: 'use createConnection to provide the transport',
  lookup: 'give lookup at the top level of the options',
  family: 'give family at the top level of the options',
  localAddress: 'give localAddress at the top level of the options',
  timeout: 'use handshakeTimeout or handshakeTimeoutMs',
};

/** @throws {TypeError} naming the first key of the `tls` option that `tls.connect()` does not take. */
export function checkTlsOptionKeys(options: object): void {
  checkOptionKeys('tls', options, TLS_KNOWN, TLS_HINTS);
}

/** @throws {TypeError} naming the first key of the `heartbeat` option that is not `intervalMs` or `timeoutMs`. */
export function checkHeartbeatKeys(options: object): void {
  checkOptionKeys('heartbeat', options, HEARTBEAT_KNOWN, {
    interval: 'use intervalMs',
    timeout: 'use timeoutMs',
  });
}

/** @throws {TypeError} naming the first key of `send(data, options)` that is not `binary`, `compress`, `fin` or `mask`. */
export function checkSendOptionKeys(options: object): void {
  // Per send: look without allocating, and build the message only for a key that is wrong.
  for (const key in options) {
    if (!SEND_KNOWN.has(key) && Object.hasOwn(options, key)) checkOptionKeys('send(data, options)', options, SEND_KNOWN);
  }
}

/**
 * ws's `maxPayload`: the largest message, and so the largest frame, in bytes. ws coerces it to a
 * 32-bit signed integer and 0 (or less) lifts the limit; we do the same.
 */
export function fromMaxPayload(value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new RangeError(`maxPayload must be a number of bytes (0: no limit), got ${String(value)}`);
  const coerced = value | 0;
  return coerced <= 0 ? Infinity : coerced;
}

/** ws's `maxFragments` / `maxBufferedChunks`: coerced to a 32-bit signed integer, 0 (or less) lifts the limit. */
export function fromWsCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new RangeError(`${name} must be a number (0: no limit), got ${String(value)}`);
  const coerced = value | 0;
  return coerced <= 0 ? Infinity : coerced;
}

/** Throw when both a ws name and ours are given for one setting: which should win would be a guess. */
export function oneOf(options: object, wsName: string, ourName: string): void {
  const record = options as Record<string, unknown>;
  if (record[wsName] !== undefined && record[ourName] !== undefined) {
    throw new TypeError(`give ${wsName} (ws's name) or ${ourName}, not both`);
  }
}

/** The settings of permessage-deflate in our shape (see options.ts `PerMessageDeflateOptions`). */
export interface DeflateSettings {
  offers?: DeflateOfferOptions | readonly DeflateOfferOptions[] | undefined;
  compressionThreshold?: number | undefined;
  level?: number | undefined;
  memLevel?: number | undefined;
  limiter?: ZlibLimiter | undefined;
}

const DEFLATE_OURS = ['offers', 'compressionThreshold', 'level', 'memLevel'] as const;
const DEFLATE_WS_OFFER = ['serverNoContextTakeover', 'clientNoContextTakeover', 'serverMaxWindowBits', 'clientMaxWindowBits'] as const;
const DEFLATE_WS = [...DEFLATE_WS_OFFER, 'threshold', 'zlibDeflateOptions', 'zlibInflateOptions', 'concurrencyLimit'] as const;
const DEFLATE_KNOWN: ReadonlySet<string> = new Set([...DEFLATE_OURS, ...DEFLATE_WS]);
const ZLIB_DEFLATE_KNOWN: ReadonlySet<string> = new Set(['level', 'memLevel']);
const ZLIB_NOT_TAKEN = 'only level and memLevel are taken: windowBits is negotiated (RFC 7692 §7.1.2), and the other zlib settings are fixed by @rfc6455/deflate';

// ws keeps one zlib limiter for the process, sized by the first concurrencyLimit it sees; we keep
// one per size asked for, so a connection never gets a limit other than the one it asked for.
const limiters = new Map<number, ZlibLimiter>();

/**
 * Turn a `perMessageDeflate` object in ws's shape, ours, or a mix of names that do not overlap,
 * into ours. ws's offer parameters become our single offer; `threshold` is `compressionThreshold`;
 * `zlibDeflateOptions` may carry `level` and `memLevel`; `concurrencyLimit` picks a shared limiter.
 *
 * @throws {TypeError} for an unknown key, a zlib option we cannot honour, or a setting given twice.
 * @throws {RangeError} for a concurrencyLimit that is not a positive integer.
 */
export function fromWsDeflate(options: object): DeflateSettings {
  checkOptionKeys('perMessageDeflate', options, DEFLATE_KNOWN);
  const o = options as Record<string, unknown>;
  const settings: DeflateSettings = {};
  if (o['offers'] !== undefined) settings.offers = o['offers'] as DeflateSettings['offers'];
  const offer: Record<string, unknown> = {};
  for (const name of DEFLATE_WS_OFFER) if (o[name] !== undefined) offer[name] = o[name];
  if (Object.keys(offer).length > 0) {
    if (settings.offers !== undefined) throw new TypeError(`perMessageDeflate: give offers or ${Object.keys(offer).join(', ')} (ws's single offer), not both`);
    settings.offers = offer as DeflateOfferOptions;
  }
  oneOf(o, 'threshold', 'compressionThreshold');
  const threshold = o['threshold'] ?? o['compressionThreshold'];
  if (threshold !== undefined) {
    if (typeof threshold !== 'number' || Number.isNaN(threshold) || threshold < 0) {
      throw new RangeError(`perMessageDeflate.${o['threshold'] === undefined ? 'compressionThreshold' : 'threshold'} must be a number ≥ 0, got ${String(threshold)}`);
    }
    settings.compressionThreshold = threshold;
  }
  if (o['level'] !== undefined) settings.level = o['level'] as number;
  if (o['memLevel'] !== undefined) settings.memLevel = o['memLevel'] as number;
  const zlib = o['zlibDeflateOptions'];
  if (zlib !== undefined) {
    if (zlib === null || typeof zlib !== 'object') throw new TypeError('perMessageDeflate.zlibDeflateOptions must be an object');
    checkOptionKeys('perMessageDeflate.zlibDeflateOptions', zlib, ZLIB_DEFLATE_KNOWN, hintsFor(zlib));
    for (const name of ['level', 'memLevel'] as const) {
      const value = (zlib as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (settings[name] !== undefined) throw new TypeError(`perMessageDeflate: give ${name} or zlibDeflateOptions.${name}, not both`);
      settings[name] = value as number;
    }
  }
  const inflate = o['zlibInflateOptions'];
  if (inflate !== undefined) {
    if (inflate === null || typeof inflate !== 'object') throw new TypeError('perMessageDeflate.zlibInflateOptions must be an object');
    checkOptionKeys('perMessageDeflate.zlibInflateOptions', inflate, new Set(), hintsFor(inflate));
  }
  const limit = o['concurrencyLimit'];
  if (limit !== undefined) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`perMessageDeflate.concurrencyLimit must be a positive integer, got ${String(limit)}`);
    }
    let limiter = limiters.get(limit);
    if (limiter === undefined) limiters.set(limit, (limiter = new ZlibLimiter(limit)));
    settings.limiter = limiter;
  }
  return settings;
}

/**
 * The handshake request's headers as ws sends them for `protocolVersion` and `setHost`: version 8
 * carries the origin in `Sec-WebSocket-Origin` (draft-ietf-hybi-thewebsocketprotocol-10 §4.1, what
 * ws sends), and `setHost: false` leaves `Host` out. `headers` itself is not changed.
 */
export function requestHeaders(headers: Readonly<Record<string, string>>, version: 8 | 13, setHost: boolean): Record<string, string> {
  if (version === 13 && setHost) return headers as Record<string, string>;
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    const value = headers[name] as string;
    if (lower === 'host' && !setHost) continue;
    if (lower === 'sec-websocket-version') out[name] = String(version);
    else if (lower === 'origin' && version === 8) out['Sec-WebSocket-Origin'] = value;
    else out[name] = value;
  }
  return out;
}

function hintsFor(zlib: object): Record<string, string> {
  return Object.fromEntries(Object.keys(zlib).map((key) => [key, ZLIB_NOT_TAKEN]));
}
