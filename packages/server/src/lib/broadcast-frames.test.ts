/**
 * A broadcast's frames: encoded once per distinct need, compressed once per window size for
 * connections without server context takeover, never shared with a connection that keeps
 * context; and the order every receiver sees, over sockets.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from '@rfc6455/client';
import type { DeflateConfig, DeflateOfferOptions } from '@rfc6455/deflate';
import { PerMessageDeflate } from '@rfc6455/deflate/node';
import { BroadcastFrames } from './broadcast-frames.ts';
import type { ServerWebSocket } from './connection.ts';
import { connections, inflate, serverFrames, serverHarness, until } from '../../test/harness.ts';

const { listen, dial } = serverHarness();
afterEach(() => {
  vi.restoreAllMocks();
});

const settings = { threshold: 100, level: -1, memLevel: 8 };

function config(overrides: Partial<DeflateConfig> = {}): DeflateConfig {
  return { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15, ...overrides };
}

describe('BroadcastFrames', () => {
  const text = 'the same news for everyone, '.repeat(10);
  const payload = new TextEncoder().encode(text);

  it('gives connections without deflate, and messages below the threshold, the plain frame, encoded once', () => {
    const frames = new BroadcastFrames(payload, text, false, settings);
    const plain = frames.deliveryFor(undefined);
    expect(plain).toEqual({ kind: 'frame', frame: frames.plain() });
    expect(frames.plain()).toBe(frames.plain());
    expect([...frames.plain().subarray(0, 2)]).toEqual([0x81, 126]);
    const short = new BroadcastFrames(new Uint8Array([1, 2]), new Uint8Array([1, 2]), true, settings);
    expect(short.deliveryFor(config())).toEqual({ kind: 'frame', frame: short.plain() });
    expect([...short.plain()]).toEqual([0x82, 2, 1, 2]);
  });

  it('compresses once per window size for connections without server context takeover (RSV1 set)', () => {
    const frames = new BroadcastFrames(payload, text, false, settings);
    const a = frames.deliveryFor(config());
    const b = frames.deliveryFor(config());
    const nine = frames.deliveryFor(config({ serverMaxWindowBits: 9 }));
    if (a.kind !== 'frame' || b.kind !== 'frame' || nine.kind !== 'frame') throw new Error('expected frames');
    expect(b.frame).toBe(a.frame);
    expect(nine.frame).not.toBe(a.frame);
    expect(a.frame[0]).toBe(0xc1);
    const length = a.frame[1] as number;
    expect(length).toBeLessThan(payload.length);
    expect(inflate(Buffer.from(a.frame.subarray(2)))).toBe(text);
    expect(inflate(Buffer.from(nine.frame.subarray(2)))).toBe(text);
  });

  it('hands a connection whose compressor keeps context the message itself, for its own codec', () => {
    const bytes = new BroadcastFrames(payload, payload, true, settings);
    expect(bytes.deliveryFor(config({ serverNoContextTakeover: false }))).toEqual({ kind: 'message', payload, binary: true });
    const string = new BroadcastFrames(payload, text, false, settings);
    expect(string.deliveryFor(config({ serverNoContextTakeover: false }))).toEqual({ kind: 'message', payload: text, binary: false });
  });
});

describe('broadcast and publish with permessage-deflate, over sockets', () => {
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
      const ws = await dial(url, { perMessageDeflate: deflate });
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

  it('a broadcast, a send on one connection and more broadcasts arrive in call order, shared frame or own codec', async () => {
    const { wss, url } = await listen({ perMessageDeflate: true });
    const accepted = connections<ServerWebSocket>(wss, 2);
    // One connection shares the broadcast's compressed frame, one compresses through its own codec (context takeover).
    const shared = await dial(url, { perMessageDeflate: { offers: { serverNoContextTakeover: true } } });
    const own = await dial(url, { perMessageDeflate: true });
    const server = await accepted;
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
