/**
 * permessage-deflate on the server (RFC 7692): negotiation, the threshold, per-send compress,
 * broadcast frames shared only where no compressor context exists, and release at close.
 */
import { once } from 'node:events';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import type { DeflateOfferOptions } from '@rfc6455/deflate';
import { PerMessageDeflate } from '@rfc6455/deflate/node';
import { ServerWebSocket } from './connection.ts';
import type { WebSocketServerOptions } from './options.ts';
import { WebSocketServer } from './websocket-server.ts';
import { headerOf, openSocket, portOf, upgradeRequest } from '../../test/raw.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

async function listen<C = undefined, S extends ServerWebSocket<C> = ServerWebSocket<C>>(
  options: Omit<WebSocketServerOptions<C, S>, 'port' | 'server' | 'noServer'> = {},
) {
  const wss = new WebSocketServer<C, S>({ port: 0, host: '127.0.0.1', heartbeat: false, ...options });
  cleanups.push(() => wss.close({ timeoutMs: 200 }));
  await once(wss, 'listening');
  return { wss, url: `ws://127.0.0.1:${portOf(wss.address())}` };
}

async function dial(url: string, perMessageDeflate: boolean | { offers?: DeflateOfferOptions | DeflateOfferOptions[]; compressionThreshold?: number } = true): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate });
  cleanups.push(() => ws.terminate());
  await once(ws, 'open');
  return ws;
}

/** First bytes (FIN/RSV1/opcode) and payloads of the unmasked server frames read on a client socket. */
function serverFrames(ws: WebSocket): Array<{ byte0: number; payload: Buffer }> {
  const frames: Array<{ byte0: number; payload: Buffer }> = [];
  let pending = Buffer.alloc(0);
  ws.socket!.prependListener('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const length7 = pending[1]! & 0x7f;
      const extra = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
      const length = length7 === 126 ? pending.readUInt16BE(2) : length7 === 127 ? Number(pending.readBigUInt64BE(2)) : length7;
      const total = 2 + extra + length;
      if (pending.length < total) return;
      frames.push({ byte0: pending[0]!, payload: Buffer.from(pending.subarray(2 + extra, total)) });
      pending = pending.subarray(total);
    }
  });
  return frames;
}

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = (): void => (check() ? resolve() : void setTimeout(poll, 5));
    poll();
  });
}

/** RFC 7692 §7.2.2: put the 00 00 ff ff tail back and inflate. */
function inflate(payload: Buffer): string {
  return inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString();
}

describe('permessage-deflate negotiation', () => {
  it('is off by default: an offer is ignored and nothing is compressed', async () => {
    const { url } = await listen();
    const ws = await dial(url);
    expect(ws.extensions).toBe('');
  });

  it('accepts our client\'s default offer when enabled, and both directions compress above the threshold', async () => {
    const { wss, url } = await listen({ perMessageDeflate: true });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dial(url);
    const [server] = await connected;
    expect(ws.extensions).toBe('permessage-deflate');
    expect(server.extensions).toBe('permessage-deflate');
    const frames = serverFrames(ws);
    const got: string[] = [];
    ws.on('message', (data: Buffer) => got.push(data.toString()));
    const long = 'abc'.repeat(500);
    server.send(long);
    server.send('short');
    server.send(long, { compress: false });
    await until(() => got.length === 3);
    expect(got).toEqual([long, 'short', long]);
    expect(frames.map((f) => f.byte0)).toEqual([0xc1, 0x81, 0x81]);
    expect(inflate(frames[0]!.payload)).toBe(long);
    const echoed = once(server, 'message') as Promise<[Buffer, boolean]>;
    ws.send(long);
    expect((await echoed)[0].toString()).toBe(long);
  });

  it('answers with the parameters it settled on, declines an offer with a repeated parameter and takes the next', async () => {
    const { wss } = await listen({ perMessageDeflate: { serverNoContextTakeover: true, serverMaxWindowBits: 10 } });
    const socket = await openSocket(portOf(wss.address()));
    const response = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
    socket.write(
      upgradeRequest('/', {
        'Sec-WebSocket-Extensions':
          'permessage-deflate; client_max_window_bits=9; client_max_window_bits, permessage-deflate; server_max_window_bits=12',
      }),
    );
    const head = await response;
    socket.destroy();
    expect(head.startsWith('HTTP/1.1 101')).toBe(true);
    expect(headerOf(head, 'Sec-WebSocket-Extensions')).toBe('permessage-deflate; server_no_context_takeover; server_max_window_bits=10');
  });

  it('keeps the threshold: compressionThreshold 0 compresses even an empty message', async () => {
    const { wss, url } = await listen({ perMessageDeflate: true, compressionThreshold: 0 });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dial(url);
    const [server] = await connected;
    const frames = serverFrames(ws);
    const got = once(ws, 'message') as Promise<[Buffer, boolean]>;
    server.send('');
    const [data, isBinary] = await got;
    expect([data.length, isBinary]).toEqual([0, false]);
    // RFC 7692 §7.2.3.6: an empty message is the single byte 00.
    expect(frames.map((f) => [f.byte0, f.payload.toString('hex')])).toEqual([[0xc1, '00']]);
  });

  it('validates the options at construction', () => {
    expect(() => new WebSocketServer({ noServer: true, perMessageDeflate: { serverMaxWindowBits: 16 } })).toThrow(RangeError);
    expect(() => new WebSocketServer({ noServer: true, perMessageDeflate: 'on' as unknown as boolean })).toThrow(TypeError);
    expect(() => new WebSocketServer({ noServer: true, compressionThreshold: -1 })).toThrow(RangeError);
    expect(() => new WebSocketServer({ noServer: true, perMessageDeflate: { memLevel: 0 } })).toThrow(/memLevel/);
  });

  it('releases each connection\'s codec when the connection ends', async () => {
    const close = vi.spyOn(PerMessageDeflate.prototype, 'close');
    const { wss, url } = await listen({ perMessageDeflate: true });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dial(url, false);
    await connected;
    ws.close();
    await once(ws, 'close');
    expect(close).toHaveBeenCalledTimes(0);
    const connected2 = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws2 = await dial(url);
    const [server2] = await connected2;
    const closed = once(server2, 'close');
    ws2.close();
    await closed;
    // Our client's codec and the server's: one each.
    await until(() => close.mock.calls.length === 2);
    expect(close).toHaveBeenCalledTimes(2);
  });
});

describe('broadcast and publish with permessage-deflate', () => {
  it('shares a compressed frame among connections without server context takeover, per window size; never with context', async () => {
    const { wss, url } = await listen({ perMessageDeflate: true });
    const kinds: Array<[string, boolean | { offers: DeflateOfferOptions }]> = [
      ['plain', false],
      ['takeover', true],
      ['nct-15a', { offers: { serverNoContextTakeover: true } }],
      ['nct-15b', { offers: { serverNoContextTakeover: true } }],
      ['nct-9', { offers: { serverNoContextTakeover: true, serverMaxWindowBits: 9 } }],
    ];
    const clients: Array<{ name: string; ws: WebSocket; frames: Array<{ byte0: number; payload: Buffer }>; got: string[] }> = [];
    for (const [name, deflate] of kinds) {
      const ws = await dial(url, deflate);
      const got: string[] = [];
      ws.on('message', (data: Buffer) => got.push(data.toString()));
      clients.push({ name, ws, frames: serverFrames(ws), got });
    }
    expect(clients.map((c) => c.ws.extensions)).toEqual([
      '',
      'permessage-deflate',
      'permessage-deflate; server_no_context_takeover',
      'permessage-deflate; server_no_context_takeover',
      'permessage-deflate; server_no_context_takeover; server_max_window_bits=9',
    ]);
    await until(() => wss.connectionCount === kinds.length);
    const message = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ id: i, name: `item ${i}` })) });
    const encode = vi.spyOn(PerMessageDeflate.prototype, 'encode');
    expect(wss.broadcast(message)).toBe(5);
    expect(wss.broadcast(message)).toBe(5);
    expect(wss.broadcast('tiny')).toBe(5);
    await until(() => clients.every((c) => c.got.length === 3));
    for (const c of clients) expect(c.got).toEqual([message, message, 'tiny']);
    // Only the context-takeover connection compresses through its own codec (twice: the long messages).
    expect(encode).toHaveBeenCalledTimes(2);
    const byName = Object.fromEntries(clients.map((c) => [c.name, c.frames]));
    expect(byName['plain']!.map((f) => f.byte0)).toEqual([0x81, 0x81, 0x81]);
    for (const name of ['takeover', 'nct-15a', 'nct-15b', 'nct-9']) expect(byName[name]!.map((f) => f.byte0)).toEqual([0xc1, 0xc1, 0x81]);
    // Without context, the same compressed bytes each time and for each connection of a window size.
    expect(byName['nct-15a']![0]!.payload.equals(byName['nct-15a']![1]!.payload)).toBe(true);
    expect(byName['nct-15a']![0]!.payload.equals(byName['nct-15b']![0]!.payload)).toBe(true);
    expect(inflate(byName['nct-9']![0]!.payload)).toBe(message);
    // With context takeover the second message refers back to the first: it is much smaller.
    expect(byName['takeover']![1]!.payload.length).toBeLessThan(byName['takeover']![0]!.payload.length / 4);
  });

  it('keeps order: a published frame waits behind a message the connection is still compressing', async () => {
    const { wss, url } = await listen({ perMessageDeflate: { serverNoContextTakeover: true } });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dial(url);
    const [server] = await connected;
    const got: number[] = [];
    ws.on('message', (data: Buffer) => got.push(data.length));
    expect(server.subscribe('news')).toBe(true);
    // Above SYNC_DEFLATE_MAX_LENGTH: compressed on the thread pool, asynchronously.
    server.send(Buffer.alloc(200_000, 'z'));
    expect(wss.publish('news', 'x'.repeat(2000))).toBe(1);
    await until(() => got.length === 2);
    expect(got).toEqual([200_000, 2000]);
  });
});

describe('broadcast order with permessage-deflate, over sockets', () => {
  it('a broadcast, a send on one connection and more broadcasts arrive in call order, shared frame or own codec', async () => {
    const { wss, url } = await listen({ perMessageDeflate: true });
    const server: ServerWebSocket[] = [];
    wss.on('connection', (ws) => server.push(ws));
    // One connection shares the broadcast's compressed frame, one compresses through its own codec (context takeover).
    const shared = await dial(url, { offers: { serverNoContextTakeover: true } });
    const own = await dial(url, true);
    await until(() => server.length === 2);
    const received = [shared, own].map((ws) => {
      const got: string[] = [];
      ws.on('message', (data: Buffer) => got.push(data.toString()));
      return got;
    });
    // Above SYNC_DEFLATE_MAX_LENGTH (4 KiB): the size at which a codec compresses on the thread pool.
    const large = (tag: string): string => `${tag}:${'{"id":1,"name":"x"},'.repeat(2000)}`;
    expect(wss.broadcast(large('b1'))).toBe(2);
    for (const ws of server) ws.send('s1');
    expect(wss.broadcast('b2 is short')).toBe(2);
    expect(wss.broadcast(large('b3'))).toBe(2);
    for (const ws of server) ws.send(large('s2'));
    expect(wss.broadcast(large('b4'))).toBe(2);
    await until(() => received.every((got) => got.length === 6));
    const tags = received.map((got) => got.map((m) => m.slice(0, m.indexOf(':') === -1 ? m.length : m.indexOf(':'))));
    expect(tags).toEqual([
      ['b1', 's1', 'b2 is short', 'b3', 's2', 'b4'],
      ['b1', 's1', 'b2 is short', 'b3', 's2', 'b4'],
    ]);
    expect(received[0]?.[3]).toBe(large('b3'));
  });
});

describe('ServerWebSocket: topics, context and a custom connection class', () => {
  it('subscribes and unsubscribes through the connection, and shows its topics and typed context', async () => {
    const { wss, url } = await listen<{ user: string }>({ authenticate: () => ({ user: 'ada' }) });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket<{ user: string }>]>;
    const ws = await dial(url, false);
    const [server] = await connected;
    expect(server).toBeInstanceOf(ServerWebSocket);
    expect(server).toBeInstanceOf(WebSocket);
    const user: string = server.context.user;
    expect(user).toBe('ada');
    expect(server.subscribe('a')).toBe(true);
    expect(server.subscribe('a')).toBe(false);
    expect(server.subscribe('b')).toBe(true);
    expect(server.topics).toEqual(['a', 'b']);
    expect(wss.topicsOf(server)).toEqual(['a', 'b']);
    const got = once(ws, 'message') as Promise<[Buffer]>;
    expect(wss.publish('b', 'to b')).toBe(1);
    expect((await got)[0].toString()).toBe('to b');
    expect(server.unsubscribe('a')).toBe(true);
    expect(server.unsubscribe('a')).toBe(false);
    expect(server.topics).toEqual(['b']);
    expect(() => server.subscribe(1 as unknown as string)).toThrow(TypeError);
    const closed = once(server, 'close');
    ws.close();
    await closed;
    expect(server.topics).toEqual([]);
    expect(server.subscribe('c')).toBe(false);
    expect(wss.topicCount).toBe(0);
  });

  it('constructs connections from the WebSocket option, a class extending ServerWebSocket', async () => {
    class Chat extends ServerWebSocket<{ room: string }> {
      readonly joinedAt = 42;
      shout(text: string): void {
        this.send(`${this.context.room}: ${text.toUpperCase()}`);
      }
    }
    const { wss, url } = await listen<{ room: string }, Chat>({ WebSocket: Chat, authenticate: () => ({ room: 'lobby' }) });
    const connected = new Promise<Chat>((resolve) => wss.on('connection', (conn) => resolve(conn)));
    const ws = await dial(url, false);
    const conn = await connected;
    expect(conn).toBeInstanceOf(Chat);
    expect(conn.joinedAt).toBe(42);
    expect(conn.readyState).toBe(WebSocket.OPEN);
    const got = once(ws, 'message') as Promise<[Buffer]>;
    conn.shout('hi');
    expect((await got)[0].toString()).toBe('lobby: HI');
    expect([...wss.clients][0]).toBe(conn);
    expect(() => new WebSocketServer({ noServer: true, WebSocket: WebSocket as never })).toThrow(TypeError);
  });

  it('a bare WebSocket.fromSocket call still makes a plain WebSocket', async () => {
    const { Duplex } = await import('node:stream');
    const socket = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } });
    const plain = WebSocket.fromSocket(socket, undefined, { role: 'server' });
    const server = ServerWebSocket.fromSocket(socket, undefined, { role: 'server' });
    expect([plain instanceof ServerWebSocket, server instanceof ServerWebSocket]).toEqual([false, true]);
    // Not bound to a server: topic calls are refused, not thrown.
    expect(server.subscribe('x')).toBe(false);
    expect(server.topics).toEqual([]);
    plain.terminate();
    server.terminate();
  });
});
