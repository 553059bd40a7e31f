/**
 * Test helpers: an echo server made with the package's own createServer on a loopback ephemeral
 * port, and a list of clean-ups run after each test.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from '@rfc6455/server';
import { createServer } from '../src/lib/create-server.ts';

const cleanups: Array<() => unknown> = [];

/** Run `fn` after the current test, last registered first. */
export function onCleanUp(fn: () => unknown): void {
  cleanups.push(fn);
}

/** For afterEach: run what {@link onCleanUp} registered. */
export async function cleanUp(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn();
}

/** `createServer({ port: 0, … })` echoing every message; closed after the test. */
export async function echoServer(options: Record<string, unknown> = {}): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = createServer({ port: 0, host: '127.0.0.1', heartbeat: false, ...options });
  onCleanUp(() => wss.shutdown({ timeoutMs: 1000 }));
  await once(wss, 'listening');
  wss.on('connection', (ws) => ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary })));
  const { port } = wss.address() as AddressInfo;
  return { wss, url: `ws://127.0.0.1:${port}/` };
}
