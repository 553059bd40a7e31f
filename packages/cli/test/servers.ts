/**
 * Servers for the command's tests: our @rfc6455/server on a loopback ephemeral port (plain or TLS
 * with the certificates of test/fixtures), echoing and closing when told to.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import type { ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket, WebSocketServerOptions } from '@rfc6455/server';
import { onCleanUp } from './cli.ts';

/** The path of a file in test/fixtures. */
export const fixture = (name: string): string => new URL(`fixtures/${name}`, import.meta.url).pathname;

/** An HTTPS server with the fixtures' server certificate for 127.0.0.1 (not listening yet). */
export function httpsServer(options: HttpsOptions = {}): HttpServer {
  return createHttpsServer({ key: readFileSync(fixture('server-key.pem')), cert: readFileSync(fixture('server.pem')), ...options }) as unknown as HttpServer;
}

/** What our server saw of one handshake. */
export interface Seen {
  headers: IncomingMessage['headers'];
  url: string | undefined;
}

/**
 * Our server on 127.0.0.1 and an ephemeral port, attached to `http` if given (e.g. {@link httpsServer}):
 * echoes every message and closes with 1000 after `closeAfter` of them, unless `onConnection` says
 * otherwise. `seen` collects what each handshake carried. Closed after the test.
 */
export async function ourServer(
  { closeAfter = Infinity, http, ...options }: Partial<WebSocketServerOptions> & { closeAfter?: number; http?: HttpServer } = {},
  onConnection?: (ws: ServerWebSocket) => void,
): Promise<{ wss: WebSocketServer; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http ?? createHttpServer();
  const wss = new WebSocketServer({
    server,
    heartbeat: false,
    authenticate: (req: IncomingMessage) => {
      seen.push({ headers: req.headers, url: req.url });
    },
    ...options,
  } as WebSocketServerOptions);
  onCleanUp(async () => {
    await wss.shutdown({ timeoutMs: 1000 });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  wss.on(
    'connection',
    onConnection ??
      ((ws: ServerWebSocket) => {
        let count = 0;
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          ws.send(data, { binary: isBinary });
          if (++count === closeAfter) ws.close(1000);
        });
      }),
  );
  const scheme = server instanceof HttpsServer ? 'wss' : 'ws';
  return { wss, url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

