/**
 * Interop: our client (@rfc6455/client) against a ws server over loopback: text, binary, empty
 * and 16 MiB messages, fragmentation, ping/pong, and close codes both ways.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer as WsServer } from 'ws';
import type { WebSocket as WsSocket } from 'ws';
import { WebSocket } from '@rfc6455/client';

let server: WsServer | undefined;
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const ws of clients.splice(0)) ws.terminate();
  if (server !== undefined) {
    for (const c of server.clients) c.terminate();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
});

async function start(
  onConnection: (ws: WsSocket) => void,
  options: { handleProtocols?: (p: Set<string>) => string | false; perMessageDeflate?: boolean | { threshold: number } } = {},
): Promise<string> {
  const wss = new WsServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 64 * 1024 * 1024, ...options });
  server = wss;
  await once(wss, 'listening');
  wss.on('connection', onConnection);
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
}

function echo(ws: WsSocket): void {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

async function connect(url: string, options: Parameters<typeof WebSocket.connect>[1] = {}): Promise<WebSocket> {
  const ws = await WebSocket.connect(url, options);
  clients.push(ws);
  return ws;
}

function nextMessage(ws: WebSocket): Promise<[Buffer, boolean]> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve([data, isBinary])));
}

function closeOf(ws: WebSocket): Promise<[number, string, boolean]> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer, wasClean: boolean) => resolve([code, reason.toString(), wasClean])));
}

describe('our client ↔ ws server', () => {
  it('negotiates a subprotocol and echoes text, binary and empty messages', async () => {
    const url = await start(echo, { handleProtocols: (p) => (p.has('chat.v1') ? 'chat.v1' : false) });
    const ws = await connect(url, { protocols: ['chat.v0', 'chat.v1'] });
    expect(ws.protocol).toBe('chat.v1');
    const cases: Array<[string | Uint8Array, string, boolean]> = [
      ['héllo ☃', Buffer.from('héllo ☃').toString('hex'), false],
      [new Uint8Array([0, 1, 255]), '0001ff', true],
      ['', '', false],
      [new Uint8Array(0), '', true],
    ];
    for (const [data, hex, binary] of cases) {
      const reply = nextMessage(ws);
      ws.send(data);
      const [got, isBinary] = await reply;
      expect([got.toString('hex'), isBinary]).toEqual([hex, binary]);
    }
  });

  it('echoes a 16 MiB message', async () => {
    const url = await start(echo);
    const ws = await connect(url);
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 997) big[i] = i & 0xff;
    const reply = nextMessage(ws);
    await ws.sendAsync(big);
    const [got, isBinary] = await reply;
    expect(isBinary).toBe(true);
    expect(got.equals(big)).toBe(true);
  }, 30_000);

  it('sends fragments ws reassembles, and reassembles ws fragments', async () => {
    const received: Array<[string, boolean]> = [];
    let peer: WsSocket | undefined;
    const url = await start((ws) => {
      peer = ws;
      ws.on('message', (data, isBinary) => received.push([(data as Buffer).toString(), isBinary]));
    });
    const ws = await connect(url);
    ws.send('frag', { fin: false });
    ws.send('men', { fin: false });
    await ws.sendAsync('ted', { fin: true });
    await new Promise<void>((resolve) => {
      const check = (): void => (received.length === 1 ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(received).toEqual([['fragmented', false]]);

    const reply = nextMessage(ws);
    peer!.send(Buffer.from('ab'), { fin: false, binary: true });
    peer!.ping('between');
    peer!.send(Buffer.from('cd'), { fin: true, binary: true });
    const [got, isBinary] = await reply;
    expect([got.toString(), isBinary]).toEqual(['abcd', true]);
  });

  it('ping/pong both ways with payloads', async () => {
    let peer: WsSocket | undefined;
    const url = await start((ws) => (peer = ws));
    const ws = await connect(url);
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping('client-ping');
    expect((await pong).toString()).toBe('client-ping');

    const ping = new Promise<Buffer>((resolve) => ws.once('ping', resolve));
    const peerPong = new Promise<Buffer>((resolve) => peer!.once('pong', resolve));
    peer!.ping(Buffer.from([7, 7]));
    expect([...(await ping)]).toEqual([7, 7]);
    expect([...(await peerPong)]).toEqual([7, 7]);
  });

  it('client-initiated close: ws sees our code and reason; we close cleanly', async () => {
    const seen: Array<[number, string]> = [];
    const url = await start((ws) => ws.on('close', (code, reason) => seen.push([code, reason.toString()])));
    const ws = await connect(url);
    const done = closeOf(ws);
    ws.close(4321, 'client done');
    // The close event reports the peer's close frame: ws echoes our code and reason.
    expect(await done).toEqual([4321, 'client done', true]);
    await new Promise<void>((resolve) => {
      const check = (): void => (seen.length === 1 ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(seen).toEqual([[4321, 'client done']]);
  });

  it('server-initiated close codes reach the client: 1000, 1001, 1011, 4000, and none (1005)', async () => {
    for (const [code, reason] of [
      [1000, 'normal'],
      [1001, 'going away'],
      [1011, 'oops'],
      [4000, 'app'],
      [undefined, ''],
    ] as Array<[number | undefined, string]>) {
      const url = await start((ws) => (code === undefined ? ws.close() : ws.close(code, reason)));
      const ws = await connect(url);
      const [gotCode, gotReason, wasClean] = await closeOf(ws);
      expect([gotCode, gotReason, wasClean]).toEqual([code ?? 1005, reason, true]);
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    }
  });

  it('ws terminating the connection gives 1006, not clean', async () => {
    const url = await start((ws) => setTimeout(() => ws.terminate(), 10));
    const ws = await connect(url);
    expect(await closeOf(ws)).toEqual([1006, '', false]);
  });

  it('negotiates permessage-deflate with ws and echoes compressed text and a 1 MiB message', async () => {
    const url = await start(echo, { perMessageDeflate: { threshold: 0 } });
    const ws = await connect(url, { perMessageDeflate: { compressionThreshold: 0 } });
    expect(ws.extensions).toMatch(/^permessage-deflate/);
    const text = 'compress me '.repeat(100);
    const reply = nextMessage(ws);
    ws.send(text);
    expect((await reply)[0].toString()).toBe(text);
    const big = Buffer.alloc(1024 * 1024, 'xyz');
    const bigReply = nextMessage(ws);
    await ws.sendAsync(big);
    const [got, isBinary] = await bigReply;
    expect(isBinary).toBe(true);
    expect(got.equals(big)).toBe(true);
  });
});
