/**
 * ws 8's names for the server's options (websockets/ws doc/ws.md, "new WebSocketServer(options[,
 * callback])"), which mean what ws documents, and their translation into the server's own
 * settings. Where a ws name and one of ours set the same thing (`maxPayload` and
 * `maxMessageLength`, `closeTimeout` and `closeTimeoutMs`, `threshold` and
 * `compressionThreshold`), either may be given, not both: two answers to one question are a
 * mistake, not a preference.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** What ws's `verifyClient` receives about a handshake. */
export interface VerifyClientInfo {
  /** The `Origin` header (`Sec-WebSocket-Origin` for protocol version 8), when sent. */
  readonly origin: string | undefined;
  /** Whether the connection is TLS: `req.socket.authorized` or `req.socket.encrypted` is set. */
  readonly secure: boolean;
  /** The upgrade request. */
  readonly req: IncomingMessage;
}

/**
 * The callback of the two-argument `verifyClient`: `result` true accepts; false refuses with
 * HTTP `code` (default 401), `message` as the body (default: the reason phrase) and `headers`.
 */
export type VerifyClientCallback = (result: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void;

/**
 * ws's `verifyClient`: `(info) => boolean`, or `(info, callback) => void` (ws tells the two forms
 * apart by the function's declared parameter count, and so do we). A refusal answers 401 unless
 * the callback gives a status.
 */
export type VerifyClient = ((info: VerifyClientInfo) => boolean) | ((info: VerifyClientInfo, callback: VerifyClientCallback) => void);

/** The server options ws 8 names, with ws's meaning. */
export interface WsServerOptions {
  /** Accept or refuse each handshake before it is answered (see {@link VerifyClient}). */
  verifyClient?: VerifyClient | undefined;
  /** ws: largest message, in bytes; `0` lifts the limit. Sets `maxMessageLength` and `maxPayloadLength`. */
  maxPayload?: number | undefined;
  /** ws: time to wait for the close handshake after `close()`, in ms. Our name: `closeTimeoutMs`. */
  closeTimeout?: number | undefined;
  /** ws: most pieces one incoming frame may arrive in (default 262 144; `0` lifts the limit). */
  maxBufferedChunks?: number | undefined;
  /** ws: deliver text and close reasons without checking their UTF-8 (trusted clients only). Default false. */
  skipUTF8Validation?: boolean | undefined;
  /** ws: answer pings with pongs automatically. Default true. */
  autoPong?: boolean | undefined;
  /**
   * ws: whether 'message', 'ping' and 'pong' may be emitted several times in one tick. Default
   * true; `false` emits one of them per turn of the event loop (closer to WHATWG, slower).
   */
  allowSynchronousEvents?: boolean | undefined;
}

/** zlib options ws passes to the compressor; we apply `level` and `memLevel`. */
export interface WsZlibDeflateOptions {
  level?: number | undefined;
  memLevel?: number | undefined;
}

/** The perMessageDeflate settings ws names, beside ours. */
export interface WsDeflateOptions {
  /** ws: payloads smaller than this are sent uncompressed (default 1024). Our name: `compressionThreshold`. */
  threshold?: number | undefined;
  /** ws: options for zlib's compressor: `level` and `memLevel` (others throw). */
  zlibDeflateOptions?: WsZlibDeflateOptions | undefined;
  /** ws: options for zlib's decompressor: only `{}` (we size its buffers ourselves). */
  zlibInflateOptions?: Readonly<Record<string, never>> | undefined;
  /** ws: the most zlib jobs on the thread pool at once, for this server's connections (default 10). */
  concurrencyLimit?: number | undefined;
}

/** The settings ws's names add to the resolved options. */
export interface ResolvedWsOptions {
  readonly verifyClient: VerifyClient | undefined;
  readonly skipUtf8Validation: boolean;
  readonly autoPong: boolean;
  readonly allowSynchronousEvents: boolean;
  readonly maxBufferedChunks: number | undefined;
}

/** The limits the ws names may set, in our names. */
export interface WsLimits {
  maxPayloadLength?: number | undefined;
  maxMessageLength?: number | undefined;
  closeTimeoutMs?: number | undefined;
  maxFragments?: number | undefined;
}

function either(ws: string, value: unknown, ours: readonly string[], given: Record<string, unknown>): void {
  const both = ours.filter((name) => given[name] !== undefined);
  if (value !== undefined && both.length > 0) {
    throw new TypeError(`WebSocketServer: pass ${ws} (ws's name) or ${both.join('/')}, not both.`);
  }
}

/**
 * A ws count, as ws reads it (doc/ws.md: "coerced to a 32-bit signed integer", 0 lifts the
 * limit, and so does a negative value, which ws's `> 0` checks skip); not a number: RangeError.
 */
function wsCount(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new RangeError(`WebSocketServer: ${name} must be a number (0: no limit), got ${String(value)}.`);
  }
  const coerced = value | 0;
  return coerced <= 0 ? Infinity : coerced;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`WebSocketServer: ${name} must be a boolean, got ${typeof value}.`);
  return value;
}

/**
 * Translate the ws-named limits into ours: `maxPayload` (0: none) into `maxMessageLength` and
 * `maxPayloadLength`, `closeTimeout` into `closeTimeoutMs`, and `maxFragments: 0` (ws: no limit)
 * into Infinity. The returned object holds our names only.
 *
 * @throws {TypeError} for a ws name given together with ours.
 * @throws {RangeError} for a count that is not a number.
 */
export function translateWsLimits(options: WsServerOptions & WsLimits): WsLimits {
  const given = options as Record<string, unknown>;
  either('maxPayload', options.maxPayload, ['maxMessageLength', 'maxPayloadLength'], given);
  either('closeTimeout', options.closeTimeout, ['closeTimeoutMs'], given);
  const maxPayload = wsCount('maxPayload', options.maxPayload);
  return {
    maxPayloadLength: maxPayload ?? options.maxPayloadLength,
    maxMessageLength: maxPayload ?? options.maxMessageLength,
    closeTimeoutMs: options.closeTimeout ?? options.closeTimeoutMs,
    // maxFragments is ws's name too (ours has the same meaning): ws's coercion, 0 for no limit.
    maxFragments: wsCount('maxFragments', options.maxFragments),
  };
}

/**
 * Check the per-connection options ws names and fill in ws's defaults.
 *
 * @throws {TypeError} for a `verifyClient` that is not a function, or a flag that is not a boolean.
 */
export function resolveWsOptions(options: WsServerOptions): ResolvedWsOptions {
  if (options.verifyClient !== undefined && typeof options.verifyClient !== 'function') {
    throw new TypeError('WebSocketServer: verifyClient must be a function (info) => boolean or (info, callback) => void.');
  }
  const maxBufferedChunks = wsCount('maxBufferedChunks', options.maxBufferedChunks);
  return {
    verifyClient: options.verifyClient,
    skipUtf8Validation: bool('skipUTF8Validation', options.skipUTF8Validation, false),
    autoPong: bool('autoPong', options.autoPong, true),
    allowSynchronousEvents: bool('allowSynchronousEvents', options.allowSynchronousEvents, true),
    maxBufferedChunks,
  };
}

/** The deflate settings ws names, in ours. */
export interface TranslatedDeflate {
  compressionThreshold?: number | undefined;
  level?: number | undefined;
  memLevel?: number | undefined;
  concurrencyLimit?: number | undefined;
  /** The threshold came as ws's `threshold`, which applies only where our side has no context takeover. */
  wsThreshold?: boolean | undefined;
}

const ZLIB_DEFLATE_NAMES: ReadonlySet<string> = new Set(['level', 'memLevel']);

/**
 * Translate ws's perMessageDeflate names into ours: `threshold` into `compressionThreshold` (with
 * ws's meaning, flagged by `wsThreshold`: doc/ws.md applies it only without context takeover),
 * `zlibDeflateOptions.level`/`.memLevel` into `level`/`memLevel`; check `concurrencyLimit`.
 *
 * @throws {TypeError} for a ws name given together with ours, a zlib option we do not apply, or
 *   a `zlibInflateOptions` that is not empty.
 * @throws {RangeError} for a `concurrencyLimit` that is not a positive integer.
 */
export function translateWsDeflate(deflate: WsDeflateOptions & TranslatedDeflate): TranslatedDeflate {
  const given = deflate as Record<string, unknown>;
  either('perMessageDeflate.threshold', deflate.threshold, ['compressionThreshold'], given);
  const zlibDeflate = deflate.zlibDeflateOptions;
  if (zlibDeflate !== undefined) {
    if (zlibDeflate === null || typeof zlibDeflate !== 'object') throw new TypeError('WebSocketServer: perMessageDeflate.zlibDeflateOptions must be an object.');
    for (const key of Object.keys(zlibDeflate)) {
      if (!ZLIB_DEFLATE_NAMES.has(key)) {
        throw new TypeError(
          `WebSocketServer: perMessageDeflate.zlibDeflateOptions.${key} is not applied by this server; it takes level and memLevel (the window comes from the negotiation, the buffers are sized by the codec). Leave ${key} out.`,
        );
      }
    }
    either('perMessageDeflate.zlibDeflateOptions.level', zlibDeflate.level, ['level'], given);
    either('perMessageDeflate.zlibDeflateOptions.memLevel', zlibDeflate.memLevel, ['memLevel'], given);
  }
  const zlibInflate = deflate.zlibInflateOptions;
  if (zlibInflate !== undefined && (zlibInflate === null || typeof zlibInflate !== 'object' || Object.keys(zlibInflate).length > 0)) {
    const first = zlibInflate === null || typeof zlibInflate !== 'object' ? '' : `.${Object.keys(zlibInflate)[0]}`;
    throw new TypeError(
      `WebSocketServer: perMessageDeflate.zlibInflateOptions${first} is not applied by this server: the decompressor's output is bounded by maxPayload/maxMessageLength and its buffers are sized by the codec. Leave it out.`,
    );
  }
  const limit = deflate.concurrencyLimit;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(`WebSocketServer: perMessageDeflate.concurrencyLimit must be a positive integer, got ${String(limit)}.`);
  }
  return {
    compressionThreshold: deflate.threshold ?? deflate.compressionThreshold,
    wsThreshold: deflate.threshold !== undefined,
    level: zlibDeflate?.level ?? deflate.level,
    memLevel: zlibDeflate?.memLevel ?? deflate.memLevel,
    concurrencyLimit: limit,
  };
}
