/**
 * The one error class of permessage-deflate (RFC 7692). Its codes are the catalogue's
 * (`ErrorCode` in @rfc6455/codes) and so are their close codes; callers match on `code`, never with
 * `instanceof`.
 */
import { ERROR_CLOSE_CODES, ErrorCode, WebSocketError } from '@rfc6455/codes';

/**
 * Every `code` this package puts on an error, under the catalogue's names
 * (`DeflateErrorCode.InvalidCompressedData === ErrorCode.InvalidCompressedData`).
 */
export const DeflateErrorCode = {
  /**
   * Close 1009: a compressed message inflated past the caller's `maxLength`. Raised while
   * inflating, so memory stays bounded.
   */
  UnsupportedMessageLength: ErrorCode.UnsupportedMessageLength,
  /** Close 1007: the payload is not valid DEFLATE data (RFC 7692 §7.2.2). */
  InvalidCompressedData: ErrorCode.InvalidCompressedData,
  /**
   * Close 1006: the server's `permessage-deflate` response does not answer any offer the client
   * made (RFC 7692 §7.1: the client fails the connection; nothing is sent on the wire, so WHATWG
   * reports 1006).
   */
  InvalidDeflateResponse: ErrorCode.InvalidDeflateResponse,
  /** No close code: `encode`/`decode` after `close()`, or a zlib operation cut short by `close()`. */
  DeflateClosed: ErrorCode.DeflateClosed,
} as const;

/** One of the stable error codes in {@link DeflateErrorCode}. */
export type DeflateErrorCode = (typeof DeflateErrorCode)[keyof typeof DeflateErrorCode];

/**
 * An error of permessage-deflate: bad DEFLATE data from the peer, a message that inflates past
 * its limit, a response that answers none of our offers, or use after `close()`. `closeCode` comes
 * from the catalogue (undefined for `WS_ERR_DEFLATE_CLOSED`).
 */
export class DeflateError extends WebSocketError {
  /** The stable code, narrowed to this package's codes. */
  declare readonly code: DeflateErrorCode;

  constructor(code: DeflateErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { closeCode: ERROR_CLOSE_CODES[code], cause: options.cause });
  }

  override get name(): string {
    return 'DeflateError';
  }
}
