/**
 * The errors the browser client raises or reports: one class, {@link BrowserError}, whose `code`
 * comes from the toolkit's catalogue (`ErrorCode` in `@rfc6455/codes`); callers match on `code`,
 * not `instanceof`.
 */
import { ErrorCode, WebSocketError } from '@rfc6455/codes';
import type { WebSocketErrorOptions } from '@rfc6455/codes';

/** The stable `code` of every error this package raises or reports (the catalogue's keys and values). */
export const BrowserErrorCode = {
  /** A send would take the reconnect queue past `maxQueuedMessages` or `maxQueuedBytes`. */
  QueueFull: ErrorCode.QueueFull,
  /** A send while not open with queueing turned off (`maxQueuedMessages: 0`). */
  NotOpen: ErrorCode.NotOpen,
  /** A send or `connect()` after the socket was closed for good. */
  Closed: ErrorCode.Closed,
  /** A queued or buffered message was dropped because the socket closed before it went out. */
  NotSent: ErrorCode.NotSent,
  /** In `parse: 'json'` mode, a text message that is not JSON; the raw text is on the error. */
  InvalidJson: ErrorCode.InvalidJson,
  /** The browser fired `error` on the native socket. Browsers give no detail, on purpose. */
  Network: ErrorCode.Network,
  /** The connection attempt did not open within `connectTimeoutMs`. */
  ConnectTimeout: ErrorCode.ConnectTimeout,
  /** The URL (or what the URL provider returned) is not a ws:, wss:, http: or https: URL. */
  InvalidUrl: ErrorCode.InvalidUrl,
  /** The URL provider threw or rejected. */
  UrlProvider: ErrorCode.UrlProvider,
  /** The subprotocols provider threw, rejected, or returned something that is not a string or a list of strings. */
  ProtocolsProvider: ErrorCode.ProtocolsProvider,
  /** Reconnecting stopped after `maxRetries` failed attempts in a row. */
  GaveUp: ErrorCode.GaveUp,
  /** The connection closed for good before it ever opened (the Node client's code for a failed dial). */
  ConnectionFailed: ErrorCode.ConnectionFailed,
  /** The connection closed for good without a clean close (iteration throws this). */
  ClosedAbnormally: ErrorCode.ClosedAbnormally,
} as const;

/** One of the {@link BrowserErrorCode} values. */
export type BrowserErrorCode = (typeof BrowserErrorCode)[keyof typeof BrowserErrorCode];

/** An error of the browser client: a `WebSocketError` whose `code` is one of {@link BrowserErrorCode}. */
export class BrowserError extends WebSocketError {
  declare readonly code: BrowserErrorCode;

  constructor(code: BrowserErrorCode, message: string, options?: WebSocketErrorOptions) {
    super(code, message, options);
  }

  override get name(): string {
    return 'BrowserError';
  }
}

/**
 * A text message that failed to parse in `parse: 'json'` mode. The message is not lost: its raw
 * text is in `text`, and the parse failure is in `cause`.
 */
export class InvalidJsonError extends BrowserError {
  /** The text of the message exactly as it arrived. */
  readonly text: string;

  constructor(text: string, cause: unknown) {
    super(BrowserErrorCode.InvalidJson, `A text message is not valid JSON (${text.length} characters); its text is in error.text`, {
      cause,
    });
    this.text = text;
  }

  override get name(): string {
    return 'InvalidJsonError';
  }
}
