/**
 * Accepted connections over loopback: our client ↔ our server, and raw sockets playing
 * misbehaving peers (a slow reader, a peer that never answers pings or close frames).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import type { ServerWebSocket } from './connection.ts';
import type { WebSocketServerOptions } from './options.ts';
import { WebSocketServer } from './websocket-server.ts';
import { headerOf, portOf, rawHandshake, statusOf } from '../../test/raw.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen<C = undefined>(options: Omit<WebSocketServerOptions<C>, 'port' | 'server' | 'noServer'> = {}) {
  const wss = new WebSocketServer<C>({ port: 0, host: '127.0.0.1', heartbeat: false, ...options });
  cleanups.push(() => wss.close({ timeoutMs: 200 }));
  await once(wss, 'listening');
  return { wss, url: `ws://127.0.0.1:${portOf(wss.address())}` };
}

async function dial(url: string, protocols?: string[]): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols);
  cleanups.push(() => ws.terminate());
  await once(ws, 'open');
  return ws;
}

function nextMessage(ws: WebSocket | ServerWebSocket): Promise<[Buffer, boolean]> {
  return once(ws, 'message') as Promise<[Buffer, boolean]>;
}

function echo(ws: ServerWebSocket): void {
  ws.on('message', (data, isBinary) => {
    ws.send(data as Buffer, { binary: isBinary });
  });
}

/** Read a raw socket into one growing buffer. */
function collect(socket: Socket): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  return { bytes: () => Buffer.concat(chunks) };
}

/** A masked client frame, as a raw peer would send it. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const key = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (key[i & 3] as number)));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), key, masked]);
}

describe('standalone: connection, echo, close', () => {
  it('accepts our client, echoes text, binary and empty messages, and reports a clean close', async () => {
    const { wss, url } = await listen();
    const closes: Array<[number, string]> = [];
    wss.on('connection', (ws) => {
      echo(ws);
      ws.on('close', (code: number, reason: Buffer) => closes.push([code, reason.toString()]));
    });
    const client = await dial(`${url}/any/path`);
    expect(wss.clients.size).toBe(1);
    client.send('héllo ✓');
    const [text, textBinary] = await nextMessage(client);
    expect([text.toString(), textBinary]).toEqual(['héllo ✓', false]);
    client.send(new Uint8Array([0, 255, 7]));
    const [bin, binBinary] = await nextMessage(client);
    expect([[...bin], binBinary]).toEqual([[0, 255, 7], true]);
    client.send('');
    const [empty] = await nextMessage(client);
    expect(empty.length).toBe(0);
    client.close(4000, 'bye');
    const [code] = (await once(client, 'close')) as [number, Buffer];
    expect(code).toBe(4000);
    await new Promise((r) => setTimeout(r, 20));
    expect(closes).toEqual([[4000, 'bye']]);
    expect(wss.clients.size).toBe(0);
    expect(wss.connectionCount).toBe(0);
  });

  it('echoes a 16 MiB message', async () => {
    const { wss, url } = await listen();
    wss.on('connection', echo);
    const client = await dial(url);
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 997) big[i] = i & 0xff;
    client.send(big);
    const [back, isBinary] = await nextMessage(client);
    expect(isBinary).toBe(true);
    expect(back.length).toBe(big.length);
    expect(Buffer.compare(back, big)).toBe(0);
  });

  it('hands the typed context from authenticate to connection and contextOf', async () => {
    interface User {
      id: number;
      name: string;
    }
    const { wss, url } = await listen<User>({
      authenticate: async (req) => {
        await new Promise((r) => setTimeout(r, 5));
        if (req.headers['sec-websocket-protocol'] !== undefined) return { id: 2, name: 'other' };
        return { id: 7, name: 'ada' };
      },
    });
    const seen = new Promise<[ServerWebSocket, User]>((resolve) => wss.on('connection', (ws, _req, user) => resolve([ws, user])));
    await dial(url);
    const [ws, user] = await seen;
    expect(user).toEqual({ id: 7, name: 'ada' });
    expect(wss.contextOf(ws)).toBe(user);
  });

  it('selects the subprotocol handleProtocols returns and adds the extra headers to the 101', async () => {
    const { url } = await listen({
      handleProtocols: (offered) => (offered.has('v2') ? 'v2' : false),
      headers: (req) => ({ 'X-Request-Path': req.url ?? '' }),
    });
    const client = await dial(url, ['v1', 'v2']);
    expect(client.protocol).toBe('v2');
    const port = Number(new URL(url).port);
    const { socket, head } = await rawHandshake(port, '/hello');
    cleanups.push(() => socket.destroy());
    expect(statusOf(head)).toBe(101);
    expect(headerOf(head, 'sec-websocket-accept')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(headerOf(head, 'x-request-path')).toBe('/hello');
    expect(headerOf(head, 'sec-websocket-protocol')).toBeUndefined();
  });

  it('with clientTracking false keeps clients empty but still counts connections', async () => {
    const { wss, url } = await listen({ clientTracking: false });
    const connected = once(wss, 'connection');
    await dial(url);
    await connected;
    expect(wss.clients.size).toBe(0);
    expect(wss.connectionCount).toBe(1);
  });

  it('answers 503 with Retry-After when maxConnections connections are open', async () => {
    const { wss, url } = await listen({ maxConnections: 1 });
    await dial(url);
    const refused = new WebSocket(url);
    cleanups.push(() => refused.terminate());
    const [err] = (await once(refused, 'error')) as [{ status?: number; headers?: Record<string, string> }];
    expect(err.status).toBe(503);
    expect(err.headers?.['retry-after']).toBe('5');
    expect(wss.connectionCount).toBe(1);
  });
});

describe('attach mode', () => {
  it('accepts WebSocket connections on path while a normal GET route answers 200 on the same port', async () => {
    const http = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 404);
      res.end(req.url === '/health' ? 'ok' : '');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => { http.closeAllConnections(); http.close(r); }));
    const wss = new WebSocketServer({ server: http, path: '/ws', heartbeat: false });
    cleanups.push(() => wss.close({ timeoutMs: 100 }));
    wss.on('connection', echo);
    const port = portOf(http.address());
    const client = await dial(`ws://127.0.0.1:${port}/ws?token=1`);
    client.send('attached');
    const [msg] = await nextMessage(client);
    expect(msg.toString()).toBe('attached');
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
  });
});

describe('connections outlive the handshake timeout', () => {
  it("an open connection is not cut by the standalone server's request timeouts", async () => {
    // Generous enough for a loaded CI machine to finish the handshake inside it; the wait after
    // the open is what the test is about: well past the timeout, the connection must still work.
    const { wss, url } = await listen({ handshakeTimeoutMs: 1_000 });
    wss.on('connection', echo);
    const client = await dial(url);
    await new Promise((r) => setTimeout(r, 2_500));
    client.send('still here');
    const [msg] = await nextMessage(client);
    expect(msg.toString()).toBe('still here');
    expect(wss.connectionCount).toBe(1);
  });
});

describe('noServer + handleUpgrade', () => {
  it('completes handshakes handed over from a framework-style upgrade handler', async () => {
    const wss = new WebSocketServer<{ room: string }>({ noServer: true, path: '/rooms', heartbeat: false, authenticate: () => ({ room: 'lobby' }) });
    const http = createServer((_req, res) => res.end('plain'));
    http.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws, request, ctx) => {
        expect(request.url).toBe('/rooms');
        ws.send(`welcome to ${ctx.room}`);
      });
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => http.close(r)));
    cleanups.push(() => wss.close({ timeoutMs: 100 }));
    const client = new WebSocket(`ws://127.0.0.1:${portOf(http.address())}/rooms`);
    cleanups.push(() => client.terminate());
    const [msg] = await nextMessage(client);
    expect(msg.toString()).toBe('welcome to lobby');
    expect(wss.connectionCount).toBe(1);
    expect(() => wss.handleUpgrade(undefined as never, undefined as never, Buffer.alloc(0), () => undefined)).toThrow(TypeError);
  });
});

describe('broadcast and topics', () => {
  async function three(options: Omit<WebSocketServerOptions, 'port' | 'server' | 'noServer'> = {}) {
    const { wss, url } = await listen(options);
    const serverSide: ServerWebSocket[] = [];
    wss.on('connection', (ws) => serverSide.push(ws));
    const clients = [await dial(url), await dial(url), await dial(url)];
    while (serverSide.length < 3) await new Promise((r) => setTimeout(r, 5));
    return { wss, clients, serverSide };
  }

  it('writes the same encoded frame to every receiver and returns how many got it', async () => {
    const { wss, clients, serverSide } = await three();
    const written: Uint8Array[] = [];
    for (const ws of serverSide) {
      const original = ws.sendFrame.bind(ws);
      ws.sendFrame = ((frame: Uint8Array, ...rest: unknown[]) => {
        written.push(frame);
        return (original as (...args: unknown[]) => unknown)(frame, ...rest);
      }) as typeof ws.sendFrame;
    }
    const received = clients.map((c) => nextMessage(c));
    expect(wss.broadcast('news for all')).toBe(3);
    const messages = await Promise.all(received);
    expect(messages.map(([d, b]) => [d.toString(), b])).toEqual([
      ['news for all', false],
      ['news for all', false],
      ['news for all', false],
    ]);
    expect(written).toHaveLength(3);
    expect(written[1]).toBe(written[0]);
    expect(written[2]).toBe(written[0]);
    expect([...(written[0] as Uint8Array).subarray(0, 2)]).toEqual([0x81, 12]);
  });

  it('sends binary for bytes, honours binary: true for strings, and filters', async () => {
    const { wss, clients, serverSide } = await three();
    const first = nextMessage(clients[0] as WebSocket);
    expect(wss.broadcast(new Uint8Array([9, 8]), { filter: (ws) => ws === serverSide[0] })).toBe(1);
    const [data, isBinary] = await first;
    expect([[...data], isBinary]).toEqual([[9, 8], true]);
    const second = nextMessage(clients[1] as WebSocket);
    wss.broadcast('as bytes', { binary: true, filter: (ws) => ws === serverSide[1] });
    const [data2, isBinary2] = await second;
    expect([data2.toString(), isBinary2]).toEqual(['as bytes', true]);
  });

  it('publishes to subscribers only, and unsubscribe and close clean topics up', async () => {
    const { wss, clients, serverSide } = await three();
    const [a, b, c] = serverSide as [ServerWebSocket, ServerWebSocket, ServerWebSocket];
    expect(wss.subscribe(a, 'chess')).toBe(true);
    expect(wss.subscribe(b, 'chess')).toBe(true);
    expect(wss.subscribe(b, 'go')).toBe(true);
    expect(wss.subscribe(a, 'chess')).toBe(false);
    expect(wss.topicsOf(b)).toEqual(['chess', 'go']);
    const got: string[][] = [[], [], []];
    clients.forEach((client, i) => client.on('message', (d) => void got[i]?.push(String(d))));
    expect(wss.publish('chess', 'e4')).toBe(2);
    expect(wss.unsubscribe(a, 'chess')).toBe(true);
    expect(wss.publish('chess', 'e5')).toBe(1);
    expect(wss.publish('nobody', 'x')).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([['e4'], ['e4', 'e5'], []]);
    expect(c).toBeDefined();

    const closed = once(b, 'close');
    (clients[1] as WebSocket).close();
    await closed;
    expect(wss.subscriberCount('chess')).toBe(0);
    expect(wss.topicCount).toBe(0);
    expect(wss.topicsOf(b)).toEqual([]);
    expect(wss.subscribe(b, 'chess')).toBe(false);
  });
});

describe('slow consumers', () => {
  /** A raw peer that completes the handshake and then never reads. */
  async function stalledPeer(port: number): Promise<Socket> {
    const { socket } = await rawHandshake(port);
    socket.pause();
    cleanups.push(() => socket.destroy());
    return socket;
  }

  async function fill(wss: WebSocketServer, until: () => boolean): Promise<number> {
    const chunk = new Uint8Array(1024 * 1024);
    let sends = 0;
    while (!until() && sends < 128) {
      wss.broadcast(chunk);
      sends++;
      await new Promise((r) => setImmediate(r));
    }
    return sends;
  }

  it("drop: skips a peer at maxBufferedAmount, counts it and emits 'drop'", async () => {
    const { wss, url } = await listen({ maxBufferedAmount: 256 * 1024, backpressure: 'drop' });
    const connected = once(wss, 'connection');
    await stalledPeer(Number(new URL(url).port));
    const [ws] = (await connected) as [ServerWebSocket];
    const drops: number[] = [];
    wss.on('drop', (_ws, bytes) => drops.push(bytes));
    await fill(wss, () => drops.length > 0);
    expect(drops[0]).toBe(1024 * 1024 + 10);
    expect(wss.droppedMessages).toBe(drops.length);
    expect(wss.droppedMessagesOf(ws)).toBe(drops.length);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('close: closes a slow peer with 1013 behind the data it already has', async () => {
    const { wss, url } = await listen({ maxBufferedAmount: 256 * 1024, backpressure: 'close' });
    const connected = once(wss, 'connection');
    const socket = await stalledPeer(Number(new URL(url).port));
    const [ws] = (await connected) as [ServerWebSocket];
    const slow: number[] = [];
    wss.on('slowConsumer', (_ws, buffered) => slow.push(buffered));
    await fill(wss, () => slow.length > 0);
    expect(slow[0]).toBeGreaterThanOrEqual(256 * 1024);
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    const { bytes } = collect(socket);
    socket.resume();
    const closeFrame = Buffer.concat([Buffer.from([0x88, 15, 0x03, 0xf5]), Buffer.from('Slow consumer')]);
    for (let i = 0; i < 200 && bytes().indexOf(closeFrame) === -1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(bytes().indexOf(closeFrame)).toBeGreaterThan(0);
  });

  it('queue: never drops or closes', async () => {
    const { wss, url } = await listen({ maxBufferedAmount: 64 * 1024, backpressure: 'queue' });
    const connected = once(wss, 'connection');
    await stalledPeer(Number(new URL(url).port));
    const [ws] = (await connected) as [ServerWebSocket];
    let events = 0;
    wss.on('drop', () => events++);
    wss.on('slowConsumer', () => events++);
    const sends = await fill(wss, () => ws.bufferedAmount > 4 * 1024 * 1024);
    expect(sends).toBeLessThan(128);
    expect(events).toBe(0);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('heartbeat', () => {
  it('terminates a peer that completed the handshake but never answers pings (1006)', async () => {
    const { wss, url } = await listen({ heartbeat: { intervalMs: 100, timeoutMs: 100 } });
    const connected = once(wss, 'connection');
    const { socket } = await rawHandshake(Number(new URL(url).port));
    cleanups.push(() => socket.destroy());
    const { bytes } = collect(socket);
    const [ws] = (await connected) as [ServerWebSocket];
    const errors: string[] = [];
    ws.on('error', (err) => void errors.push((err as Error & { code: string }).code));
    const timedOut = once(wss, 'heartbeatTimeout');
    const started = Date.now();
    // events.once() would reject on the 'error' that precedes the close: listen directly.
    const code = await new Promise<number>((resolve) => ws.on('close', (c: number) => resolve(c)));
    await timedOut;
    expect(code).toBe(1006);
    expect(errors).toContain('WS_ERR_HEARTBEAT_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(bytes()[0]).toBe(0x89);
    expect(wss.connectionCount).toBe(0);
  });

  it('keeps a peer that answers pings', async () => {
    const { wss, url } = await listen({ heartbeat: { intervalMs: 50, timeoutMs: 50 } });
    const { socket } = await rawHandshake(Number(new URL(url).port));
    cleanups.push(() => socket.destroy());
    let pings = 0;
    socket.on('data', (d: Buffer) => {
      // Answer each ping (0x89, empty payload from our heartbeat) with a masked pong.
      for (let i = 0; i + 1 < d.length; i += 2 + (d[i + 1] as number)) {
        if (d[i] === 0x89) {
          pings++;
          socket.write(clientFrame(0xa, d.subarray(i + 2, i + 2 + (d[i + 1] as number))));
        }
      }
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(wss.connectionCount).toBe(1);
  });
});

describe('graceful close', () => {
  it('sends 1001 to every connection, waits for them and stops listening', async () => {
    const { wss, url } = await listen();
    const clients = [await dial(url), await dial(url), await dial(url)];
    const codes = clients.map((c) => once(c, 'close').then(([code]) => code as number));
    const closed = once(wss, 'close');
    await wss.close();
    await closed;
    expect(await Promise.all(codes)).toEqual([1001, 1001, 1001]);
    expect(wss.connectionCount).toBe(0);
    const late = new WebSocket(url);
    const [err] = (await once(late, 'error')) as [{ code: string }];
    expect(err.code).toBe('WS_ERR_CONNECTION_FAILED');
  });

  it('sends the given code and reason, and terminates a peer that never answers at timeoutMs', async () => {
    const { wss, url } = await listen();
    const connected = once(wss, 'connection');
    const { socket } = await rawHandshake(Number(new URL(url).port));
    cleanups.push(() => socket.destroy());
    const { bytes } = collect(socket);
    const [ws] = (await connected) as [ServerWebSocket];
    const serverClose = once(ws, 'close');
    const started = Date.now();
    await wss.close({ code: 1012, reason: 'restart', timeoutMs: 150 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(2000);
    const [code] = (await serverClose) as [number];
    expect(code).toBe(1006);
    expect([...bytes().subarray(0, 4)]).toEqual([0x88, 9, 0x03, 0xf4]);
    expect(bytes().subarray(4, 11).toString()).toBe('restart');
    await new Promise((r) => setTimeout(r, 20));
    expect(socket.destroyed || socket.readableEnded).toBe(true);
  });
});
