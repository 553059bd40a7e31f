/**
 * The options of {@link WebSocketServer}, their defaults, and their validation (misuse throws at
 * construction with a message naming the option).
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import type { DeflateServerOptions } from '@rfc6455/deflate';
import { WebSocket as ClientWebSocket } from '@rfc6455/client';
import { checkOptionKeys } from '@rfc6455/codes';
import type { OptionHints } from '@rfc6455/codes';
import { createDeflateServerNegotiator } from '@rfc6455/deflate';
import { DEFAULT_MAX_FRAGMENTS } from '@rfc6455/protocol';
import type { Adapter } from './adapter.ts';
import { ServerWebSocket } from './connection.ts';
import type { ServerWebSocketClass } from './connection.ts';
import type { HttpErrorHeaders } from './server-error.ts';
import { resolveWsOptions, translateWsDeflate, translateWsLimits } from './ws-options.ts';
import type { ResolvedWsOptions, WsDeflateOptions, WsServerOptions } from './ws-options.ts';

/**
 * Settings of the server's `perMessageDeflate` option: the negotiation limits of
 * @rfc6455/deflate's `DeflateServerOptions` plus zlib's level and memLevel, and ws's names
 * (`threshold`, `zlibDeflateOptions`, `zlibInflateOptions`, `concurrencyLimit`).
 */
export interface ServerDeflateOptions extends DeflateServerOptions, WsDeflateOptions {
  /** zlib level, 0–9 or -1 (zlib's default, 6). Default -1. */
  level?: number | undefined;
  /** zlib memLevel, 1–9: memory for the compressor's hash tables. Default 8. */
  memLevel?: number | undefined;
  /** Overrides the top-level `compressionThreshold`. */
  compressionThreshold?: number | undefined;
}

/** What `authenticate` returns: a context for the connection, or a promise of one. */
export type Authenticate<Context> = (request: IncomingMessage) => Context | Promise<Context>;

/** Which origins may connect: an allow-list of exact origins, or a callback (→ 403 when refused). */
export type OriginOption = readonly string[] | ((origin: string | undefined, request: IncomingMessage) => boolean);

/** Choose a subprotocol from the offered ones, or `false` for none. */
export type HandleProtocols = (protocols: Set<string>, request: IncomingMessage) => string | false | undefined;

/** Extra 101 response headers, or a function of the request returning them. */
export type HeadersOption = HttpErrorHeaders | ((request: IncomingMessage) => HttpErrorHeaders | undefined);

/** What happens when a broadcast or publish meets a connection whose buffered amount is at or above `maxBufferedAmount`. */
export type BackpressurePolicy = 'close' | 'drop' | 'queue';

/** The options of {@link WebSocketServer}. Exactly one of `port`, `server` and `noServer` is required. */
export interface WebSocketServerOptions<Context = undefined, Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>> extends WsServerOptions {
  /** Standalone: listen on this port (0 picks a free one) with an HTTP server of our own. */
  port?: number | undefined;
  /** Standalone: the host to listen on (default: Node's, all interfaces). */
  host?: string | undefined;
  /** Standalone: listen backlog. */
  backlog?: number | undefined;
  /**
   * Attach to this HTTP(S) server: its routes keep working, upgrade requests matching `path` are
   * ours. An `http2.createSecureServer()` / `http2.createServer()` server works too: its extended
   * CONNECT streams (RFC 8441) are ours, and with `allowHTTP1: true` its HTTP/1.1 upgrades as well.
   */
  server?: HttpServer | HttpsServer | Http2Server | Http2SecureServer | undefined;
  /** Create no server: call {@link WebSocketServer.handleUpgrade} from your own 'upgrade' handler. */
  noServer?: boolean | undefined;
  /** Only accept upgrades whose pathname (query ignored) equals this. Default: any path. */
  path?: string | undefined;
  /** Keep `server.clients` (default true). */
  clientTracking?: boolean | undefined;
  /**
   * The class of the connections: `ServerWebSocket` (default) or a class extending it, to give
   * connections methods and state of your own (the Perl seed's custom connection class).
   */
  WebSocket?: ServerWebSocketClass<Socket> | ServerWebSocketClass<ClientWebSocket> | undefined;

  /**
   * Accept permessage-deflate (RFC 7692) when a client offers it: `true` for the defaults, or its
   * settings. Default false: with context takeover each connection that compresses keeps ~262 KiB
   * of zlib state for sending plus up to 32 KiB of the client's window (see README), which adds up
   * on a server with many connections; enable it, or set `serverNoContextTakeover`, knowingly.
   */
  perMessageDeflate?: boolean | ServerDeflateOptions | undefined;
  /** Messages shorter than this many bytes are sent uncompressed (default 1024). */
  compressionThreshold?: number | undefined;

  /** Accept or refuse a handshake; the value returned reaches 'connection' as its third argument. */
  authenticate?: Authenticate<Context> | undefined;
  /** Choose the subprotocol from the offered ones, `false` for none (default, as ws: the first offered). */
  handleProtocols?: HandleProtocols | undefined;
  /** Origin allow-list or callback; a refused origin gets 403. Default: any origin. */
  origins?: OriginOption | undefined;
  /** Extra headers for the 101 response. */
  headers?: HeadersOption | undefined;

  /** Largest payload of one frame, in bytes (default 64 MiB). Above it: close 1009. */
  maxPayloadLength?: number | undefined;
  /** Largest message (all fragments), in bytes (default 64 MiB). Above it: close 1009. */
  maxMessageLength?: number | undefined;
  /** Most frames in one fragmented message (default 1024). */
  maxFragments?: number | undefined;
  /** Time from the upgrade (standalone: from the connection) to a sent 101, in ms (default 10 000). */
  handshakeTimeoutMs?: number | undefined;
  /** Standalone: largest request head in bytes, Node's `maxHeaderSize` (default 16 KiB). */
  maxHeaderSize?: number | undefined;
  /** Standalone: most request headers parsed, Node's `maxHeadersCount` (default 100). */
  maxHeadersCount?: number | undefined;
  /** Most open connections and handshakes in progress; above it: 503 with Retry-After (default 10 000). */
  maxConnections?: number | undefined;
  /** `Retry-After` seconds sent with the 503 above `maxConnections` (default 5). */
  retryAfterSeconds?: number | undefined;
  /** Time to wait for the peer's close frame after ours, in ms (default 30 000). */
  closeTimeoutMs?: number | undefined;

  /** Buffered outgoing bytes per connection above which `backpressure` applies (default 16 MiB). */
  maxBufferedAmount?: number | undefined;
  /** What broadcast/publish do with a connection at or above `maxBufferedAmount` (default 'close'). */
  backpressure?: BackpressurePolicy | undefined;
  /** Ping every connection and terminate those that do not answer; `false` turns it off. */
  heartbeat?: { intervalMs?: number | undefined; timeoutMs?: number | undefined } | false | undefined;

  /**
   * Carry `publish` and `broadcast` to the servers of other processes or machines (@rfc6455/redis's
   * `createRedisAdapter`, `createClusterAdapter`, `createInProcessAdapter`, or your own
   * {@link Adapter}). Default: none, the server alone.
   */
  adapter?: Adapter | undefined;
}

/** The defaults of the limits, exported so that tests and docs quote one source. */
export const DEFAULTS = Object.freeze({
  maxPayloadLength: 64 * 1024 * 1024,
  maxMessageLength: 64 * 1024 * 1024,
  // The protocol's default (131 072), not the Perl seed's 128: Autobahn 9.3/9.4 send 1–4 MiB in up
  // to 65 536 fragments, and a flood of empty fragments is still cut off after well under 1 MiB.
  maxFragments: DEFAULT_MAX_FRAGMENTS,
  handshakeTimeoutMs: 10_000,
  maxHeaderSize: 16 * 1024,
  maxHeadersCount: 100,
  maxConnections: 10_000,
  retryAfterSeconds: 5,
  closeTimeoutMs: 30_000,
  compressionThreshold: 1024,
  maxBufferedAmount: 16 * 1024 * 1024,
  backpressure: 'close' as BackpressurePolicy,
  heartbeatIntervalMs: 30_000,
  heartbeatTimeoutMs: 30_000,
});

/** The options after validation and defaults. */
export interface ResolvedOptions<Context, Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>> extends ResolvedWsOptions {
  readonly mode: 'standalone' | 'attach' | 'noServer';
  readonly WebSocket: ServerWebSocketClass<Socket>;
  /** The permessage-deflate settings when enabled (negotiation options validated), else undefined. */
  readonly perMessageDeflate: ResolvedDeflateOptions | undefined;
  readonly compressionThreshold: number;
  readonly port: number | undefined;
  readonly host: string | undefined;
  readonly backlog: number | undefined;
  readonly server: HttpServer | HttpsServer | Http2Server | Http2SecureServer | undefined;
  readonly path: string | undefined;
  readonly clientTracking: boolean;
  readonly authenticate: Authenticate<Context> | undefined;
  readonly handleProtocols: HandleProtocols | undefined;
  readonly origins: OriginOption | undefined;
  readonly headers: HeadersOption | undefined;
  readonly maxPayloadLength: number;
  readonly maxMessageLength: number;
  readonly maxFragments: number;
  readonly handshakeTimeoutMs: number;
  readonly maxHeaderSize: number;
  readonly maxHeadersCount: number;
  readonly maxConnections: number;
  readonly retryAfterSeconds: number;
  readonly closeTimeoutMs: number;
  readonly maxBufferedAmount: number;
  readonly backpressure: BackpressurePolicy;
  readonly heartbeat: { readonly intervalMs: number; readonly timeoutMs: number } | false;
  readonly adapter: Adapter | undefined;
}

// `satisfies` keeps each list equal to its interface: a key added to one and not the other fails the type check.
const SERVER_KEYS = {
  port: true, host: true, backlog: true, server: true, noServer: true, path: true, clientTracking: true, WebSocket: true,
  perMessageDeflate: true, compressionThreshold: true, authenticate: true, handleProtocols: true, origins: true, headers: true,
  maxPayloadLength: true, maxMessageLength: true, maxFragments: true, handshakeTimeoutMs: true, maxHeaderSize: true,
  maxHeadersCount: true, maxConnections: true, retryAfterSeconds: true, closeTimeoutMs: true, maxBufferedAmount: true,
  backpressure: true, heartbeat: true, adapter: true,
  // ws's names (ws-options.ts).
  verifyClient: true, maxPayload: true, closeTimeout: true, maxBufferedChunks: true, skipUTF8Validation: true,
  autoPong: true, allowSynchronousEvents: true,
} as const satisfies Record<keyof WebSocketServerOptions, true>;

/** Every key of {@link WebSocketServerOptions}: anything else throws (no option is silently ignored). */
export const SERVER_OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(SERVER_KEYS));

/** Names users bring from ws, our client or elsewhere, and what the server calls them. */
export const SERVER_OPTION_HINTS: OptionHints = {
  handshakeTimeout: 'handshakeTimeout is a ws client option; the server bounds each handshake with handshakeTimeoutMs (milliseconds).',
  maxPayloadSize: 'use maxPayload (ws: bytes in one message) or maxPayloadLength (bytes in one frame).',
  skipUtf8Validation: 'the server spells it as ws does: skipUTF8Validation.',
  origin: 'use origins (an allow-list or a callback).',
  protocols: 'use handleProtocols(protocols, request).',
};

const DEFLATE_KEYS = {
  serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: true, clientMaxWindowBits: true,
  level: true, memLevel: true, compressionThreshold: true,
  threshold: true, zlibDeflateOptions: true, zlibInflateOptions: true, concurrencyLimit: true,
} as const satisfies Record<keyof ServerDeflateOptions, true>;

/** The keys of the `perMessageDeflate` object. */
export const DEFLATE_OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(DEFLATE_KEYS));

const DEFLATE_OPTION_HINTS: OptionHints = {
  windowBits: 'use serverMaxWindowBits and clientMaxWindowBits (negotiated per connection).',
};

/** The perMessageDeflate settings after translation of ws's names: ours, and the zlib concurrency. */
export interface ResolvedDeflateOptions extends DeflateServerOptions {
  readonly level?: number | undefined;
  readonly memLevel?: number | undefined;
  readonly compressionThreshold?: number | undefined;
  readonly concurrencyLimit?: number | undefined;
  /** The threshold is ws's `threshold`: it applies only to connections whose server side has no context takeover. */
  readonly wsThreshold?: boolean | undefined;
}

/** The keys of the `heartbeat` object. */
export const HEARTBEAT_OPTION_NAMES: ReadonlySet<string> = new Set(
  Object.keys({ intervalMs: true, timeoutMs: true } as const satisfies Record<keyof Exclude<WebSocketServerOptions['heartbeat'], false | undefined>, true>),
);

function positive(name: string, value: number | undefined, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0 || (!allowInfinity && !Number.isFinite(value))) {
    throw new RangeError(`WebSocketServer: ${name} must be a positive number${allowInfinity ? ' or Infinity' : ''}, got ${String(value)}.`);
  }
  return value;
}

function fn<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`WebSocketServer: ${name} must be a function.`);
  return value;
}

/**
 * Validate `options` and fill in the defaults.
 *
 * @throws {TypeError} for a missing or contradictory mode, or an option of the wrong type.
 * @throws {RangeError} for a limit that is not a positive number, or a port out of range.
 */
export function resolveOptions<Context, Socket extends ServerWebSocket<Context> = ServerWebSocket<Context>>(
  options: WebSocketServerOptions<Context, Socket>,
): ResolvedOptions<Context, Socket> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('new WebSocketServer(options): pass { port }, { server } or { noServer: true }.');
  }
  checkOptionKeys('new WebSocketServer(options)', options, SERVER_OPTION_NAMES, SERVER_OPTION_HINTS);
  const modes = [options.port !== undefined, options.server !== undefined, options.noServer === true].filter(Boolean).length;
  if (modes !== 1) {
    throw new TypeError('new WebSocketServer(options): pass exactly one of { port }, { server } or { noServer: true }.');
  }
  const mode = options.port !== undefined ? 'standalone' : options.server !== undefined ? 'attach' : 'noServer';
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw new RangeError(`WebSocketServer: port must be an integer from 0 to 65535, got ${String(options.port)}.`);
  }
  if (options.server !== undefined && (options.server === null || typeof options.server.on !== 'function' || typeof options.server.listeners !== 'function')) {
    throw new TypeError('WebSocketServer: server must be a node:http or node:https Server.');
  }
  if (options.path !== undefined && (typeof options.path !== 'string' || !options.path.startsWith('/'))) {
    throw new TypeError(`WebSocketServer: path must be a string starting with "/", got ${JSON.stringify(options.path)}.`);
  }
  if (options.origins !== undefined && typeof options.origins !== 'function' && !Array.isArray(options.origins)) {
    throw new TypeError('WebSocketServer: origins must be an array of origins or a function (origin, request) => boolean.');
  }
  if (options.headers !== undefined && (options.headers === null || (typeof options.headers !== 'object' && typeof options.headers !== 'function'))) {
    throw new TypeError('WebSocketServer: headers must be an object of name → value, or a function of the request.');
  }
  const backpressure = options.backpressure ?? DEFAULTS.backpressure;
  if (backpressure !== 'close' && backpressure !== 'drop' && backpressure !== 'queue') {
    throw new TypeError(`WebSocketServer: backpressure must be 'close', 'drop' or 'queue', got ${JSON.stringify(backpressure)}.`);
  }
  const Class = options.WebSocket ?? (ServerWebSocket as unknown as ServerWebSocketClass<Socket>);
  if (typeof Class !== 'function' || (Class !== (ClientWebSocket as unknown) && !((Class as { prototype: unknown }).prototype instanceof ClientWebSocket))) {
    throw new TypeError('WebSocketServer: WebSocket must be WebSocket, ServerWebSocket or a class extending one of them.');
  }
  const deflate = options.perMessageDeflate;
  if (deflate !== undefined && typeof deflate !== 'boolean' && (deflate === null || typeof deflate !== 'object')) {
    throw new TypeError(`WebSocketServer: perMessageDeflate must be a boolean or an object of ${[...DEFLATE_OPTION_NAMES].join(', ')}.`);
  }
  let perMessageDeflate: ResolvedDeflateOptions | undefined;
  if (deflate === true) perMessageDeflate = {};
  else if (typeof deflate === 'object') {
    checkOptionKeys('WebSocketServer: perMessageDeflate', deflate, DEFLATE_OPTION_NAMES, DEFLATE_OPTION_HINTS);
    const { threshold: _t, zlibDeflateOptions: _d, zlibInflateOptions: _i, ...ours } = deflate;
    perMessageDeflate = { ...ours, ...translateWsDeflate(deflate) };
  }
  // Validate the negotiation limits now, so misuse surfaces at construction.
  if (perMessageDeflate !== undefined) createDeflateServerNegotiator(perMessageDeflate);
  const threshold = perMessageDeflate?.compressionThreshold ?? options.compressionThreshold ?? DEFAULTS.compressionThreshold;
  if (typeof threshold !== 'number' || Number.isNaN(threshold) || threshold < 0) {
    throw new RangeError(`WebSocketServer: compressionThreshold must be a number ≥ 0 (Infinity: never compress), got ${String(threshold)}.`);
  }
  for (const [name, value, min, max] of [
    ['level', perMessageDeflate?.level, -1, 9],
    ['memLevel', perMessageDeflate?.memLevel, 1, 9],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw new RangeError(`WebSocketServer: perMessageDeflate.${name} must be an integer from ${min} to ${max}, got ${String(value)}.`);
    }
  }
  let heartbeat: ResolvedOptions<Context>['heartbeat'];
  if (options.heartbeat === false) {
    heartbeat = false;
  } else {
    if (options.heartbeat !== undefined && (options.heartbeat === null || typeof options.heartbeat !== 'object')) {
      throw new TypeError('WebSocketServer: heartbeat must be { intervalMs, timeoutMs } or false.');
    }
    if (options.heartbeat !== undefined) checkOptionKeys('WebSocketServer: heartbeat', options.heartbeat, HEARTBEAT_OPTION_NAMES);
    heartbeat = {
      intervalMs: positive('heartbeat.intervalMs', options.heartbeat?.intervalMs, DEFAULTS.heartbeatIntervalMs),
      timeoutMs: positive('heartbeat.timeoutMs', options.heartbeat?.timeoutMs, DEFAULTS.heartbeatTimeoutMs),
    };
  }
  if (options.adapter !== undefined && (options.adapter === null || typeof options.adapter !== 'object' || typeof options.adapter.attach !== 'function')) {
    throw new TypeError('WebSocketServer: adapter must be an adapter such as createRedisAdapter(…) or createInProcessAdapter(): an object with attach(host).');
  }
  const limits = translateWsLimits(options);
  const fromWs = options.maxPayload !== undefined;
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds;
  if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
    throw new RangeError(`WebSocketServer: retryAfterSeconds must be a non-negative integer, got ${String(retryAfterSeconds)}.`);
  }
  return {
    mode,
    WebSocket: Class,
    perMessageDeflate,
    compressionThreshold: threshold,
    port: options.port,
    host: options.host,
    backlog: options.backlog,
    server: options.server,
    path: options.path,
    clientTracking: options.clientTracking !== false,
    authenticate: fn('authenticate', options.authenticate),
    handleProtocols: fn('handleProtocols', options.handleProtocols),
    origins: options.origins,
    headers: options.headers,
    // maxPayload: 0 (ws: no limit) is Infinity; our own names take finite limits only.
    maxPayloadLength: positive(fromWs ? 'maxPayload' : 'maxPayloadLength', limits.maxPayloadLength, DEFAULTS.maxPayloadLength, fromWs),
    maxMessageLength: positive(fromWs ? 'maxPayload' : 'maxMessageLength', limits.maxMessageLength, DEFAULTS.maxMessageLength, fromWs),
    maxFragments: positive('maxFragments', limits.maxFragments, DEFAULTS.maxFragments, true),
    handshakeTimeoutMs: positive('handshakeTimeoutMs', options.handshakeTimeoutMs, DEFAULTS.handshakeTimeoutMs),
    maxHeaderSize: positive('maxHeaderSize', options.maxHeaderSize, DEFAULTS.maxHeaderSize),
    maxHeadersCount: positive('maxHeadersCount', options.maxHeadersCount, DEFAULTS.maxHeadersCount),
    maxConnections: positive('maxConnections', options.maxConnections, DEFAULTS.maxConnections, true),
    retryAfterSeconds,
    closeTimeoutMs: positive(options.closeTimeout === undefined ? 'closeTimeoutMs' : 'closeTimeout', limits.closeTimeoutMs, DEFAULTS.closeTimeoutMs),
    maxBufferedAmount: positive('maxBufferedAmount', options.maxBufferedAmount, DEFAULTS.maxBufferedAmount, true),
    backpressure,
    heartbeat,
    adapter: options.adapter,
    ...resolveWsOptions(options),
  };
}
