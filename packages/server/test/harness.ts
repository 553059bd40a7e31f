/**
 * The server's test harness: servers on loopback and our client dialing them, everything closed
 * after each test, and waits for events instead of fixed sleeps.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { afterEach } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import type { WebSocketOptions } from '@rfc6455/client';
import { waitFor } from '@rfc6455/testing';
import type { ServerWebSocket } from '../src/lib/connection.ts';
import type { WebSocketServerOptions } from '../src/lib/options.ts';
import { WebSocketServer } from '../src/lib/websocket-server.ts';
import { portOf } from './raw.ts';

/** Options of a test server: everything but the mode, which is standalone on 127.0.0.1. */
export type TestServerOptions<C = undefined, S extends ServerWebSocket<C> = ServerWebSocket<C>> = Omit<
  WebSocketServerOptions<C, S>,
  'port' | 'server' | 'noServer'
>;

/**
 * Register the cleanup hook of a test file and return its helpers: `cleanups` (run in reverse
 * after each test), `listen` (a standalone server without heartbeat unless asked) and `dial`.
 */
export function serverHarness() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function listen<C = undefined, S extends ServerWebSocket<C> = ServerWebSocket<C>>(options: TestServerOptions<C, S> = {}) {
    const wss = new WebSocketServer<C, S>({ port: 0, host: '127.0.0.1', heartbeat: false, ...options });
    cleanups.push(() => wss.shutdown({ timeoutMs: 200 }));
    await once(wss, 'listening');
    const port = portOf(wss.address());
    return { wss, port, url: `ws://127.0.0.1:${port}` };
  }

  async function dial(url: string, protocolsOrOptions?: string[] | WebSocketOptions): Promise<WebSocket> {
    const ws = Array.isArray(protocolsOrOptions) ? new WebSocket(url, protocolsOrOptions) : new WebSocket(url, protocolsOrOptions);
    cleanups.push(() => ws.terminate());
    await once(ws, 'open');
    return ws;
  }

  return { cleanups, listen, dial };
}

/** The next message of `ws`: its data and whether it was binary. */
export function nextMessage(ws: WebSocket | ServerWebSocket): Promise<[Buffer, boolean]> {
  return once(ws, 'message') as Promise<[Buffer, boolean]>;
}

/** Echo every message back with its type. */
export function echo(ws: ServerWebSocket): void {
  ws.on('message', (data, isBinary) => {
    ws.send(data as Buffer, { binary: isBinary });
  });
}

/**
 * Resolve once `check()` holds: @rfc6455/testing's `waitFor`, given as long as a test may run
 * (vitest.shared.ts), so a slow machine fails only where the test itself would.
 */
export function until(check: () => boolean): Promise<void> {
  return waitFor(check, { timeoutMs: 20_000 });
}

/** The next `count` connections `wss` accepts, in order. */
export function connections<S>(wss: { on(event: 'connection', listener: (ws: S) => void): unknown }, count: number): Promise<S[]> {
  const accepted: S[] = [];
  return new Promise((resolve) => {
    wss.on('connection', (ws) => {
      accepted.push(ws);
      if (accepted.length === count) resolve(accepted);
    });
  });
}

/** Read a raw socket into one growing buffer. */
export function collect(socket: Socket): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  return { bytes: () => Buffer.concat(chunks) };
}

/** A masked client frame (payload ≤ 125 bytes), as a raw peer would send it. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const key = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (key[i & 3] as number)));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), key, masked]);
}

/** First bytes (FIN/RSV1/opcode) and payloads of the unmasked server frames read on a client socket. */
export function serverFrames(ws: WebSocket): Array<{ byte0: number; payload: Buffer }> {
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

/** RFC 7692 §7.2.2: put the 00 00 ff ff tail back and inflate a message compressed without context. */
export function inflate(payload: Buffer): string {
  return inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString();
}
