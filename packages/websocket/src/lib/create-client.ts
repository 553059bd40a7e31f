/**
 * The seed's `client(...)` shortcut for Node, under an idiomatic name: open a connection with the
 * @rfc6455/client `WebSocket`.
 */
import { WebSocket } from '@rfc6455/client';
import type { WebSocketOptions } from '@rfc6455/client';
import { withCompressionThreshold } from './compression.ts';

/**
 * Options of {@link createClient} and {@link connect}: exactly those of @rfc6455/client's
 * `WebSocket`. The client offers permessage-deflate (RFC 7692) unless `perMessageDeflate: false`,
 * and compresses messages of at least `compressionThreshold` bytes (default 1024) when the server
 * accepts it.
 */
export interface CreateClientOptions extends WebSocketOptions {
  /**
   * Messages shorter than this many bytes are sent uncompressed under permessage-deflate
   * (default 1024, the client's). A threshold asks for compression, so together with
   * `perMessageDeflate: false` it is a TypeError here rather than an unused setting.
   */
  compressionThreshold?: number | undefined;
}

function clientOptions(caller: string, options: CreateClientOptions): WebSocketOptions {
  if (options === null || typeof options !== 'object') throw new TypeError(`${caller}: options must be an object.`);
  const { compressionThreshold, ...rest } = options;
  const perMessageDeflate = withCompressionThreshold(caller, options.perMessageDeflate, compressionThreshold);
  return perMessageDeflate === undefined ? rest : { ...rest, perMessageDeflate };
}

/**
 * Start connecting to `url` and return the socket at once (CONNECTING); listen for `open`,
 * `message`, `close` and `error` as with `new WebSocket(url, options)`.
 *
 * @throws {SyntaxError} for an invalid URL or subprotocol.
 * @throws {TypeError|RangeError} for an invalid option, naming it.
 */
export function createClient(url: string | URL, options: CreateClientOptions = {}): WebSocket {
  return new WebSocket(url, clientOptions('createClient', options));
}

/**
 * Connect to `url` and resolve with the OPEN socket; reject with a `ClientError`
 * (`WS_ERR_CONNECTION_FAILED`, `WS_ERR_UNEXPECTED_STATUS` with `status` …) when it cannot open.
 */
export function connect(url: string | URL, options: CreateClientOptions = {}): Promise<WebSocket> {
  let resolved: WebSocketOptions;
  try {
    resolved = clientOptions('connect', options);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  return WebSocket.connect(url, resolved);
}

/** The seed's name for {@link createClient}. */
export const client = createClient;
