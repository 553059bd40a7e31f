/**
 * The server side done by hand: read an upgrade request from a raw socket, answer 101, then hand the
 * socket to the test, which plays a misbehaving server against the client under test. Loopback only.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { acceptKey, headersOf } from './http-head.ts';
import { portOf } from './raw-client.ts';

/** An upgrade request as a raw server read it. */
export interface UpgradeRequest {
  /** The request head, up to and including the blank line, as latin1 text. */
  head: string;
  /** Its header fields (see `headersOf`). */
  headers: Record<string, string>;
  /** The request target (`/chat?room=1`). */
  path: string;
}

/** An accepted upgrade: the request, and the bytes that came after its head (the first frames, possibly). */
export interface AcceptedUpgrade extends UpgradeRequest {
  rest: Buffer;
}

/** Extra header lines for the 101 response, chosen from the request (e.g. the negotiated extension). */
export type RespondWith = (request: UpgradeRequest) => readonly string[];

/**
 * Read an opening handshake request from `socket` and answer `101 Switching Protocols` with the
 * right accept value and `respond(request)`'s extra lines. A request without a Sec-WebSocket-Key gets
 * a 400 and rejects. Once it resolves nothing listens for data: attach a `data` listener at once.
 */
export function acceptUpgrade(socket: Socket, respond: RespondWith = () => []): Promise<AcceptedUpgrade> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const fail = (err: Error): void => {
      socket.off('data', onData);
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('error', fail);
      socket.on('error', () => {});
      const head = buffer.subarray(0, end + 4).toString('latin1');
      const headers = headersOf(head);
      const request: UpgradeRequest = { head, headers, path: head.split(' ', 2)[1] ?? '/' };
      const key = headers['sec-websocket-key'];
      if (key === undefined) {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        reject(new Error('the upgrade request has no Sec-WebSocket-Key'));
        return;
      }
      const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(key)}`, ...respond(request)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      resolve({ ...request, rest: buffer.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', fail);
  });
}

/** A listening raw server. */
export interface RawServer {
  server: Server;
  port: number;
  /** Destroy every connection and stop listening. */
  close(): Promise<void>;
}

/**
 * Listen on 127.0.0.1 and an ephemeral port; accept every upgrade with {@link acceptUpgrade} and hand
 * each socket, past its 101, to `onSocket`.
 */
export async function rawServer(onSocket: (socket: Socket, request: AcceptedUpgrade) => void, respond?: RespondWith): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    acceptUpgrade(socket, respond).then(
      (request) => onSocket(socket, request),
      () => socket.destroy(),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: portOf(server.address()),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
