/**
 * The seed's `client(...)` shortcut in a browser: @rfc6455/browser's reconnecting `WebSocket`.
 * A browser negotiates compression itself, so there is no `compressionThreshold` here.
 */
import { WebSocket } from '@rfc6455/browser';
import type { MessageData, UrlSource, WebSocketOptions } from '@rfc6455/browser';

/**
 * Start connecting to `url` (a URL, or a function returning one, re-read before every attempt)
 * and return the socket at once, as `new WebSocket(url, options.protocols, options)`.
 *
 * @throws {SyntaxError} for an invalid URL or subprotocol, as the native constructor.
 */
export function createClient<T = MessageData>(url: UrlSource, options: WebSocketOptions = {}): WebSocket<T> {
  return new WebSocket<T>(url, undefined, options);
}

/** The seed's name for {@link createClient}. */
export const client = createClient;
