import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from './encode-frame.ts';
import { SAMPLE_KEY, acceptKey, headerOf, statusOf } from './http-head.ts';
import { exchange, openSocket, portOf, rawClient, rawHandshake, rawRequest } from './raw-client.ts';
import { waitFor } from './wait-for.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A TCP server on loopback that answers each request head with `answer(head, socket)`. */
async function serve(answer: (head: string, socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    let text = '';
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) answer(text, socket);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return portOf(server.address());
}

/** The key a raw upgrade request carries. */
const keyOf = (head: string): string => /Sec-WebSocket-Key: (\S+)/.exec(head)?.[1] ?? '';

describe('portOf', () => {
  it('refuses an address that is not TCP', () => {
    expect(() => portOf(null)).toThrow(/not listening/);
    expect(() => portOf('/tmp/socket')).toThrow(/not listening/);
    expect(portOf({ address: '127.0.0.1', family: 'IPv4', port: 8080 })).toBe(8080);
  });
});

describe('raw requests', () => {
  it('exchange writes the request as it is and returns everything until the server closes', async () => {
    const seen: string[] = [];
    const port = await serve((head, socket) => {
      seen.push(head);
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nno');
    });
    expect(await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nno');
    expect(seen).toEqual(['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
  });

  it('rawRequest says whether the server closed or the time ran out', async () => {
    const port = await serve((_head, socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n'));
    expect(await rawRequest(port, 'GET / HTTP/1.1\r\n\r\n', 100)).toEqual({ text: 'HTTP/1.1 101 Switching Protocols\r\n\r\n', closedByServer: false });
    const closing = await serve((_head, socket) => socket.destroy());
    expect(await rawRequest(closing, 'GET / HTTP/1.1\r\n\r\n', 5000)).toEqual({ text: '', closedByServer: true });
  });

  it('openSocket rejects when nothing listens', async () => {
    const port = await serve(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));
    await expect(openSocket(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('rawHandshake', () => {
  it('sends the sample key by default and hands over the head and the bytes after it', async () => {
    const port = await serve((head, socket) => {
      const frame = encodeFrame({ opcode: 1, payload: 'hi' });
      socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: ${acceptKey(keyOf(head))}\r\nX-Path: ${head.split(' ')[1]}\r\n\r\n`), frame]));
    });
    const { socket, head, rest, key } = await rawHandshake(port, '/room');
    socket.destroy();
    expect(key).toBe(SAMPLE_KEY);
    expect(statusOf(head)).toBe(101);
    expect(headerOf(head, 'sec-websocket-accept')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(headerOf(head, 'x-path')).toBe('/room');
    expect(head.endsWith('\r\n\r\n')).toBe(true);
    expect(rest.toString('hex')).toBe('81026869');
  });

  it('with verify, refuses a wrong accept value and a refusal', async () => {
    const wrong = await serve((_head, socket) => socket.write(`HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: ${acceptKey('other')}\r\n\r\n`));
    await expect(rawHandshake(wrong, '/', { verify: true })).rejects.toThrow(/handshake refused/);
    const refusing = await serve((_head, socket) => socket.write('HTTP/1.1 403 Forbidden\r\n\r\n'));
    await expect(rawHandshake(refusing, '/', { verify: true })).rejects.toThrow(/403 Forbidden/);
    const unverified = await rawHandshake(refusing);
    unverified.socket.destroy();
    expect(statusOf(unverified.head)).toBe(403);
  });

  it('rejects when the server closes before the head is complete', async () => {
    const port = await serve((_head, socket) => socket.end('HTTP/1.1 101 Switching'));
    await expect(rawHandshake(port)).rejects.toThrow(/closed during the handshake: "HTTP\/1.1 101 Switching"/);
  });
});

describe('rawClient', () => {
  it('verifies a fresh key and keeps every byte the server sends after the head', async () => {
    const keys: string[] = [];
    const port = await serve((head, socket) => {
      keys.push(keyOf(head));
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: ${acceptKey(keyOf(head))}\r\n\r\n`);
      socket.write(encodeFrame({ opcode: 1, payload: 'a' }));
      setImmediate(() => socket.end(encodeFrame({ opcode: 8 })));
    });
    const client = await rawClient(port, '/', { 'X-Extra': 'yes' });
    await client.closed;
    expect(keys[0]).not.toBe(SAMPLE_KEY);
    expect(client.received().toString('hex')).toBe('81016188' + '00');
    await waitFor(() => client.socket.destroyed);
  });
});
