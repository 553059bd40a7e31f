import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from './encode-frame.ts';
import { readFrames } from './frame-reader.ts';
import { acceptKey, headerOf, statusOf, upgradeRequest } from './http-head.ts';
import { exchange, openSocket, portOf, rawHandshake } from './raw-client.ts';
import { acceptUpgrade, rawServer } from './raw-server.ts';
import type { AcceptedUpgrade } from './raw-server.ts';

describe('acceptUpgrade', () => {
  it('answers 101 with the accept value and the chosen lines, and passes on what follows the head', async () => {
    const accepted: AcceptedUpgrade[] = [];
    const server = createServer((socket) => {
      void acceptUpgrade(socket, (request) => (request.headers['sec-websocket-protocol'] === 'chat' ? ['Sec-WebSocket-Protocol: chat'] : [])).then((a) => {
        accepted.push(a);
        socket.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = portOf(server.address());
    const request = upgradeRequest('/room?x=1', { 'Sec-WebSocket-Protocol': 'chat' }, 'AAAAAAAAAAAAAAAAAAAAAA==');
    const response = await exchange(port, Buffer.concat([Buffer.from(request), encodeFrame({ opcode: 1, payload: 'early', mask: true })]));
    await new Promise((resolve) => server.close(resolve));
    expect(response).toBe(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey('AAAAAAAAAAAAAAAAAAAAAA==')}\r\nSec-WebSocket-Protocol: chat\r\n\r\n`,
    );
    expect(accepted.map((a) => [a.path, a.head, a.headers['sec-websocket-version']])).toEqual([['/room?x=1', request, '13']]);
    expect(readFrames(accepted[0]!.rest).map((f) => f.payload.toString())).toEqual(['early']);
  });

  it('answers 400 and rejects a request without a key', async () => {
    const outcome: unknown[] = [];
    const server = createServer((socket) => {
      acceptUpgrade(socket).then(
        () => outcome.push('accepted'),
        (err: Error) => outcome.push(err.message),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const response = await exchange(portOf(server.address()), 'GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n');
    await new Promise((resolve) => server.close(resolve));
    expect(statusOf(response)).toBe(400);
    expect(outcome).toEqual(['the upgrade request has no Sec-WebSocket-Key']);
  });
});

describe('rawServer', () => {
  it('hands each upgraded socket to the test and closes every connection on close()', async () => {
    const paths: string[] = [];
    const raw = await rawServer(
      (socket: Socket, request) => {
        paths.push(request.path);
        socket.write(encodeFrame({ opcode: 2, payload: Uint8Array.of(7) }));
      },
      () => ['X-Raw: 1'],
    );
    const { socket, head, rest } = await rawHandshake(raw.port, '/a', { verify: true });
    expect(headerOf(head, 'x-raw')).toBe('1');
    const chunks: Buffer[] = [rest];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const closed = once(socket, 'close');
    await raw.close();
    await closed;
    expect(paths).toEqual(['/a']);
    expect(Buffer.concat(chunks).toString('hex')).toBe('820107');
    await expect(openSocket(raw.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
