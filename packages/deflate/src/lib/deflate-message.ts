/**
 * One whole message compressed without context (RFC 7692 §7.1.1: the compressor is reset for
 * every message), the way permessage-deflate wants it. {@link PerMessageDeflate} compresses this
 * way when its own side has no context takeover, and a server compresses a broadcast this way
 * once for every connection of one window size; both call {@link deflateMessage}, so the rules
 * live here once:
 * - raw DEFLATE ended by a sync flush whose `00 00 ff ff` tail is removed (§7.2.1), an empty
 *   message becoming the single byte `00` (§7.2.3.6);
 * - a negotiated window of 8 bits compresses with 9 (zlib refuses a raw window of 8);
 * - payloads up to {@link SYNC_DEFLATE_MAX_LENGTH} compress on the calling thread, larger ones on
 *   the thread pool, through a {@link ZlibLimiter}.
 */
import zlib from 'node:zlib';
import { checkOptionKeys } from '@rfc6455/codes';
import { defaultZlibLimiter, ZlibLimiter } from './zlib-limiter.ts';

/** Without context takeover, payloads up to this many bytes are deflated on the calling thread. */
export const SYNC_DEFLATE_MAX_LENGTH = 4 * 1024;

/** Options of {@link deflateMessage}. An unknown option throws a `TypeError`. */
export interface DeflateMessageOptions {
  /** The window the compressing side negotiated (`server_max_window_bits` for a server), 8–15. */
  windowBits: number;
  /** zlib compression level, 0–9 or -1 (zlib's default, 6). Default -1. */
  level?: number | undefined;
  /** zlib memLevel, 1–9. Default 8. */
  memLevel?: number | undefined;
  /**
   * `true`: compress on the calling thread whatever the size, for a caller that must have the
   * bytes now. Default: up to {@link SYNC_DEFLATE_MAX_LENGTH} bytes on the calling thread, larger
   * payloads on the thread pool.
   */
  sync?: boolean | undefined;
  /** The cap on concurrent thread-pool jobs. Default: the limiter every `PerMessageDeflate` shares. */
  limiter?: ZlibLimiter | undefined;
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['windowBits', 'level', 'memLevel', 'sync', 'limiter']);
// RFC 7692 §7.2.3.6: an empty message compresses to one empty stored block, the single byte 00.
const EMPTY_DEFLATE = new Uint8Array([0x00]);

/**
 * The compressed payload of one message: `payload` deflated with a fresh compressor and the sync
 * flush's tail removed, ready to be framed with RSV1. Returns the bytes when the work ran on the
 * calling thread, else a Promise of them.
 *
 * @throws {TypeError} for a payload that is not a Uint8Array or an unknown option.
 * @throws {RangeError} for `windowBits`, `level` or `memLevel` out of range.
 */
export function deflateMessage(payload: Uint8Array, options: DeflateMessageOptions & { sync: true }): Uint8Array;
export function deflateMessage(payload: Uint8Array, options: DeflateMessageOptions): Uint8Array | Promise<Uint8Array>;
export function deflateMessage(payload: Uint8Array, options: DeflateMessageOptions): Uint8Array | Promise<Uint8Array> {
  if (!(payload instanceof Uint8Array)) throw new TypeError('deflateMessage(payload, options): payload must be a Uint8Array.');
  if (options === null || typeof options !== 'object') throw new TypeError('deflateMessage(payload, options): pass { windowBits, level?, memLevel?, sync?, limiter? }.');
  // The toolkit's one rule for unknown keys (codes' checkOptionKeys): named, with what to write instead.
  checkOptionKeys('deflateMessage', options, OPTION_NAMES, { threshold: 'deflateMessage always compresses: decide on a threshold before calling it.' });
  const zlibOptions = deflateZlibOptions('deflateMessage', options.windowBits, options.level, options.memLevel);
  const limiter = options.limiter ?? defaultZlibLimiter;
  if (!(limiter instanceof ZlibLimiter)) throw new TypeError('deflateMessage: limiter must be a ZlibLimiter.');
  if (options.sync === true || payload.length <= SYNC_DEFLATE_MAX_LENGTH) {
    return stripSyncFlushTail(zlib.deflateRawSync(payload, zlibOptions));
  }
  return limiter.run(
    () =>
      new Promise<Uint8Array>((resolve, reject) => {
        zlib.deflateRaw(payload, zlibOptions, (err, result) => {
          if (err) reject(err);
          else resolve(stripSyncFlushTail(result));
        });
      }),
  );
}

/**
 * The zlib options permessage-deflate compresses with, checked. A negotiated window of 8 bits
 * compresses with 9: zlib refuses a raw deflate window of 8, and 9 is safe for an 8-bit peer
 * because zlib never emits a match more than 2^9 - 262 = 250 bytes back (ws and Python websockets
 * agree). `caller` names the API in error messages.
 *
 * @throws {RangeError} for `windowBits`, `level` or `memLevel` out of range.
 */
export function deflateZlibOptions(caller: string, windowBits: number, level = -1, memLevel = 8): zlib.ZlibOptions {
  checkInteger(caller, 'windowBits', windowBits, 8, 15);
  checkInteger(caller, 'level', level, -1, 9);
  checkInteger(caller, 'memLevel', memLevel, 1, 9);
  return { windowBits: Math.max(9, windowBits), level, memLevel, finishFlush: zlib.constants.Z_SYNC_FLUSH };
}

/** Remove the sync-flush tail (RFC 7692 §7.2.1); an empty result becomes the §7.2.3.6 byte. */
export function stripSyncFlushTail(data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n < 4 || data[n - 4] !== 0 || data[n - 3] !== 0 || data[n - 2] !== 0xff || data[n - 1] !== 0xff) {
    throw new Error('permessage-deflate: zlib output does not end with a sync flush.');
  }
  return n === 4 ? EMPTY_DEFLATE : data.subarray(0, n - 4);
}

function checkInteger(caller: string, name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${caller}: ${name} must be an integer from ${min} to ${max}, got ${String(value)}.`);
  }
}
