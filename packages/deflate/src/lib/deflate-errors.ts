/**
 * The errors permessage-deflate raises. They are plain {@link WebSocketError}s with a stable
 * `code`; callers match on the code, never with `instanceof`.
 */
import { WebSocketError, WS_BAD_MESSAGE, WS_CLOSED_ABNORMALLY, WS_MESSAGE_TOO_LARGE } from '@rfc6455/codes';

/**
 * Every `code` this package puts on an error:
 *
 * - `WS_ERR_MESSAGE_TOO_BIG` (close 1009): a compressed message inflated past the caller's
 *   `maxLength`. Raised while inflating, so memory stays bounded.
 * - `WS_ERR_INVALID_COMPRESSED_DATA` (close 1007): the payload is not valid DEFLATE data.
 * - `WS_ERR_INVALID_DEFLATE_RESPONSE` (close 1006): the server's `permessage-deflate` response does
 *   not answer any offer the client made (RFC 7692 §7.1: the client fails the connection; nothing
 *   is sent on the wire, so WHATWG reports 1006).
 * - `WS_ERR_DEFLATE_CLOSED` (no close code): `encode`/`decode` after `close()`, or a zlib
 *   operation cut short by `close()`.
 */
export type DeflateErrorCode =
  | 'WS_ERR_MESSAGE_TOO_BIG'
  | 'WS_ERR_INVALID_COMPRESSED_DATA'
  | 'WS_ERR_INVALID_DEFLATE_RESPONSE'
  | 'WS_ERR_DEFLATE_CLOSED';

const CLOSE_CODES: Readonly<Record<DeflateErrorCode, number | undefined>> = {
  WS_ERR_MESSAGE_TOO_BIG: WS_MESSAGE_TOO_LARGE,
  WS_ERR_INVALID_COMPRESSED_DATA: WS_BAD_MESSAGE,
  WS_ERR_INVALID_DEFLATE_RESPONSE: WS_CLOSED_ABNORMALLY,
  WS_ERR_DEFLATE_CLOSED: undefined,
};

/** A {@link WebSocketError} with one of the {@link DeflateErrorCode}s and its close code. */
export function createDeflateError(code: DeflateErrorCode, message: string, cause?: unknown): WebSocketError {
  return new WebSocketError(code, message, { closeCode: CLOSE_CODES[code], cause });
}
