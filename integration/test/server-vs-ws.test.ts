/**
 * Interop: the ws client (npm) against our WebSocketServer over loopback.
 */
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket } from '@rfc6455/server';
import { waitFor } from '@rfc6455/testing';

let wss: WebSocketServer;
let port: number;
const serverSide: ServerWebSocket[] = [];
const serverCloses: Array<[number, string]> = [];

beforeEach(async () => {
  wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    heartbeat: false,
    handleProtocols: (offered) => (offered.has('json') ? 'json' : false),
  });
  await once(wss, 'listening');
  port = (wss.address() as { port: number }).port;
  wss.on('connection', (ws) => {
    serverSide.push(ws);
    ws.on('message', (data, isBinary) => {
      ws.send(data as Buffer, { binary: isBinary });
    });
    ws.on('close', (code: number, reason: Buffer) => serverCloses.push([code, reason.toString()]));
  });
});

afterEach(async () => {
  await wss.shutdown({ timeoutMs: 500 });
  serverSide.length = 0;
  serverCloses.length = 0;
});

async function open(protocols?: string[]): Promise<WebSocket> {
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, protocols, { maxPayload: 64 * 1024 * 1024 });
  await once(client, 'open');
  return client;
}

function next(client: WebSocket): Promise<[Buffer, boolean]> {
  return once(client, 'message') as Promise<[Buffer, boolean]>;
}

describe('ws client ↔ our server', () => {
  it('echoes text, binary and empty messages with their type', async () => {
    const client = await open();
    client.send('héllo ✓');
    const [text, textIsBinary] = await next(client);
    expect([text.toString(), textIsBinary]).toEqual(['héllo ✓', false]);
    client.send(Buffer.from([0, 1, 2, 255]));
    const [bin, binIsBinary] = await next(client);
    expect([[...bin], binIsBinary]).toEqual([[0, 1, 2, 255], true]);
    client.send('');
    const [empty, emptyIsBinary] = await next(client);
    expect([empty.length, emptyIsBinary]).toEqual([0, false]);
    client.close();
    await once(client, 'close');
  });

  it('echoes a 16 MiB binary message byte for byte', async () => {
    const client = await open();
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff;
    client.send(big);
    const [echo, isBinary] = await next(client);
    expect(isBinary).toBe(true);
    expect(echo.length).toBe(big.length);
    expect(echo.equals(big)).toBe(true);
    client.close();
  });

  it('reassembles a fragmented message', async () => {
    const client = await open();
    client.send('frag', { fin: false });
    client.send('men', { fin: false });
    client.send('ted', { fin: true });
    const [msg, isBinary] = await next(client);
    expect([msg.toString(), isBinary]).toEqual(['fragmented', false]);
    client.close();
  });

  it('answers a ping with a pong of the same payload, and its pings reach the client', async () => {
    const client = await open();
    client.ping(Buffer.from('abc'));
    const [pong] = (await once(client, 'pong')) as [Buffer];
    expect(pong.toString()).toBe('abc');
    serverSide[0]?.ping(Buffer.from('xyz'));
    const [ping] = (await once(client, 'ping')) as [Buffer];
    expect(ping.toString()).toBe('xyz');
    client.close();
  });

  it('sees the client close code and reason, and the server echoes the code', async () => {
    const client = await open();
    client.close(4001, 'done here');
    const [code] = (await once(client, 'close')) as [number, Buffer];
    expect(code).toBe(4001);
    await waitFor(() => serverCloses.length > 0, { what: "the server's close event" });
    expect(serverCloses).toEqual([[4001, 'done here']]);
  });

  it('delivers a server-initiated close code and reason to the client', async () => {
    const client = await open();
    serverSide[0]?.close(4002, 'server says bye');
    const [code, reason] = (await once(client, 'close')) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([4002, 'server says bye']);
  });

  it('negotiates a subprotocol; selects none when none is supported (which ws then refuses)', async () => {
    const json = await open(['xml', 'json']);
    expect(json.protocol).toBe('json');
    const plain = await open();
    expect(plain.protocol).toBe('');
    // RFC 6455 §4.2.2: the server may select none; ws's client treats that as a failure.
    const refused = new WebSocket(`ws://127.0.0.1:${port}/`, ['xml']);
    const [err] = (await once(refused, 'error').catch((e: unknown) => [e])) as [Error];
    expect(err.message).toBe('Server sent no subprotocol');
    json.close();
    plain.close();
  });

  it('graceful close sends 1001 to every ws client', async () => {
    const clients = await Promise.all([open(), open(), open()]);
    const codes = clients.map((c) => once(c, 'close').then(([code]) => code as number));
    await wss.shutdown();
    expect(await Promise.all(codes)).toEqual([1001, 1001, 1001]);
  });
});
