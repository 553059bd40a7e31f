/**
 * The errors the browser client raises or reports. Every one is a `WebSocketError` from
 * `@rfc6455/codes` with a stable string `code`; callers match on `code`, not `instanceof`.
 */
import { WebSocketError } from '@rfc6455/codes';
import type { WebSocketErrorOptions } from '@rfc6455/codes';

/** The stable `code` of every error this package raises or reports. */
export const BrowserErrorCode = {
  /** A send would take the reconnect queue past `maxQueuedMessages` or `maxQueuedBytes`. */
  QueueFull: 'WS_ERR_QUEUE_FULL',
  /** A send while not open with queueing turned off (`maxQueuedMessages: 0`). */
  NotOpen: 'WS_ERR_NOT_OPEN',
  /** A send or `connect()` after the socket was closed for good. */
  Closed: 'WS_ERR_CLOSED',
  /** A queued or buffered message was dropped because the socket closed before it went out. */
  NotSent: 'WS_ERR_NOT_SENT',
  /** In `parse: 'json'` mode, a text message that is not JSON; the raw text is on the error. */
  InvalidJson: 'WS_ERR_INVALID_JSON',
  /** The browser fired `error` on the native socket. Browsers give no detail, on purpose. */
  Network: 'WS_ERR_NETWORK',
  /** The connection attempt did not open within `connectTimeoutMs`. */
  ConnectTimeout: 'WS_ERR_CONNECT_TIMEOUT',
  /** The URL (or what the URL provider returned) is not a ws:, wss:, http: or https: URL. */
  InvalidUrl: 'WS_ERR_INVALID_URL',
  /** The URL provider threw or rejected. */
  UrlProvider: 'WS_ERR_URL_PROVIDER',
  /** Reconnecting stopped after `maxRetries` failed attempts in a row. */
  GaveUp: 'WS_ERR_GAVE_UP',
  /** The connection closed for good before it opened (without reconnecting). */
  ConnectFailed: 'WS_ERR_CONNECT_FAILED',
  /** The connection closed for good without a clean close (iteration throws this). */
  ConnectionClosed: 'WS_ERR_CONNECTION_CLOSED',
} as const;

/** One of the {@link BrowserErrorCode} values. */
export type BrowserErrorCode = (typeof BrowserErrorCode)[keyof typeof BrowserErrorCode];

/** Creates a `WebSocketError` with one of this package's codes. */
export function createError(code: BrowserErrorCode, message: string, options?: WebSocketErrorOptions): WebSocketError {
  return new WebSocketError(code, message, options);
}

/**
 * A text message that failed to parse in `parse: 'json'` mode. The message is not lost: its raw
 * text is in `text`, and the parse failure is in `cause`.
 */
export class InvalidJsonError extends WebSocketError {
  /** The text of the message exactly as it arrived. */
  readonly text: string;

  constructor(text: string, cause: unknown) {
    super(BrowserErrorCode.InvalidJson, `A text message is not valid JSON (${text.length} characters); its text is in error.text`, {
      cause,
    });
    this.text = text;
  }
}
