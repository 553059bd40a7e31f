/**
 * Security regressions in framing, over real loopback sockets: masking direction (RFC 6455 §5.1),
 * 2^63 lengths (§5.2), floods of empty fragments, TypedArray views over larger buffers (no memory
 * disclosure), and decompression bombs (RFC 7692 with a size cap while inflating).
 */
import { once } from 'node:events';
import { deflateRawSync } from 'node:zlib';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import { DEFAULTS } from '@rfc6455/server';
import type { ServerWebSocket, WebSocketServerOptions } from '@rfc6455/server';
import { EXAMPLE_MASK_KEY as MASK, RSV1, closePayload, encodeFrame, rawClient, rawServer, readFrames, waitFor } from '@rfc6455/testing';
import type { ReadFrame } from '@rfc6455/testing';
import { codeOf } from './security-helpers.ts';

let wss: WebSocketServer | undefined;
const serverErrors: string[] = [];
const serverCloses: number[] = [];

afterEach(async () => {
  await wss?.shutdown({ timeoutMs: 500 });
  wss = undefined;
  serverErrors.length = 0;
  serverCloses.length = 0;
});

async function start(options: Partial<WebSocketServerOptions> = {}): Promise<number> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, ...options } as WebSocketServerOptions);
  wss.on('connection', (ws: ServerWebSocket) => {
    ws.on('error', (err: Error) => serverErrors.push(codeOf(err)));
    ws.on('close', (code: number) => serverCloses.push(code));
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  await once(wss, 'listening');
  return (wss.address() as { port: number }).port;
}

/** The close frame among `frames` (there must be exactly one, and it must be the last). */
function lastClose(frames: ReadFrame[]): ReadFrame {
  const closes = frames.filter((f) => f.opcode === 0x8);
  expect(closes.length).toBe(1);
  expect(frames.at(-1)).toBe(closes[0]);
  return closes[0]!;
}

/** Exact check of a close frame: FIN+opcode byte, mask bit and length, the code bytes and the reason bytes. */
function expectClose(f: ReadFrame, code: number, reason: string, masked: boolean): void {
  const payload = closePayload(code, reason);
  expect(f.raw.length).toBe(2 + (masked ? 4 : 0) + payload.length);
  expect([f.raw[0], f.raw[1]]).toEqual([0x88, (masked ? 0x80 : 0) | payload.length]);
  expect(f.payload.toString('hex')).toBe(payload.toString('hex'));
}

const REASON = {
  expectedMask: 'A server received an unmasked frame (RFC 6455 §5.1)',
  unexpectedMask: 'A client received a masked frame (RFC 6455 §5.1)',
  msb: 'The 64-bit payload length has its most significant bit set (RFC 6455 §5.2)',
  over53: 'Payload length over 2^53 - 1 bytes',
  fragments: (max: number) => `Message in more than maxFragments ${max} frames`,
  // The inflate cap's message is not put on the wire; the code is.
  inflated: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
};

/** A client that collects everything and reports its error codes and close code. */
function watch(ws: WebSocket): { errors: string[]; closed: Promise<number> } {
  const errors: string[] = [];
  ws.on('error', (err: Error) => errors.push(codeOf(err)));
  const closed = new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
  return { errors, closed };
}

describe('masking direction', () => {
  it('an unmasked frame from a client: the server fails with 1002 WS_ERR_EXPECTED_MASK', async () => {
    const port = await start();
    const c = await rawClient(port);
    c.socket.write(encodeFrame({ opcode: 0x1, payload: 'hello' })); // no mask
    await c.closed;
    const close = lastClose(readFrames(c.received()));
    expectClose(close, 1002, REASON.expectedMask, false);
    await waitFor(() => serverCloses.length === 1);
    expect(serverErrors).toEqual(['WS_ERR_EXPECTED_MASK']);
    expect(serverCloses).toEqual([1002]);
  });

  it('a masked frame from a server: our client fails with 1002 WS_ERR_UNEXPECTED_MASK (masked close frame)', async () => {
    const got: Buffer[] = [];
    const raw = await rawServer((socket) => {
      socket.on('data', (c: Buffer) => got.push(c));
      socket.write(encodeFrame({ opcode: 0x1, payload: 'hello', mask: MASK }));
    });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${raw.port}/`, { perMessageDeflate: false, closeTimeoutMs: 500 });
      const w = watch(ws);
      const messages: unknown[] = [];
      ws.on('message', (m) => messages.push(m));
      expect(await w.closed).toBe(1002);
      expect(w.errors).toEqual(['WS_ERR_UNEXPECTED_MASK']);
      expect(messages).toEqual([]);
      expectClose(lastClose(readFrames(Buffer.concat(got))), 1002, REASON.unexpectedMask, true);
    } finally {
      await raw.close();
    }
  });
});

describe('2^63 and other huge lengths', () => {
  const huge = (msb: number): Buffer => Buffer.from([0x82, 0xff, msb, 0, 0, 0, 0, 0, 0, 0, ...MASK]);

  it('a 64-bit length with the top bit set (2^63) is 1002 WS_ERR_INVALID_PAYLOAD_LENGTH at the server', async () => {
    const port = await start();
    const c = await rawClient(port);
    c.socket.write(huge(0x80));
    await c.closed;
    expectClose(lastClose(readFrames(c.received())), 1002, REASON.msb, false);
    await waitFor(() => serverCloses.length === 1);
    expect(serverErrors).toEqual(['WS_ERR_INVALID_PAYLOAD_LENGTH']);
  });

  it('2^62 (legal, absurd) is 1009 WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH before any payload is buffered', async () => {
    const port = await start();
    const c = await rawClient(port);
    c.socket.write(huge(0x40));
    await c.closed;
    expectClose(lastClose(readFrames(c.received())), 1009, REASON.over53, false);
    await waitFor(() => serverCloses.length === 1);
    expect(serverErrors).toEqual(['WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH']);
  });

  it('our client gets 2^63 from a server: 1002; 2^62: 1009', async () => {
    for (const [msb, code, err, reason] of [
      [0x80, 1002, 'WS_ERR_INVALID_PAYLOAD_LENGTH', REASON.msb],
      [0x40, 1009, 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', REASON.over53],
    ] as const) {
      const got: Buffer[] = [];
      const raw = await rawServer((socket) => {
        socket.on('data', (c: Buffer) => got.push(c));
        socket.write(Buffer.from([0x82, 0x7f, msb, 0, 0, 0, 0, 0, 0, 0]));
      });
      try {
        const ws = new WebSocket(`ws://127.0.0.1:${raw.port}/`, { perMessageDeflate: false, closeTimeoutMs: 500 });
        const w = watch(ws);
        expect(await w.closed).toBe(code);
        expect(w.errors).toEqual([err]);
        expectClose(lastClose(readFrames(Buffer.concat(got))), code, reason, true);
      } finally {
        await raw.close();
      }
    }
  });
});

describe('floods of empty fragments', () => {
  const COUNT = 1_000_000;

  /** A text frame without FIN followed by COUNT empty continuation frames, masked, as one buffer. */
  function emptyFragments(masked: boolean): Buffer {
    const one = encodeFrame({ opcode: 0x0, fin: false, mask: masked && MASK });
    const first = encodeFrame({ opcode: 0x1, fin: false, mask: masked && MASK });
    const out = Buffer.allocUnsafe(first.length + one.length * COUNT);
    first.copy(out, 0);
    for (let i = 0; i < COUNT; i++) one.copy(out, first.length + i * one.length);
    return out;
  }

  it('1,000,000 empty continuation frames to the server: 1008 WS_ERR_TOO_MANY_BUFFERED_PARTS, fast, memory bounded', async () => {
    const port = await start();
    const flood = emptyFragments(true);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const c = await rawClient(port);
    c.socket.write(flood);
    await c.closed;
    const elapsed = Date.now() - started;
    expectClose(lastClose(readFrames(c.received())), 1008, REASON.fragments(DEFAULTS.maxFragments), false);
    await waitFor(() => serverCloses.length === 1);
    expect(serverErrors).toEqual(['WS_ERR_TOO_MANY_BUFFERED_PARTS']);
    expect(elapsed).toBeLessThan(5000);
    // The flood itself is 6 MB; the server keeps at most maxFragments empty views before failing.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    c.socket.destroy();
  });

  it('1,000,000 empty continuation frames to our client: 1008 at maxFragments, memory bounded', async () => {
    const flood = emptyFragments(false);
    const got: Buffer[] = [];
    const raw = await rawServer((socket: Socket) => {
      socket.on('data', (c: Buffer) => got.push(c));
      socket.write(flood);
    });
    try {
      const rssBefore = process.memoryUsage().rss;
      const ws = new WebSocket(`ws://127.0.0.1:${raw.port}/`, { perMessageDeflate: false, closeTimeoutMs: 500, maxFragments: 10_000 });
      const w = watch(ws);
      expect(await w.closed).toBe(1008);
      expect(w.errors).toEqual(['WS_ERR_TOO_MANY_BUFFERED_PARTS']);
      expectClose(lastClose(readFrames(Buffer.concat(got))), 1008, REASON.fragments(10_000), true);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await raw.close();
    }
  });

  it('200,000 empty complete messages are all delivered and nothing accumulates', async () => {
    const port = await start();
    let received = 0;
    wss!.on('connection', (ws: ServerWebSocket) => ws.on('message', () => received++));
    const c = await rawClient(port);
    const one = encodeFrame({ opcode: 0x2, mask: MASK });
    const n = 200_000;
    const out = Buffer.allocUnsafe(one.length * n);
    for (let i = 0; i < n; i++) one.copy(out, i * one.length);
    c.socket.write(out);
    await waitFor(() => received === n, { timeoutMs: 10_000 });
    expect(serverErrors).toEqual([]);
    c.socket.destroy();
  });
});

describe('TypedArray views over larger buffers (no memory disclosure)', () => {
  it('send, ping and close take exactly the viewed bytes, never the rest of the buffer', async () => {
    const got: Buffer[] = [];
    const raw = await rawServer((socket) => socket.on('data', (c: Buffer) => got.push(c)));
    try {
      const ws = await WebSocket.connect(`ws://127.0.0.1:${raw.port}/`, { perMessageDeflate: false, closeTimeoutMs: 200 });
      // A secret around the views: it must never reach the wire.
      const backing = Buffer.from('SECRET-SECRET-hello-SECRET-bye-SECRET-SECRET');
      const hello = backing.subarray(14, 19);
      const bye = backing.subarray(27, 30);
      ws.send(new Uint8Array(backing.buffer, backing.byteOffset + 14, 5));
      ws.send(new DataView(backing.buffer, backing.byteOffset + 14, 5));
      ws.send(new Uint16Array(backing.buffer.slice(backing.byteOffset + 14, backing.byteOffset + 18)));
      ws.ping(hello);
      ws.close(1000, bye);
      const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
      await waitFor(() => readFrames(Buffer.concat(got)).some((f) => f.opcode === 0x8));
      const frames = readFrames(Buffer.concat(got));
      expect(frames.map((f) => [f.opcode, f.payload.toString('latin1')])).toEqual([
        [0x2, 'hello'],
        [0x2, 'hello'],
        [0x2, 'hell'],
        [0x9, 'hello'],
        [0x8, '\x03\xe8bye'],
      ]);
      // Exact lengths on the wire: 2 header bytes + 4 mask bytes + payload.
      expect(frames.map((f) => f.raw.length)).toEqual([11, 11, 10, 11, 11]);
      expect(Buffer.concat(got).toString('latin1')).not.toContain('SECRET');
      for (const s of got) s.fill(0);
      for (const f of frames) expect(f.masked).toBe(true);
      ws.terminate();
      await closed;
    } finally {
      await raw.close();
    }
  });

  it('the server echoes a view-backed message with exactly its bytes and closes with a view reason exactly', async () => {
    const port = await start();
    wss!.removeAllListeners('connection');
    wss!.on('connection', (ws: ServerWebSocket) => {
      ws.on('message', () => {
        const pool = Buffer.from('PRIVATE-KEY-MATERIAL-ok-PRIVATE');
        ws.send(pool.subarray(21, 23));
        ws.close(1001, pool.subarray(21, 23));
      });
    });
    const c = await rawClient(port);
    c.socket.write(encodeFrame({ opcode: 0x1, payload: 'go', mask: MASK }));
    await waitFor(() => readFrames(c.received()).length === 2);
    c.socket.destroy();
    const frames = readFrames(c.received());
    expect(frames.map((f) => [...f.raw])).toEqual([
      [0x82, 0x02, 0x6f, 0x6b],
      [0x88, 0x04, 0x03, 0xe9, 0x6f, 0x6b],
    ]);
  });
});

describe('decompression bombs', () => {
  /** 64 MiB of zeros deflated (raw, with the RFC 7692 §7.2.1 tail removed): about 64 KiB on the wire. */
  function bomb(): Buffer {
    const z = deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    return z.subarray(0, z.length - 4); // drop 00 00 ff ff
  }

  it('our client stops inflating at maxMessageLength: 1009 WS_ERR_UNSUPPORTED_MESSAGE_LENGTH, memory bounded', async () => {
    const compressed = bomb();
    expect(compressed.length).toBeLessThan(128 * 1024);
    const got: Buffer[] = [];
    const raw = await rawServer(
      (socket) => {
        socket.on('data', (c: Buffer) => got.push(c));
        socket.write(encodeFrame({ opcode: 0x2, payload: compressed, rsv: RSV1 }));
      },
      () => ['Sec-WebSocket-Extensions: permessage-deflate'],
    );
    try {
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const ws = new WebSocket(`ws://127.0.0.1:${raw.port}/`, { closeTimeoutMs: 500, maxMessageLength: 1024 * 1024 });
      const w = watch(ws);
      const messages: unknown[] = [];
      ws.on('message', (m) => messages.push(m));
      expect(await w.closed).toBe(1009);
      expect(w.errors).toEqual(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH']);
      expect(messages).toEqual([]);
      expectClose(lastClose(readFrames(Buffer.concat(got))), 1009, REASON.inflated, true);
      // Inflating all 64 MiB would show; the cap stops it near 1 MiB.
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * 1024 * 1024);
    } finally {
      await raw.close();
    }
  });

  it('our server with perMessageDeflate stops inflating at maxMessageLength: 1009', async () => {
    const port = await start({ perMessageDeflate: true, maxMessageLength: 1024 * 1024 });
    const compressed = bomb();
    const c = await rawClient(port, '/', { 'Sec-WebSocket-Extensions': 'permessage-deflate' });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    c.socket.write(encodeFrame({ opcode: 0x2, payload: compressed, rsv: RSV1, mask: MASK }));
    await c.closed;
    expectClose(lastClose(readFrames(c.received())), 1009, REASON.inflated, false);
    await waitFor(() => serverCloses.length === 1);
    expect(serverErrors).toEqual(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH']);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * 1024 * 1024);
  });
});
