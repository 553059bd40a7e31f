/**
 * Interop: our client (@rfc6455/client) against a Python websockets 10.4 server (Debian
 * python3-websockets, run with /usr/bin/python3) over loopback.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { startPythonServer } from '@rfc6455/testing';
import type { PythonServer } from '@rfc6455/testing';

const script = fileURLToPath(new URL('./peers/python_echo_server.py', import.meta.url));

let python: PythonServer | undefined;
let base = '';
const clients: WebSocket[] = [];

beforeAll(async () => {
  python = await startPythonServer(script);
  base = `ws://127.0.0.1:${python.port}`;
}, 20_000);

afterAll(() => python?.stop());

afterEach(() => {
  for (const ws of clients.splice(0)) ws.terminate();
});

async function connect(path: string, options: Parameters<typeof WebSocket.connect>[1] = {}): Promise<WebSocket> {
  const ws = await WebSocket.connect(`${base}${path}`, options);
  clients.push(ws);
  return ws;
}

function nextMessage(ws: WebSocket): Promise<[Buffer, boolean]> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve([data, isBinary])));
}

function closeOf(ws: WebSocket): Promise<[number, string, boolean]> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer, wasClean: boolean) => resolve([code, reason.toString(), wasClean])));
}

describe('our client ↔ Python websockets server', () => {
  it('negotiates the subprotocol and echoes text, binary and empty messages', async () => {
    const ws = await connect('/echo', { protocols: ['chat.v0', 'chat.v1'] });
    expect(ws.protocol).toBe('chat.v1');
    for (const [data, hex, binary] of [
      ['żółw 🐢', Buffer.from('żółw 🐢').toString('hex'), false],
      [new Uint8Array([9, 0, 9]), '090009', true],
      ['', '', false],
      [new Uint8Array(0), '', true],
    ] as Array<[string | Uint8Array, string, boolean]>) {
      const reply = nextMessage(ws);
      ws.send(data);
      const [got, isBinary] = await reply;
      expect([got.toString('hex'), isBinary]).toEqual([hex, binary]);
    }
  });

  it('echoes a 16 MiB message', async () => {
    const ws = await connect('/echo');
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 1009) big[i] = (i >> 3) & 0xff;
    const reply = nextMessage(ws);
    ws.send(big);
    const [got, isBinary] = await reply;
    expect(isBinary).toBe(true);
    expect(got.equals(big)).toBe(true);
  }, 30_000);

  it('reassembles Python fragments, and Python reassembles ours', async () => {
    const ws = await connect('/fragments');
    const [first, firstBinary] = await nextMessage(ws);
    expect([first.toString(), firstBinary]).toEqual(['abcd', false]);
    const reply = nextMessage(ws);
    ws.send(Buffer.from('12'), { fin: false });
    ws.send(Buffer.from('34'), { fin: true });
    const [got, isBinary] = await reply;
    expect([got.toString(), isBinary]).toEqual(['1234', true]);
  });

  it('answers the server\'s ping and gets pongs for its own', async () => {
    const ws = new WebSocket(`${base}/ping`);
    clients.push(ws);
    const ping = new Promise<Buffer>((resolve) => ws.once('ping', resolve));
    expect((await ping).toString()).toBe('py-ping');
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping('node-ping');
    expect((await pong).toString()).toBe('node-ping');
  });

  it('close codes: client-initiated and server-initiated', async () => {
    const ws = await connect('/echo');
    const done = closeOf(ws);
    ws.close(4100, 'node done');
    expect(await done).toEqual([4100, 'node done', true]);

    for (const code of [1000, 1001, 1011, 4000]) {
      const closing = new WebSocket(`${base}/close/${code}`);
      clients.push(closing);
      expect(await closeOf(closing)).toEqual([code, 'bye', true]);
    }
  });
});
