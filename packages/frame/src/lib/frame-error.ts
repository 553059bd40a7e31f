/**
 * The errors the frame layer reports. Each stable `code` maps to exactly one close code (RFC 6455
 * §7.4.1), so a caller can fail the connection with `err.closeCode` without a lookup of its own.
 */
import { WS_BAD_MESSAGE, WS_MESSAGE_TOO_LARGE, WS_PROTOCOL_ERROR, WebSocketError } from '@rfc6455/codes';

/** Every stable error code of this package. Match errors on these strings, not with `instanceof`. */
export const FrameErrorCode = {
  /** 1002: a reserved opcode (0x3–0x7, 0xB–0xF), RFC 6455 §5.2. */
  INVALID_OPCODE: 'WS_ERR_INVALID_OPCODE',
  /** 1002: RSV1 set but no negotiated extension owns it, §5.2. */
  UNEXPECTED_RSV_1: 'WS_ERR_UNEXPECTED_RSV_1',
  /** 1002: RSV2 set but no negotiated extension owns it, §5.2. */
  UNEXPECTED_RSV_2: 'WS_ERR_UNEXPECTED_RSV_2',
  /** 1002: RSV3 set but no negotiated extension owns it, §5.2. */
  UNEXPECTED_RSV_3: 'WS_ERR_UNEXPECTED_RSV_3',
  /** 1002: a control frame without FIN (control frames are never fragmented), §5.5. */
  EXPECTED_FIN: 'WS_ERR_EXPECTED_FIN',
  /** 1002: a control frame with a payload over 125 bytes, §5.5. */
  INVALID_CONTROL_PAYLOAD_LENGTH: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
  /** 1002: a 64-bit length with its most significant bit set, or a length not minimally encoded, §5.2. */
  INVALID_PAYLOAD_LENGTH: 'WS_ERR_INVALID_PAYLOAD_LENGTH',
  /** 1002: a server received an unmasked frame, §5.1. */
  EXPECTED_MASK: 'WS_ERR_EXPECTED_MASK',
  /** 1002: a client received a masked frame, §5.1. */
  UNEXPECTED_MASK: 'WS_ERR_UNEXPECTED_MASK',
  /** 1009: a payload longer than `maxPayloadLength` (or than 2^53 − 1), §7.4.1. */
  MESSAGE_TOO_BIG: 'WS_ERR_MESSAGE_TOO_BIG',
  /** 1002: a close payload of exactly one byte, §5.5.1. */
  INVALID_CLOSE_PAYLOAD: 'WS_ERR_INVALID_CLOSE_PAYLOAD',
  /** 1002: a close code that may not appear on the wire, §7.4. */
  INVALID_CLOSE_CODE: 'WS_ERR_INVALID_CLOSE_CODE',
  /** 1007: bytes that are not UTF-8 where UTF-8 is required, §8.1. */
  INVALID_UTF8: 'WS_ERR_INVALID_UTF8',
} as const;

/** One of the stable error codes in {@link FrameErrorCode}. */
export type FrameErrorCode = (typeof FrameErrorCode)[keyof typeof FrameErrorCode];

/** The close code each error code fails the connection with. */
export const FRAME_ERROR_CLOSE_CODES: Readonly<Record<FrameErrorCode, number>> = {
  WS_ERR_INVALID_OPCODE: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_RSV_1: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_RSV_2: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_RSV_3: WS_PROTOCOL_ERROR,
  WS_ERR_EXPECTED_FIN: WS_PROTOCOL_ERROR,
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: WS_PROTOCOL_ERROR,
  WS_ERR_INVALID_PAYLOAD_LENGTH: WS_PROTOCOL_ERROR,
  WS_ERR_EXPECTED_MASK: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_MASK: WS_PROTOCOL_ERROR,
  WS_ERR_MESSAGE_TOO_BIG: WS_MESSAGE_TOO_LARGE,
  WS_ERR_INVALID_CLOSE_PAYLOAD: WS_PROTOCOL_ERROR,
  WS_ERR_INVALID_CLOSE_CODE: WS_PROTOCOL_ERROR,
  WS_ERR_INVALID_UTF8: WS_BAD_MESSAGE,
};

/**
 * A violation found in bytes from the peer. `code` is one of {@link FrameErrorCode}; `closeCode`
 * is always set (1002, 1007 or 1009). The parser returns these instead of throwing them.
 */
export class FrameError extends WebSocketError {
  /** The stable code, narrowed to this package's codes. */
  declare readonly code: FrameErrorCode;
  /** The close code the connection should be failed with; never undefined for a FrameError. */
  declare readonly closeCode: number;

  constructor(code: FrameErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { closeCode: FRAME_ERROR_CLOSE_CODES[code], cause: options.cause });
  }

  override get name(): string {
    return 'FrameError';
  }
}
