/**
 * A raw HTTP/2 peer for the client's tests: an h2c server (no TLS) on loopback that records each
 * stream's request headers and lets the test answer it, with extended CONNECT on or off.
 */
import { once } from 'node:events';
import { createServer } from 'node:http2';
import type { Http2Server, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';

/** One stream the peer received. */
export interface ReceivedStream {
  readonly stream: ServerHttp2Stream;
  readonly headers: IncomingHttpHeaders;
}

/** An h2c server; `next()` resolves with the next stream. */
export interface H2Peer {
  readonly server: Http2Server;
  readonly port: number;
  readonly url: string;
  readonly sessions: number;
  next(): Promise<ReceivedStream>;
  close(): Promise<void>;
}

/** Start an h2c peer; `enableConnectProtocol` false leaves RFC 8441 off. */
export async function startH2Peer(enableConnectProtocol = true): Promise<H2Peer> {
  const server = createServer({ settings: { enableConnectProtocol } });
  const waiting: Array<(received: ReceivedStream) => void> = [];
  const queued: ReceivedStream[] = [];
  const sessions = new Set<{ destroy(): void }>();
  let sessionCount = 0;
  server.on('session', (session) => {
    sessionCount++;
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const received = { stream, headers };
    const waiter = waiting.shift();
    if (waiter === undefined) queued.push(received);
    else waiter(received);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `ws://127.0.0.1:${port}`,
    get sessions() {
      return sessionCount;
    },
    next: () => {
      const received = queued.shift();
      return received === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(received);
    },
    close: async () => {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
