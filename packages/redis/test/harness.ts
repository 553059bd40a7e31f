/**
 * The adapter tests' harness: WebSocketServers on loopback, each with its own Redis adapter (a
 * node), clients of @rfc6455/client on each, and everything closed after each test. A client
 * subscribes with `?topics=a,b` on its URL and can send `unsub:<topic>` (answered
 * `unsubscribed:<topic>`) and `sub:<topic>` (answered `subscribed:<topic>`).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { WebSocketServer } from '@rfc6455/server';
import { createRedisAdapter } from '../src/lib/redis-adapter.ts';
import { handleTopics } from './topics.ts';
import type { RedisAdapter } from '../src/lib/redis-adapter.ts';
import type { RedisAdapterOptions } from '../src/lib/options.ts';

/** One server with its adapter. */
export interface TestNode {
  readonly wss: WebSocketServer;
  readonly adapter: RedisAdapter;
  readonly url: string;
}

/** Register cleanup after each test; returns `node()` and `dial()`. */
export function adapterHarness() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function node(options: RedisAdapterOptions): Promise<TestNode> {
    const adapter = createRedisAdapter(options);
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, adapter });
    cleanups.push(() => wss.shutdown({ timeoutMs: 200 }));
    handleTopics(wss);
    await once(wss, 'listening');
    await adapter.ready();
    return { wss, adapter, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` };
  }

  /** A client of `node` subscribed to `topics`; resolves once the node's adapter has subscribed in Redis. */
  async function dial(target: TestNode, topics: readonly string[] = []): Promise<Received> {
    const ws = new WebSocket(`${target.url}/?topics=${topics.map(encodeURIComponent).join(',')}`);
    cleanups.push(() => ws.terminate());
    const received = new Received(ws);
    await once(ws, 'open');
    // The server subscribes on 'connection', which may come after the client's 'open': a
    // round trip through the connection's own message handler makes sure it has.
    ws.send('hello');
    await received.until((m) => m.includes('hello'));
    received.messages.length = 0;
    await target.adapter.synced();
    return received;
  }

  return { cleanups, node, dial };
}

/** Everything one client received, in order. */
export class Received {
  readonly ws: WebSocket;
  readonly messages: string[] = [];
  readonly binary: Buffer[] = [];
  #waiters: Array<() => void> = [];

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.binary.push(Buffer.from(data as Buffer));
      else this.messages.push(String(data));
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Resolves once `check(messages)` holds. */
  async until(check: (messages: string[]) => boolean): Promise<void> {
    while (!check(this.messages)) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once `count` text messages arrived. */
  count(count: number): Promise<void> {
    return this.until((m) => m.length >= count);
  }

  /** Resolves once `count` binary messages arrived. */
  async binaryCount(count: number): Promise<void> {
    while (this.binary.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

/** Resolve once `check()` holds, polling every 10 ms (for state that emits no event, such as Redis's own). */
export async function until(check: () => boolean | Promise<boolean>, what = 'a condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
