/**
 * The errors the connection layer adds to those of @rfc6455/frame. Peer violations that the frame
 * parser cannot see (they depend on earlier frames) get a code here, each with one close code;
 * `WS_ERR_INVALID_STATE` is the one code for misuse by the caller and carries no close code.
 */
import {
  WS_INTERNAL_SERVER_ERROR,
  WS_MESSAGE_TOO_LARGE,
  WS_PROTOCOL_ERROR,
  WS_BAD_MESSAGE,
  WebSocketError,
} from '@rfc6455/codes';

/**
 * Every stable error code this package raises. Some are shared with @rfc6455/frame (same string,
 * same meaning) because a caller should not care which layer found the violation.
 */
export const ProtocolErrorCode = {
  /** 1002: a continuation frame arrived with no fragmented message in progress (RFC 6455 §5.4). */
  UNEXPECTED_CONTINUATION: 'WS_ERR_UNEXPECTED_CONTINUATION',
  /** 1002: a text or binary frame arrived while a fragmented message was in progress (RFC 6455 §5.4). */
  EXPECTED_CONTINUATION: 'WS_ERR_EXPECTED_CONTINUATION',
  /** 1002: RSV1 on a control or continuation frame, where no extension may set it (RFC 7692 §6). */
  UNEXPECTED_RSV_1: 'WS_ERR_UNEXPECTED_RSV_1',
  /** 1002: RSV2 on a control or continuation frame. */
  UNEXPECTED_RSV_2: 'WS_ERR_UNEXPECTED_RSV_2',
  /** 1002: RSV3 on a control or continuation frame. */
  UNEXPECTED_RSV_3: 'WS_ERR_UNEXPECTED_RSV_3',
  /** 1007: a text message that is not UTF-8 (RFC 6455 §8.1). */
  INVALID_UTF8: 'WS_ERR_INVALID_UTF8',
  /** 1009: a message longer than `maxMessageLength` (sum of its fragments, or its decoded size). */
  MESSAGE_TOO_BIG: 'WS_ERR_MESSAGE_TOO_BIG',
  /** 1009: a message in more than `maxFragments` frames. */
  TOO_MANY_FRAGMENTS: 'WS_ERR_TOO_MANY_FRAGMENTS',
  /** 1011: an extension's transform threw or rejected; the details stay in `cause`, off the wire. */
  EXTENSION_FAILED: 'WS_ERR_EXTENSION_FAILED',
  /** No close code: a method was called in a state that does not allow it (e.g. send while CONNECTING). */
  INVALID_STATE: 'WS_ERR_INVALID_STATE',
} as const;

/** One of the stable error codes in {@link ProtocolErrorCode}. */
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

const CLOSE_CODES: Readonly<Record<ProtocolErrorCode, number | undefined>> = {
  WS_ERR_UNEXPECTED_CONTINUATION: WS_PROTOCOL_ERROR,
  WS_ERR_EXPECTED_CONTINUATION: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_RSV_1: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_RSV_2: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_RSV_3: WS_PROTOCOL_ERROR,
  WS_ERR_INVALID_UTF8: WS_BAD_MESSAGE,
  WS_ERR_MESSAGE_TOO_BIG: WS_MESSAGE_TOO_LARGE,
  WS_ERR_TOO_MANY_FRAGMENTS: WS_MESSAGE_TOO_LARGE,
  WS_ERR_EXTENSION_FAILED: WS_INTERNAL_SERVER_ERROR,
  WS_ERR_INVALID_STATE: undefined,
};

/**
 * An error of the connection layer. `closeCode` is set for every peer violation (1002, 1007,
 * 1009, 1011) and undefined for `WS_ERR_INVALID_STATE`. Match on `code`, not `instanceof`.
 */
export class ProtocolError extends WebSocketError {
  /** The stable code, narrowed to this package's codes. */
  declare readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { closeCode: CLOSE_CODES[code], cause: options.cause });
  }

  override get name(): string {
    return 'ProtocolError';
  }
}
