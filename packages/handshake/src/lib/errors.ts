/**
 * The handshake's one error class.
 *
 * Every failure caused by the peer (a malformed request, a response that does not prove the
 * server speaks WebSocket) is a {@link HandshakeError} with a stable `code`; misuse by the caller
 * (a bad argument) is a `TypeError`, `SyntaxError` or `RangeError` thrown at once instead.
 */
import { ErrorCode, WebSocketError } from '@rfc6455/codes';

/**
 * The stable codes a {@link HandshakeError} can carry: the catalogue's entries under the
 * catalogue's names (`HandshakeErrorCode.InvalidKey === ErrorCode.InvalidKey`).
 */
export const HandshakeErrorCode = {
  /** Client: the server answered with a status other than 101 (RFC 6455 §4.1). */
  UnexpectedStatus: ErrorCode.UnexpectedStatus,
  /** Both sides: the `Upgrade` header is missing or is not `websocket` (§4.1, §4.2.1); server 400. */
  InvalidUpgradeHeader: ErrorCode.InvalidUpgradeHeader,
  /** Both sides: the `Connection` header does not contain `upgrade` (§4.1, §4.2.1); server 400. */
  InvalidConnectionHeader: ErrorCode.InvalidConnectionHeader,
  /** Client: `Sec-WebSocket-Accept` is missing or is not the value for our key (§4.1). */
  InvalidAccept: ErrorCode.InvalidAccept,
  /** Both sides: a malformed `Sec-WebSocket-Protocol` header (§4.1); server 400. */
  InvalidProtocolHeader: ErrorCode.InvalidProtocolHeader,
  /** Client: the server selected a subprotocol the client did not offer (§4.1). */
  UnexpectedSubprotocol: ErrorCode.UnexpectedSubprotocol,
  /** Both sides: a malformed `Sec-WebSocket-Extensions` header (§9.1); server 400. */
  InvalidExtensionHeader: ErrorCode.InvalidExtensionHeader,
  /** Client: the server accepted an extension the client did not offer (§4.1). */
  UnexpectedExtension: ErrorCode.UnexpectedExtension,
  /** Server, 405: the request is not a GET (§4.2.1). */
  InvalidMethod: ErrorCode.InvalidMethod,
  /** Server, 400: the request is not HTTP/1.1 or later (§4.2.1). */
  InvalidHttpVersion: ErrorCode.InvalidHttpVersion,
  /** Server, 400: the request has no single `Host` header (§4.2.1). */
  MissingHost: ErrorCode.MissingHost,
  /** Server, 400: `Sec-WebSocket-Key` is missing, repeated, or not base64 of 16 bytes (§4.2.1). */
  InvalidKey: ErrorCode.InvalidKey,
  /** Server, 426: a `Sec-WebSocket-Version` other than 13 (or 8); the answer says which we speak (§4.2.2). */
  UnsupportedVersion: ErrorCode.UnsupportedVersion,
  /** Server, 403: the origin policy refused the request's `Origin` (§4.2.2, §10.2). */
  ForbiddenOrigin: ErrorCode.ForbiddenOrigin,
  /** Server, 400: an HTTP/2 extended CONNECT without `:protocol`, `:scheme`, `:path` or `:authority`, or with a bad `:scheme` (RFC 8441 §4–§5). */
  InvalidPseudoHeader: ErrorCode.InvalidPseudoHeader,
  /** Server, 501: an HTTP/2 extended CONNECT whose `:protocol` is not `websocket` (RFC 8441 §5, RFC 9220 §3). */
  UnsupportedConnectProtocol: ErrorCode.UnsupportedConnectProtocol,
} as const;

/** One of the stable codes in {@link HandshakeErrorCode}. */
export type HandshakeErrorCode = (typeof HandshakeErrorCode)[keyof typeof HandshakeErrorCode];

/**
 * The brand {@link isHandshakeError} looks for. A registered symbol is the same in every copy of
 * this package, so two copies in one dependency tree recognise each other's errors, which
 * `instanceof` cannot; and no other error carries it, unlike a code and a numeric `status`.
 */
const BRAND = Symbol.for('@rfc6455/handshake:HandshakeError');

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

  /** The mark {@link isHandshakeError} recognises across copies of this package. */
  get [BRAND](): true {
    return true;
  }
}

/**
 * True for a {@link HandshakeError} from any copy of this package, and for nothing else: other
 * errors with a `WS_ERR_*` code and a `status` (the client's, the server's) are not. Matches the
 * class's registered-symbol brand rather than `instanceof`, which two copies of a package break.
 */
export function isHandshakeError(value: unknown): value is HandshakeError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
