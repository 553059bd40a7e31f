/**
 * The client's error class. Every failure of a connection attempt or of a live connection that is
 * not the caller's misuse is a {@link ClientError} with a stable `code`; handshake failures also
 * carry what the server answered (`status`, `headers`, a `body` excerpt) so they can be logged.
 */
import { ErrorCode, WS_CLOSED_ABNORMALLY, WebSocketError, readyStateName } from '@rfc6455/codes';
import type { ReadyState } from '@rfc6455/codes';

/**
 * The codes this package raises itself, drawn from the catalogue `ErrorCode` of @rfc6455/codes
 * (same keys, same values). A rejected handshake also uses the codes of @rfc6455/handshake
 * (`WS_ERR_INVALID_ACCEPT`, `WS_ERR_UNEXPECTED_SUBPROTOCOL`, …) and a peer's protocol violation the
 * codes of @rfc6455/frame and @rfc6455/protocol.
 */
export const ClientErrorCode = {
  /** 1006: the server answered the upgrade request with a status other than 101. */
  UnexpectedStatus: ErrorCode.UnexpectedStatus,
  /** 1006: no open connection within `handshakeTimeoutMs` (proxy, redirects and TLS included). */
  HandshakeTimeout: ErrorCode.HandshakeTimeout,
  /** 1006: the TCP or TLS connection failed before the handshake completed; `cause` is Node's error. */
  ConnectionFailed: ErrorCode.ConnectionFailed,
  /** 1006: more redirects than `maxRedirects`. */
  TooManyRedirects: ErrorCode.TooManyRedirects,
  /** 1006: a redirect's `Location` is missing or is not a ws/wss/http/https URL. */
  InvalidRedirect: ErrorCode.InvalidRedirect,
  /** 1006: the proxy refused the CONNECT request (`status` is its answer) or failed. */
  ProxyConnectFailed: ErrorCode.ProxyConnectFailed,
  /** 1006: `close()` or `terminate()` was called before the connection opened. */
  Aborted: ErrorCode.Aborted,
  /** 1006: no pong within `heartbeat.timeoutMs` of a heartbeat ping; the connection was terminated. */
  HeartbeatTimeout: ErrorCode.HeartbeatTimeout,
  /** 1006: the connection ended without a closing handshake (reported by the async iterator). */
  ClosedAbnormally: ErrorCode.ClosedAbnormally,
  /** No close code: data was sent (callback or `sendAsync`) while the connection was not OPEN; it was not sent. */
  NotOpen: ErrorCode.NotOpen,
  /** 1006: the HTTP/2 stream carrying the connection was reset (RST_STREAM) before the closing handshake completed (RFC 8441 §6). */
  StreamReset: ErrorCode.StreamReset,
  /** 1006: `http2: true`, but the server did not choose h2 in ALPN or did not enable extended CONNECT (RFC 8441 §3). */
  ExtendedConnectUnsupported: ErrorCode.ExtendedConnectUnsupported,
} as const;

/** One of the codes in {@link ClientErrorCode}. */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Options of {@link ClientError}. */
export interface ClientErrorOptions {
  /** The close code the connection ended with; 1006 unless said otherwise. `null` for none. */
  closeCode?: number | null | undefined;
  /** The HTTP status the server or proxy answered, when there was an answer. */
  status?: number | undefined;
  /** The answer's headers (lower-case names; repeated fields joined with `, `). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** The first bytes (at most 1 KiB) of the answer's body, decoded as UTF-8. */
  body?: string | undefined;
  /** The error that caused this one. */
  cause?: unknown;
}

/** Largest body excerpt kept on a handshake error, in bytes. */
export const BODY_EXCERPT_BYTES = 1024;

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);

/**
 * An error of the Node client. Match on `code`, not `instanceof`. `status`, `headers` and `body`
 * describe the server's (or proxy's) HTTP answer when a handshake was refused; they are
 * `undefined`, empty and `''` when no answer arrived.
 */
export class ClientError extends WebSocketError {
  /** The HTTP status received, if any. */
  readonly status: number | undefined;
  /** The headers received (lower-case names), empty when no answer arrived. */
  readonly headers: Readonly<Record<string, string>>;
  /** Up to 1 KiB of the answer's body, decoded as UTF-8; `''` when none. */
  readonly body: string;

  constructor(code: string, message: string, options: ClientErrorOptions = {}) {
    const closeCode = options.closeCode === null ? undefined : (options.closeCode ?? WS_CLOSED_ABNORMALLY);
    super(code, message, { closeCode, cause: options.cause });
    this.status = options.status;
    this.headers = options.headers ?? NO_HEADERS;
    this.body = options.body ?? '';
  }

  override get name(): string {
    return 'ClientError';
  }
}

/**
 * A DOMException-like error for the WHATWG surface (`InvalidStateError`, `InvalidAccessError`,
 * `SyntaxError`): Node's own `DOMException`, so `err.name` matches what browsers throw.
 */
export function domError(name: 'InvalidStateError' | 'InvalidAccessError' | 'SyntaxError', message: string): Error {
  return new DOMException(message, name);
}

/** The `WS_ERR_NOT_OPEN` error a send's callback gets when nothing was sent in ready state `state`. */
export function notOpen(state: ReadyState): ClientError {
  return new ClientError(ClientErrorCode.NotOpen, `WebSocket is not open: readyState ${state} (${readyStateName(state)}); the data was not sent`, {
    closeCode: null,
  });
}
