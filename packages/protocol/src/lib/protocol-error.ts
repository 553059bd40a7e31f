/**
 * The errors the connection layer adds to those of @rfc6455/frame. Peer violations that the frame
 * parser cannot see (they depend on earlier frames) get a code here, each with one close code from
 * the catalogue (`ERROR_CLOSE_CODES` in @rfc6455/codes); `WS_ERR_INVALID_STATE` is the one code
 * for misuse by the caller and carries no close code.
 */
import { ERROR_CLOSE_CODES, ErrorCode, WebSocketError } from '@rfc6455/codes';

/**
 * Every stable error code this package raises: the catalogue's entries under the catalogue's
 * names (`ProtocolErrorCode.InvalidState === ErrorCode.InvalidState`). Some are shared with
 * @rfc6455/frame (same string, same meaning) because a caller should not care which layer found
 * the violation.
 */
export const ProtocolErrorCode = {
  /**
   * 1002: a continuation frame with no fragmented message in progress, or a text or binary frame
   * while one is (RFC 6455 §5.4): ws's code for both (an opcode out of place); the message says which.
   */
  InvalidOpcode: ErrorCode.InvalidOpcode,
  /** 1002: RSV1 on a control or continuation frame, where no extension may set it (RFC 7692 §6). */
  UnexpectedRsv1: ErrorCode.UnexpectedRsv1,
  /** 1002: RSV2 or RSV3 on a control or continuation frame. */
  UnexpectedRsv23: ErrorCode.UnexpectedRsv23,
  /** 1007: a text message that is not UTF-8 (RFC 6455 §8.1). */
  InvalidUtf8: ErrorCode.InvalidUtf8,
  /** 1009: a message longer than `maxMessageLength` (sum of its fragments, or its decoded size). */
  UnsupportedMessageLength: ErrorCode.UnsupportedMessageLength,
  /** 1008: a message in more than `maxFragments` frames. */
  TooManyBufferedParts: ErrorCode.TooManyBufferedParts,
  /** 1011: an extension's transform threw or rejected; the details stay in `cause`, off the wire. */
  ExtensionFailed: ErrorCode.ExtensionFailed,
  /** No close code: a method was called in a state that does not allow it (e.g. send while CONNECTING). */
  InvalidState: ErrorCode.InvalidState,
} as const;

/** One of the stable error codes in {@link ProtocolErrorCode}. */
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/**
 * An error of the connection layer. `closeCode` is set for every peer violation (1002, 1007,
 * 1008, 1009, 1011) and undefined for `WS_ERR_INVALID_STATE`. Match on `code`, not `instanceof`.
 */
export class ProtocolError extends WebSocketError {
  /** The stable code, narrowed to this package's codes. */
  declare readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { closeCode: ERROR_CLOSE_CODES[code], cause: options.cause });
  }

  override get name(): string {
    return 'ProtocolError';
  }
}
