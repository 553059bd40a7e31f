/**
 * Broadcast and publish delivery: one encoded frame for every receiver, topics, and the
 * backpressure policies; unit tests on stand-in connections, then over loopback with our client
 * and raw peers that stop reading.
 */
import { EventEmitter, once } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { Broadcaster } from './broadcast.ts';
import type { BroadcasterSettings } from './broadcast.ts';
import type { ServerWebSocket } from './connection.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import type { WebSocketServerOptions } from './options.ts';
import type { WebSocketServer } from './websocket-server.ts';
import { rawHandshake } from '../../test/raw.ts';
import { collect, connections, nextMessage, serverHarness, until } from '../../test/harness.ts';

const { cleanups, listen, dial } = serverHarness();

/** What delivery uses of a connection. */
class StandIn extends EventEmitter {
  readyState = WebSocket.OPEN;
  bufferedAmount = 0;
  readonly frames: Uint8Array[] = [];
  readonly sendFrame = vi.fn((frame: Uint8Array) => this.frames.push(frame));
  readonly send = vi.fn();
  readonly close = vi.fn();
}

function setup(settings: Partial<BroadcasterSettings<ServerWebSocket>> = {}, count = 2) {
  const registry = new ConnectionRegistry<undefined, ServerWebSocket>({ clientTracking: true, heartbeat: false, onHeartbeatTimeout: () => undefined });
  const drops: Array<[StandIn, number]> = [];
  const slow: Array<[StandIn, number]> = [];
  const delivery = new Broadcaster<undefined, ServerWebSocket>(
    {
      backpressure: 'close',
      maxBufferedAmount: 1000,
      compressionThreshold: 1024,
      level: -1,
      memLevel: 8,
      onDrop: (ws, bytes) => drops.push([ws as unknown as StandIn, bytes]),
      onSlowConsumer: (ws, buffered) => slow.push([ws as unknown as StandIn, buffered]),
      ...settings,
    },
    registry,
  );
  const peers = Array.from({ length: count }, () => new StandIn());
  for (const peer of peers) registry.add(peer as unknown as ServerWebSocket, undefined, undefined);
  const asSocket = (peer: StandIn): ServerWebSocket => peer as unknown as ServerWebSocket;
  return { registry, delivery, peers, drops, slow, asSocket };
}

describe('Broadcaster', () => {
  it('hands one encoded frame to every open connection the filter admits, and counts them', () => {
    const { delivery, peers } = setup({}, 4);
    const [a, b, c, d] = peers as [StandIn, StandIn, StandIn, StandIn];
    c.readyState = WebSocket.CLOSING;
    expect(delivery.broadcast('hi', { filter: (ws) => ws !== (d as unknown) })).toBe(2);
    expect(a.frames).toHaveLength(1);
    expect(b.frames[0]).toBe(a.frames[0]);
    expect([c.frames.length, d.frames.length]).toEqual([0, 0]);
    expect([...(a.frames[0] as Uint8Array)]).toEqual([0x81, 2, 0x68, 0x69]);
  });

  it('frames strings as text and bytes as binary unless binary says otherwise, and refuses other data', () => {
    const { delivery, peers } = setup({}, 1);
    const [a] = peers as [StandIn];
    delivery.broadcast(new Uint8Array([1, 2]), {});
    delivery.broadcast(new DataView(new Uint8Array([0, 3, 4]).buffer, 1), {});
    delivery.broadcast(new Uint8Array([5]).buffer, {});
    delivery.broadcast('t', { binary: true });
    expect(a.frames.map((f) => [...f])).toEqual([
      [0x82, 2, 1, 2],
      [0x82, 2, 3, 4],
      [0x82, 1, 5],
      [0x82, 1, 0x74],
    ]);
    expect(() => delivery.broadcast(42 as never, {})).toThrow(TypeError);
  });

  it('publishes to the subscribers of a topic only', () => {
    const { registry, delivery, peers, asSocket } = setup({}, 3);
    const [a, b, c] = peers as [StandIn, StandIn, StandIn];
    registry.subscribe(asSocket(a), 'news');
    registry.subscribe(asSocket(c), 'news');
    expect(delivery.publish('news', 'x', {})).toBe(2);
    expect(delivery.publish('nobody', 'x', {})).toBe(0);
    expect([a.frames.length, b.frames.length, c.frames.length]).toEqual([1, 0, 1]);
  });

  it("'close': a connection at maxBufferedAmount is closed with 1013 and told why; one below still gets the frame", () => {
    const { delivery, peers, slow } = setup({ backpressure: 'close' });
    const [behind, fine] = peers as [StandIn, StandIn];
    behind.bufferedAmount = 1000;
    fine.bufferedAmount = 999;
    const errors: Array<[string, number | undefined]> = [];
    behind.on('error', (err: { code: string; closeCode?: number }) => errors.push([err.code, err.closeCode]));
    expect(delivery.broadcast('x'.repeat(5000), {})).toBe(1);
    expect(slow).toEqual([[behind, 1000]]);
    expect(errors).toEqual([['WS_ERR_SLOW_CONSUMER', 1013]]);
    expect(behind.close.mock.calls).toEqual([[1013, 'Slow consumer']]);
    expect([behind.frames.length, fine.frames.length, delivery.dropped]).toEqual([0, 1, 0]);
  });

  it("'drop': a connection at maxBufferedAmount is skipped and counted, and stays open", () => {
    const { registry, delivery, peers, drops, asSocket } = setup({ backpressure: 'drop' });
    const [behind, fine] = peers as [StandIn, StandIn];
    behind.bufferedAmount = 5000;
    expect(delivery.broadcast('abc', {})).toBe(1);
    expect(delivery.broadcast('abc', {})).toBe(1);
    expect(drops).toEqual([[behind, 5], [behind, 5]]);
    expect([delivery.dropped, registry.stateOf(asSocket(behind))?.dropped, registry.stateOf(asSocket(fine))?.dropped]).toEqual([2, 2, 0]);
    expect([behind.close.mock.calls.length, fine.frames.length]).toEqual([0, 2]);
  });

  it("'queue': always writes, whatever is buffered", () => {
    const { delivery, peers, drops, slow } = setup({ backpressure: 'queue' });
    const [behind] = peers as [StandIn];
    behind.bufferedAmount = 1e9;
    expect(delivery.broadcast('abc', {})).toBe(2);
    expect([behind.frames.length, drops.length, slow.length]).toEqual([1, 0, 0]);
  });
});

describe('broadcast and topics over loopback', () => {
  async function three(options: Omit<WebSocketServerOptions, 'port' | 'server' | 'noServer'> = {}) {
    const { wss, url } = await listen(options);
    const accepted = connections<ServerWebSocket>(wss, 3);
    const clients = [await dial(url), await dial(url), await dial(url)];
    return { wss, clients, serverSide: await accepted };
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
    const [a, b] = serverSide as [ServerWebSocket, ServerWebSocket];
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
    // A broadcast behind them: once each client has it, everything published before has arrived.
    wss.broadcast('end');
    await until(() => got.every((messages) => messages.at(-1) === 'end'));
    expect(got.map((messages) => messages.slice(0, -1))).toEqual([['e4'], ['e4', 'e5'], []]);

    const closed = once(b, 'close');
    (clients[1] as WebSocket).close();
    await closed;
    expect(wss.subscriberCount('chess')).toBe(0);
    expect(wss.topicCount).toBe(0);
    expect(wss.topicsOf(b)).toEqual([]);
    expect(wss.subscribe(b, 'chess')).toBe(false);
  });
});

describe('slow consumers over loopback', () => {
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
    const closeFrame = Buffer.concat([Buffer.from([0x88, 15, 0x03, 0xf5]), Buffer.from('Slow consumer')]);
    const sawClose = new Promise<void>((resolve) => {
      // The close frame ends the stream: look for it in the last bytes only.
      let tail = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        tail = Buffer.concat([tail, chunk]).subarray(-(chunk.length + closeFrame.length));
        if (tail.indexOf(closeFrame) !== -1) resolve();
      });
    });
    socket.resume();
    await sawClose;
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
