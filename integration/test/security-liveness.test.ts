/**
 * Security regressions for peers that stop cooperating, over real loopback sockets: a client that
 * never reads while the server broadcasts (slow consumer), and peers that vanish without a FIN
 * (the heartbeat ends them). Intervals and limits are small so each test takes about a second.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket, WebSocketServerOptions } from '@rfc6455/server';
import { EXAMPLE_MASK_KEY, closePayload, encodeFrame, rawClient, rawServer, readFrames, waitFor } from '@rfc6455/testing';
import { codeOf } from './security-helpers.ts';

let wss: WebSocketServer | undefined;
let timer: NodeJS.Timeout | undefined;

afterEach(async () => {
  clearInterval(timer);
  await wss?.shutdown({ timeoutMs: 500 });
  wss = undefined;
});

async function start(options: Partial<WebSocketServerOptions>): Promise<{ port: number; connections: ServerWebSocket[] }> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, ...options } as WebSocketServerOptions);
  const connections: ServerWebSocket[] = [];
  wss.on('connection', (ws: ServerWebSocket) => connections.push(ws));
  await once(wss, 'listening');
  return { port: (wss.address() as { port: number }).port, connections };
}

describe('slow consumer', () => {
  const LIMIT = 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x61);

  it("backpressure 'close': a client that never reads is closed with 1013 once maxBufferedAmount is reached", async () => {
    const { port, connections } = await start({ maxBufferedAmount: LIMIT, backpressure: 'close', closeTimeoutMs: 5000 });
    const c = await rawClient(port);
    c.socket.pause(); // never read: the kernel buffers fill, then Node's
    await waitFor(() => connections.length === 1);
    const ws = connections[0]!;
    const errors: string[] = [];
    ws.on('error', (err: Error) => errors.push(codeOf(err)));
    const closed = new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
    let slowAt = -1;
    wss!.on('slowConsumer', (_ws: ServerWebSocket, buffered: number) => {
      slowAt = buffered;
    });
    const rssBefore = process.memoryUsage().rss;
    let sent = 0;
    timer = setInterval(() => {
      for (let i = 0; i < 8 && slowAt < 0; i++) sent += wss!.broadcast(chunk);
    }, 1);
    await waitFor(() => slowAt >= 0, { timeoutMs: 10_000 });
    clearInterval(timer);
    // Node's buffer stops at the first broadcast that finds it over the limit: limit + one message at most.
    expect(slowAt).toBeGreaterThanOrEqual(LIMIT);
    expect(slowAt).toBeLessThan(LIMIT + chunk.length);
    expect(errors).toEqual(['WS_ERR_SLOW_CONSUMER']);
    expect(wss!.broadcast(chunk)).toBe(0); // CLOSING: nothing more is written to it
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);

    // The reader wakes up: everything accepted arrives, then the 1013 close frame; it answers and the server ends.
    c.socket.resume();
    await waitFor(() => readFrames(c.received()).some((f) => f.opcode === 0x8), { timeoutMs: 10_000 });
    const frames = readFrames(c.received());
    expect(frames.length).toBe(sent + 1);
    expect(frames.slice(0, -1).every((f) => f.opcode === 0x2 && f.payload.length === chunk.length)).toBe(true);
    const close = frames.at(-1)!;
    expect([...close.raw.subarray(0, 4)]).toEqual([0x88, close.payload.length, 0x03, 0xf5]);
    c.socket.write(encodeFrame({ opcode: 0x8, payload: closePayload(1013), mask: EXAMPLE_MASK_KEY }));
    expect(await closed).toBe(1013);
    await c.closed;
  });

  it("backpressure 'drop': the stalled client is skipped and counted, others still get every message", async () => {
    const { port, connections } = await start({ maxBufferedAmount: LIMIT, backpressure: 'drop' });
    const stalled = await rawClient(port);
    stalled.socket.pause();
    const live = await WebSocket.connect(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    let liveGot = 0;
    live.on('message', () => liveGot++);
    await waitFor(() => connections.length === 2);
    const drops: number[] = [];
    wss!.on('drop', (_ws: ServerWebSocket, n: number) => drops.push(n));
    let broadcasts = 0;
    while (drops.length < 20) {
      wss!.broadcast(chunk);
      broadcasts++;
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => liveGot === broadcasts, { timeoutMs: 10_000 });
    // The dropped frame: 64 KiB payload + 10 header bytes (RFC 6455 §5.2 64-bit length form).
    expect(new Set(drops)).toEqual(new Set([chunk.length + 10]));
    expect(wss!.droppedMessagesOf(connections[0]!)).toBe(drops.length);
    expect(wss!.droppedMessagesOf(connections[1]!)).toBe(0);
    expect(connections[0]!.readyState).toBe(WebSocket.OPEN);
    live.terminate();
    stalled.socket.destroy();
  });
});

describe('peers that vanish without a FIN', () => {
  it('the server heartbeat terminates a client that stops reading and answering: 1006, WS_ERR_HEARTBEAT_TIMEOUT', async () => {
    const { port, connections } = await start({ heartbeat: { intervalMs: 200, timeoutMs: 200 } });
    const c = await rawClient(port);
    await waitFor(() => connections.length === 1);
    const ws = connections[0]!;
    const errors: string[] = [];
    ws.on('error', (err: Error) => errors.push(codeOf(err)));
    const timedOut: ServerWebSocket[] = [];
    wss!.on('heartbeatTimeout', (w: ServerWebSocket) => timedOut.push(w));
    const closed = new Promise<[number, boolean]>((resolve) =>
      ws.on('close', (code: number, _r: Buffer, wasClean: boolean) => resolve([code, wasClean])),
    );
    c.socket.pause(); // the peer is gone: nothing read, no pong, no FIN
    const started = Date.now();
    expect(await closed).toEqual([1006, false]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(errors).toEqual(['WS_ERR_HEARTBEAT_TIMEOUT']);
    expect(timedOut).toEqual([ws]);
    expect(wss!.connectionCount).toBe(0);
    c.socket.destroy();
  });

  it('a client that answers pings stays connected across several heartbeat rounds', async () => {
    const { port, connections } = await start({ heartbeat: { intervalMs: 100, timeoutMs: 100 } });
    const ws = await WebSocket.connect(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    let pings = 0;
    ws.on('ping', () => pings++);
    await waitFor(() => pings >= 4, { timeoutMs: 3000 });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(connections[0]!.readyState).toBe(WebSocket.OPEN);
    ws.terminate();
  });

  it('the client heartbeat terminates a server that stops answering: 1006, WS_ERR_HEARTBEAT_TIMEOUT', async () => {
    const raw = await rawServer((socket) => socket.pause());
    try {
      const ws = await WebSocket.connect(`ws://127.0.0.1:${raw.port}/`, {
        perMessageDeflate: false,
        heartbeat: { intervalMs: 200, timeoutMs: 200 },
      });
      const errors: string[] = [];
      ws.on('error', (err: Error) => errors.push(codeOf(err)));
      const started = Date.now();
      // events.once rejects on 'error', so the close is awaited through a plain listener.
      const code = await new Promise<number>((resolve) => ws.on('close', (c: number) => resolve(c)));
      expect(code).toBe(1006);
      expect(errors).toEqual(['WS_ERR_HEARTBEAT_TIMEOUT']);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await raw.close();
    }
  });
});
