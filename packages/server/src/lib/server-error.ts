/**
 * The server's errors: what a rejected handshake answers with ({@link HttpError}) and the typed
 * errors the server reports about connections it ends itself ({@link ServerError}).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, WebSocketError } from '@rfc6455/codes';

/**
 * The codes a {@link ServerError} can carry, by name: a part of the catalogue `ErrorCode` of
 * @rfc6455/codes, with its keys.
 */
export const ServerErrorCode = {
  /** The opening handshake did not complete within `handshakeTimeoutMs`; the socket was destroyed. */
  HandshakeTimeout: ErrorCode.HandshakeTimeout,
  /** The peer did not answer a heartbeat ping within `heartbeat.timeoutMs`; the connection was terminated (1006). */
  HeartbeatTimeout: ErrorCode.HeartbeatTimeout,
  /** The peer's buffered outgoing data passed `maxBufferedAmount` with `backpressure: 'close'` (closed with 1013). */
  SlowConsumer: ErrorCode.SlowConsumer,
  /** A socket error before the handshake completed (the socket was destroyed). */
  HandshakeSocket: ErrorCode.HandshakeSocket,
  /** The `authenticate` hook threw something that is not an HTTP error; the client got a 500. */
  AuthenticateFailed: ErrorCode.AuthenticateFailed,
  /** The handshake was refused with an HTTP error response; `cause` has the precise reason. */
  HandshakeRejected: ErrorCode.HandshakeRejected,
  /** A publish or broadcast reached this node's connections but not the other nodes (the adapter's reason is the `cause`). */
  ForwardFailed: ErrorCode.ForwardFailed,
} as const satisfies Partial<typeof ErrorCode>;

/** One of the stable codes of {@link ServerErrorCode}. */
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/** A typed error the server raises about a connection or a handshake. Match on `code`. */
export class ServerError extends WebSocketError {
  /** The HTTP status the handshake was refused with, when it was refused with one. */
  readonly status: number | undefined;

  constructor(code: ServerErrorCode, message: string, options: { closeCode?: number; status?: number; cause?: unknown } = {}) {
    super(code, message, { closeCode: options.closeCode, cause: options.cause });
    this.status = options.status;
  }

  override get name(): string {
    return 'ServerError';
  }
}

/**
 * How the parts of a server report a refused or failed handshake ('handshakeError'). The server
 * builds the {@link ServerError} only when someone listens: a flood of bad requests costs no
 * stack traces nobody reads.
 */
export type ClientErrorReport = (
  code: ServerErrorCode,
  message: string,
  socket: Duplex,
  request: IncomingMessage | undefined,
  details?: { readonly status?: number | undefined; readonly cause?: unknown },
) => void;

/** Headers of an {@link HttpError} response: name → value (arrays write one line per value). */
export type HttpErrorHeaders = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/**
 * Throw (or reject with) this from `authenticate` to refuse a handshake with an HTTP response:
 * `throw new HttpError(401, 'Token expired', { 'WWW-Authenticate': 'Bearer' })`. Any thrown object
 * with a numeric `status` between 400 and 599 works the same way (see {@link isHttpErrorLike}).
 */
export class HttpError extends Error {
  /** The HTTP status to answer with (400–599). */
  readonly status: number;
  /** Extra response headers (for example `WWW-Authenticate` or `Retry-After`). */
  readonly headers: HttpErrorHeaders | undefined;

  /**
   * @throws {RangeError} when `status` is not an integer between 400 and 599.
   */
  constructor(status: number, message?: string, headers?: HttpErrorHeaders) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`new HttpError(status): status ${String(status)} must be an HTTP error status (400–599).`);
    }
    super(message ?? '');
    this.status = status;
    this.headers = headers;
  }

  override get name(): string {
    return 'HttpError';
  }
}

/** The shape `authenticate` may reject with: an HTTP error status, optional headers and message. */
export interface HttpErrorLike {
  readonly status: number;
  readonly headers?: HttpErrorHeaders | undefined;
  readonly message?: string | undefined;
}

/** True for any object with an integer `status` between 400 and 599, such as an {@link HttpError}. */
export function isHttpErrorLike(value: unknown): value is HttpErrorLike {
  if (value === null || typeof value !== 'object') return false;
  const status: unknown = (value as { status?: unknown }).status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599;
}
