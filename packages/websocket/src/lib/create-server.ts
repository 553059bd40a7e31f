/**
 * The seed's `server(...)` shortcut, under an idiomatic name: a @rfc6455/server
 * `WebSocketServer`, with `compressionThreshold` as a top-level setting.
 */
import { WebSocketServer } from '@rfc6455/server';
import type { WebSocketServerOptions } from '@rfc6455/server';
import type { DeflateServerOptions } from '@rfc6455/deflate';
import { withCompressionThreshold } from './compression.ts';

/** permessage-deflate settings of a server: what it accepts (@rfc6455/deflate) and when it compresses. */
export interface ServerCompressionOptions extends DeflateServerOptions {
  /** Messages shorter than this many bytes are sent uncompressed. */
  compressionThreshold?: number | undefined;
}

/** Options of {@link createServer}: the server's options plus `compressionThreshold`. */
export type CreateServerOptions<Context = undefined> = Omit<WebSocketServerOptions<Context>, 'perMessageDeflate'> & {
  /** Accept permessage-deflate (RFC 7692) offers: `true` for the defaults, or its settings. Default off. */
  perMessageDeflate?: boolean | ServerCompressionOptions | undefined;
  /**
   * Accept permessage-deflate and send messages shorter than this many bytes uncompressed. Unset
   * (the default): compression stays off unless `perMessageDeflate` turns it on.
   */
  compressionThreshold?: number | undefined;
};

/**
 * Create a WebSocket server: `{ port }` (its own HTTP server), `{ server }` (attached) or
 * `{ noServer: true }`, exactly as `new WebSocketServer(options)`.
 *
 * @throws {TypeError} when compression is asked of a @rfc6455/server that cannot negotiate it
 *   (rather than silently serving uncompressed), and for the server's own option errors.
 * @throws {RangeError} for a limit out of range, naming it.
 */
export function createServer<Context = undefined>(options: CreateServerOptions<Context>): WebSocketServer<Context> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createServer(options): pass { port }, { server } or { noServer: true }.');
  }
  const { compressionThreshold, ...rest } = options;
  const perMessageDeflate = withCompressionThreshold('createServer', options.perMessageDeflate, compressionThreshold);
  const wanted = perMessageDeflate !== undefined && perMessageDeflate !== false;
  const serverOptions = (perMessageDeflate === undefined ? rest : { ...rest, perMessageDeflate }) as WebSocketServerOptions<Context>;
  if (wanted && !serverSupportsDeflate()) {
    throw new TypeError(
      'createServer: this version of @rfc6455/server does not negotiate permessage-deflate yet; remove compressionThreshold/perMessageDeflate.',
    );
  }
  return new WebSocketServer<Context>(serverOptions);
}

/** The seed's name for {@link createServer}. */
export const server = createServer;

let deflateSupport: boolean | undefined;

/**
 * Whether the installed @rfc6455/server takes a `perMessageDeflate` option: its resolved options
 * (`server.options`) then carry the key. Probed once with a server that never listens.
 */
export function serverSupportsDeflate(): boolean {
  if (deflateSupport === undefined) {
    const probe = new WebSocketServer({ noServer: true, heartbeat: false, perMessageDeflate: false } as WebSocketServerOptions);
    deflateSupport = 'perMessageDeflate' in probe.options;
    void probe.close();
  }
  return deflateSupport;
}
