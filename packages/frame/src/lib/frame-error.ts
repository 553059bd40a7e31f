/**
 * The errors the frame layer reports. Each stable `code` is a code of the catalogue (`ErrorCode`
 * in @rfc6455/codes) and maps to exactly one close code there (RFC 6455 §7.4.1), so a caller can
 * fail the connection with `err.closeCode` without a lookup of its own.
 */
import { ERROR_CLOSE_CODES, ErrorCode, WebSocketError } from '@rfc6455/codes';

/**
 * Every stable error code of this package: the catalogue's entries under the catalogue's names
 * (`FrameErrorCode.InvalidOpcode === ErrorCode.InvalidOpcode`). Match errors on these strings, not
 * with `instanceof`.
 */
export const FrameErrorCode = {
  /** 1002: a reserved opcode (0x3–0x7, 0xB–0xF), RFC 6455 §5.2. */
  InvalidOpcode: ErrorCode.InvalidOpcode,
  /** 1002: RSV1 set but no negotiated extension owns it, §5.2. */
  UnexpectedRsv1: ErrorCode.UnexpectedRsv1,
  /** 1002: RSV2 or RSV3 set but no negotiated extension owns it, §5.2. */
  UnexpectedRsv23: ErrorCode.UnexpectedRsv23,
  /** 1002: a control frame without FIN (control frames are never fragmented), §5.5. */
  ExpectedFin: ErrorCode.ExpectedFin,
  /** 1002: a control frame with a payload over 125 bytes (§5.5), or a close payload of exactly one byte (§5.5.1). */
  InvalidControlPayloadLength: ErrorCode.InvalidControlPayloadLength,
  /** 1002: a 64-bit length with its most significant bit set, or a length not minimally encoded, §5.2. */
  InvalidPayloadLength: ErrorCode.InvalidPayloadLength,
  /** 1002: a server received an unmasked frame, §5.1. */
  ExpectedMask: ErrorCode.ExpectedMask,
  /** 1002: a client received a masked frame, §5.1. */
  UnexpectedMask: ErrorCode.UnexpectedMask,
  /** 1009: a data frame longer than 2^53 − 1 bytes, more than JavaScript can count. */
  UnsupportedDataPayloadLength: ErrorCode.UnsupportedDataPayloadLength,
  /** 1009: a payload longer than `maxPayloadLength`, §7.4.1. */
  UnsupportedMessageLength: ErrorCode.UnsupportedMessageLength,
  /** 1008: an incomplete frame held in more pieces than `maxBufferedChunks`. */
  TooManyBufferedParts: ErrorCode.TooManyBufferedParts,
  /** 1002: a close code that may not appear on the wire, §7.4. */
  InvalidCloseCode: ErrorCode.InvalidCloseCode,
  /** 1007: bytes that are not UTF-8 where UTF-8 is required, §8.1. */
  InvalidUtf8: ErrorCode.InvalidUtf8,
} as const;

/** One of the stable error codes in {@link FrameErrorCode}. */
export type FrameErrorCode = (typeof FrameErrorCode)[keyof typeof FrameErrorCode];

/**
 * A violation found in bytes from the peer. `code` is one of {@link FrameErrorCode}; `closeCode`
 * is always set (1002, 1007, 1008 or 1009, from the catalogue's `ERROR_CLOSE_CODES`). The parser returns
 * these instead of throwing them.
 */
export class FrameError extends WebSocketError {
  /** The stable code, narrowed to this package's codes. */
  declare readonly code: FrameErrorCode;
  /** The close code the connection should be failed with; never undefined for a FrameError. */
  declare readonly closeCode: number;

  constructor(code: FrameErrorCode, message: string, options: { cause?: unknown } = {}) {
    // Every frame code has a close code in the catalogue (frame-error.test.ts checks it).
    super(code, message, { closeCode: ERROR_CLOSE_CODES[code]!, cause: options.cause });
  }

  override get name(): string {
    return 'FrameError';
  }
}
