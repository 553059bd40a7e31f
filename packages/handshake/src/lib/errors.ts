/**
 * The handshake's one error class.
 *
 * Every failure caused by the peer (a malformed request, a response that does not prove the
 * server speaks WebSocket) is a {@link HandshakeError} with a stable `code`; misuse by the caller
 * (a bad argument) is a `TypeError`, `SyntaxError` or `RangeError` thrown at once instead.
 */
import { WebSocketError } from '@rfc6455/codes';

/**
 * The stable codes a {@link HandshakeError} can carry.
 *
 * Client side (validating the server's response): `WS_ERR_UNEXPECTED_STATUS`,
 * `WS_ERR_INVALID_UPGRADE_HEADER`, `WS_ERR_INVALID_CONNECTION_HEADER`, `WS_ERR_INVALID_ACCEPT`,
 * `WS_ERR_INVALID_PROTOCOL_HEADER`, `WS_ERR_UNEXPECTED_SUBPROTOCOL`,
 * `WS_ERR_INVALID_EXTENSION_HEADER`, `WS_ERR_UNEXPECTED_EXTENSION`.
 *
 * Server side (validating the client's request): `WS_ERR_INVALID_METHOD` (405),
 * `WS_ERR_INVALID_HTTP_VERSION`, `WS_ERR_MISSING_HOST`, `WS_ERR_INVALID_UPGRADE_HEADER`,
 * `WS_ERR_INVALID_CONNECTION_HEADER`, `WS_ERR_INVALID_KEY`, `WS_ERR_INVALID_PROTOCOL_HEADER`,
 * `WS_ERR_INVALID_EXTENSION_HEADER` (all 400), `WS_ERR_UNSUPPORTED_VERSION` (426),
 * `WS_ERR_FORBIDDEN_ORIGIN` (403).
 */
export type HandshakeErrorCode =
  | 'WS_ERR_UNEXPECTED_STATUS'
  | 'WS_ERR_INVALID_UPGRADE_HEADER'
  | 'WS_ERR_INVALID_CONNECTION_HEADER'
  | 'WS_ERR_INVALID_ACCEPT'
  | 'WS_ERR_INVALID_PROTOCOL_HEADER'
  | 'WS_ERR_UNEXPECTED_SUBPROTOCOL'
  | 'WS_ERR_INVALID_EXTENSION_HEADER'
  | 'WS_ERR_UNEXPECTED_EXTENSION'
  | 'WS_ERR_INVALID_METHOD'
  | 'WS_ERR_INVALID_HTTP_VERSION'
  | 'WS_ERR_MISSING_HOST'
  | 'WS_ERR_INVALID_KEY'
  | 'WS_ERR_UNSUPPORTED_VERSION'
  | 'WS_ERR_FORBIDDEN_ORIGIN';

/** Options for {@link HandshakeError}. */
export interface HandshakeErrorOptions {
  /**
   * Client side: the status of the server's response. Server side: the HTTP status to answer with.
   * Defaults to 400.
   */
  status?: number | undefined;
  /**
   * Client side: the headers of the server's response (lower-case names). Server side: the headers
   * to add to the error response (such as `Sec-WebSocket-Version: 13` with a 426).
   */
  headers?: Readonly<Record<string, string>> | undefined;
  /** The close code a client reports for the failed connection (1006, as WHATWG `close` events do). */
  closeCode?: number | undefined;
  /** The error that caused this one. */
  cause?: unknown;
}

/**
 * A failed opening handshake (RFC 6455 §4). Match on `code` (see {@link HandshakeErrorCode}).
 *
 * On the client, `status` and `headers` are what the server answered, for logging and for the
 * WHATWG `unexpected-response`-style reporting. On the server, they are what to answer with:
 * `buildErrorResponse(err.status, err.message, err.headers)`.
 */
export class HandshakeError extends WebSocketError {
  /** The HTTP status received (client side) or to send (server side). */
  readonly status: number;
  /** The headers received (client side) or to add to the error response (server side). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: HandshakeErrorCode, message: string, options: HandshakeErrorOptions = {}) {
    super(code, message, { closeCode: options.closeCode, cause: options.cause });
    this.status = options.status ?? 400;
    this.headers = options.headers ?? Object.freeze(Object.create(null) as Record<string, string>);
  }

  override get name(): string {
    return 'HandshakeError';
  }
}

/** True for an error shaped like a {@link HandshakeError}, across duplicate copies of the package. */
export function isHandshakeError(value: unknown): value is HandshakeError {
  if (!(value instanceof Error)) return false;
  const { code, status } = value as Error & { code?: unknown; status?: unknown };
  return typeof code === 'string' && code.startsWith('WS_ERR_') && typeof status === 'number';
}
