/**
 * The seed's `server(...)` shortcut, under an idiomatic name: a @rfc6455/server
 * `WebSocketServer`, where `compressionThreshold` alone switches permessage-deflate on.
 */
import { WebSocketServer } from '@rfc6455/server';
import type { WebSocketServerOptions } from '@rfc6455/server';
import { withCompressionThreshold } from './compression.ts';

/**
 * Options of {@link createServer}: those of @rfc6455/server's `WebSocketServer`. The server accepts
 * permessage-deflate (RFC 7692) only when `perMessageDeflate` is set (`true` or its settings), or,
 * here, when `compressionThreshold` is given.
 */
export type CreateServerOptions<Context = undefined> = WebSocketServerOptions<Context> & {
  /**
   * Accept permessage-deflate and send messages shorter than this many bytes uncompressed (the
   * seed's `compression_threshold`). Unset: the server's default, permessage-deflate off unless
   * `perMessageDeflate` is set, threshold 1024. With `perMessageDeflate: false`: a TypeError.
   */
  compressionThreshold?: number | undefined;
};

/**
 * Create a WebSocket server: `{ port }` (its own HTTP server), `{ server }` (attached) or
 * `{ noServer: true }`, as `new WebSocketServer(options)`.
 *
 * @throws {TypeError} for `compressionThreshold` with `perMessageDeflate: false`, and for the
 *   server's own option errors.
 * @throws {RangeError} for a threshold or a limit out of range, naming it.
 */
export function createServer<Context = undefined>(options: CreateServerOptions<Context>): WebSocketServer<Context> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createServer(options): pass { port }, { server } or { noServer: true }.');
  }
  const { compressionThreshold, ...rest } = options;
  const perMessageDeflate = withCompressionThreshold('createServer', options.perMessageDeflate, compressionThreshold);
  return new WebSocketServer<Context>(perMessageDeflate === undefined ? rest : { ...rest, perMessageDeflate });
}

/** The seed's name for {@link createServer}. */
export const server = createServer;
