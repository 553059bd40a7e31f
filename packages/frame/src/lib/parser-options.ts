/**
 * What a `FrameParser` is built from: its options, their defaults, and the checks a caller's
 * values must pass (a bad limit is the caller's mistake: a RangeError at once, never a parser that
 * silently enforces something else).
 */
import { checkOptionKeys } from '@rfc6455/codes';
import type { Frame, FrameHeader, Role } from './frame.ts';

/** Options of `FrameParser`. */
export interface FrameParserOptions {
  /** Role of the endpoint that RECEIVES these frames: 'server' requires every frame masked, 'client' requires none masked. */
  role: Role;
  /** Largest payload of one frame; above it the parser fails with WS_ERR_UNSUPPORTED_MESSAGE_LENGTH (1009). Default 64 MiB. */
  maxPayloadLength?: number;
  /** RSV bits that negotiated extensions own (RSV1|RSV2|RSV3 mask). Default 0: any RSV bit fails with WS_ERR_UNEXPECTED_RSV_1 or WS_ERR_UNEXPECTED_RSV_2_3. */
  allowedRsvBits?: number;
  /**
   * Most pieces (socket chunks) one incomplete frame may be held in, ws's `maxBufferedChunks`: a
   * peer dribbling a large payload a few bytes per TCP segment would otherwise make the parser hold
   * one view object per segment. Default 262144 (ws's). Over it: WS_ERR_TOO_MANY_BUFFERED_PARTS (1008).
   */
  maxBufferedChunks?: number;
  /** Accept length fields that are not minimally encoded (RFC 6455 §5.2 says MUST be minimal). Default false → WS_ERR_INVALID_PAYLOAD_LENGTH (1002). */
  allowNonMinimalLength?: boolean;
  /** Called once per complete frame, in order. */
  onFrame: (frame: Frame) => void;
  /**
   * Optional: called as bytes of a frame's payload arrive while the frame is still incomplete
   * (only for frames that span chunks), with the newly arrived, already unmasked bytes and their
   * offset within the payload. Lets the protocol validate UTF-8 before the frame is whole (fail
   * fast). onFrame still delivers the whole payload later.
   */
  onPayloadChunk?: (header: FrameHeader, chunk: Uint8Array, offset: number) => void;
  /**
   * The `this` of every `onFrame` and `onPayloadChunk` call (as `thisArg` of `Array.prototype.forEach`).
   * Lets one pair of functions serve many parsers, each passing its own connection, instead of two
   * closures per connection. Default undefined.
   */
  thisArg?: unknown;
}

/** Default `maxPayloadLength`: 64 MiB, large enough for real messages, small enough to refuse a memory attack. */
export const DEFAULT_MAX_PAYLOAD_LENGTH = 64 * 1024 * 1024;

/** Default `maxBufferedChunks`: 262144, ws's. */
export const DEFAULT_MAX_BUFFERED_CHUNKS = 262_144;

/** `maxPayloadLength` must be a non-negative integer or Infinity (RangeError otherwise). */
export function checkMaxPayloadLength(value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`maxPayloadLength must be a non-negative integer or Infinity, got ${String(value)}`);
  }
}

/** `maxBufferedChunks` must be a positive integer or Infinity (RangeError otherwise). */
export function checkMaxBufferedChunks(value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 1 || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`maxBufferedChunks must be a positive integer or Infinity, got ${String(value)}`);
  }
}

/** `allowedRsvBits` must be an integer from 0 to 7, a mask of RSV1 | RSV2 | RSV3 (RangeError otherwise). */
export function checkAllowedRsvBits(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 7) {
    throw new RangeError(`allowedRsvBits must be an integer from 0 to 7 (RSV1 | RSV2 | RSV3), got ${String(value)}`);
  }
}

// Every key of FrameParserOptions, tied to the type: adding an option without listing it fails to compile.
const OPTION_KEYS: ReadonlySet<string> = new Set(
  Object.keys({
    role: true,
    maxPayloadLength: true,
    allowedRsvBits: true,
    maxBufferedChunks: true,
    allowNonMinimalLength: true,
    onFrame: true,
    onPayloadChunk: true,
    thisArg: true,
  } satisfies Record<keyof FrameParserOptions, true>),
);

/** The options with their defaults applied, every value checked. */
export interface ResolvedParserOptions {
  requireMask: boolean;
  maxPayloadLength: number;
  maxBufferedChunks: number;
  allowedRsvBits: number;
  allowNonMinimalLength: boolean;
  onFrame: (frame: Frame) => void;
  onPayloadChunk: ((header: FrameHeader, chunk: Uint8Array, offset: number) => void) | undefined;
  thisArg: unknown;
}

/** Check `options` and apply the defaults. TypeError for an unknown, missing or mistyped field, RangeError for a limit out of range. */
export function resolveParserOptions(options: FrameParserOptions): ResolvedParserOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('FrameParser needs an options object');
  // No option is silently ignored: an unknown key is a mistake the caller should hear about.
  checkOptionKeys('new FrameParser(options)', options, OPTION_KEYS, { maxPayload: 'use maxPayloadLength' });
  if (options.role !== 'client' && options.role !== 'server') {
    throw new TypeError(`role must be 'client' or 'server', got ${String(options.role)}`);
  }
  if (typeof options.onFrame !== 'function') throw new TypeError('onFrame must be a function');
  if (options.onPayloadChunk !== undefined && typeof options.onPayloadChunk !== 'function') {
    throw new TypeError('onPayloadChunk must be a function when given');
  }
  const maxPayloadLength = options.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD_LENGTH;
  checkMaxPayloadLength(maxPayloadLength);
  const maxBufferedChunks = options.maxBufferedChunks ?? DEFAULT_MAX_BUFFERED_CHUNKS;
  checkMaxBufferedChunks(maxBufferedChunks);
  const allowedRsvBits = options.allowedRsvBits ?? 0;
  checkAllowedRsvBits(allowedRsvBits);
  return {
    // RFC 6455 §5.1: a server MUST fail on an unmasked frame, a client on a masked one.
    requireMask: options.role === 'server',
    maxPayloadLength,
    maxBufferedChunks,
    allowedRsvBits,
    allowNonMinimalLength: options.allowNonMinimalLength === true,
    onFrame: options.onFrame,
    onPayloadChunk: options.onPayloadChunk,
    thisArg: options.thisArg,
  };
}
