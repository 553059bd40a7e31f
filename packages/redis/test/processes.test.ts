/**
 * Separate server processes (test/process/node.ts), each with its own Redis adapter, one real
 * redis-server, and clients of @rfc6455/client on every process: what the issue asks of scale-out,
 * over real sockets and real processes. Every process is ended by its PID.
 */
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ErrorCode } from '@rfc6455/codes';
import { Received } from './harness.ts';
import { endAll, NodeProcess } from './process/node-process.ts';
import { RedisServer } from '@rfc6455/testing';

describe('server processes sharing topics through one redis-server', { timeout: 120_000 }, () => {
  let redis: RedisServer;
  const clients: WebSocket[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    await endAll();
  });
  afterAll(async () => {
    await redis.stop();
  });

  async function dial(node: NodeProcess, topics: readonly string[]): Promise<Received> {
    const ws = new WebSocket(`${node.url}/?topics=${topics.join(',')}`);
    clients.push(ws);
    const received = new Received(ws);
    await once(ws, 'open');
    ws.send('hello');
    await received.until((m) => m.includes('hello'));
    received.messages.length = 0;
    await node.ask({ cmd: 'synced' }, 'synced');
    return received;
  }

  it.each(['pubsub', 'streams'] as const)('%s: a publish from any of three processes reaches every subscriber once, in publish order per publisher; unsubscribe stops it on every process', async (mode) => {
    const streamKey = `procs:${mode}`;
    const nodes = await Promise.all([0, 1, 2].map(() => NodeProcess.start({ url: redis.url, mode, ...(mode === 'streams' ? { streamKey } : {}) })));
    const subscribers = [];
    for (const node of nodes) subscribers.push(await dial(node, ['room']), await dial(node, ['room']));
    const bystander = await dial(nodes[1]!, ['other']);
    await Promise.all(nodes.map((node, n) => node.ask({ cmd: 'publish', topic: 'room', prefix: `${n}:`, count: 100 }, 'published')));
    for (const s of subscribers) await s.count(300);
    for (const s of subscribers) {
      expect(s.messages).toHaveLength(300);
      for (const n of [0, 1, 2]) expect(s.messages.filter((m) => m.startsWith(`${n}:`))).toEqual(Array.from({ length: 100 }, (_, i) => `${n}:${i}`));
    }
    expect(bystander.messages).toEqual([]);

    // Both subscribers on process 2 leave: no process delivers 'room' there any more.
    for (const s of subscribers.slice(4)) {
      s.ws.send('unsub:room');
      await s.until((m) => m.includes('unsubscribed:room'));
    }
    await nodes[2]!.ask({ cmd: 'synced' }, 'synced');
    await nodes[0]!.ask({ cmd: 'publish', topic: 'room', prefix: 'after:', count: 1 }, 'published');
    await nodes[0]!.ask({ cmd: 'publish', topic: 'other', prefix: 'marker:', count: 1 }, 'published');
    await bystander.count(1);
    for (const s of subscribers.slice(0, 4)) await s.until((m) => m.includes('after:0'));
    for (const s of subscribers.slice(4)) expect(s.messages.filter((m) => m.startsWith('after:'))).toEqual([]);
  });

  it('a process SIGKILLed mid-traffic does not disturb the others', async () => {
    const nodes = await Promise.all([0, 1, 2].map(() => NodeProcess.start({ url: redis.url })));
    const onA = await dial(nodes[0]!, ['live']);
    const onB = await dial(nodes[1]!, ['live']);
    const onC = await dial(nodes[2]!, ['live']);
    nodes[0]!.send({ cmd: 'publish', topic: 'live', prefix: 'm', count: 400 });
    await onC.count(50);
    await nodes[2]!.kill();
    await nodes[0]!.next((e) => e.ev === 'published');
    await onA.count(400);
    await onB.count(400);
    const all = Array.from({ length: 400 }, (_, i) => `m${i}`);
    expect(onA.messages).toEqual(all);
    expect(onB.messages).toEqual(all);
    expect(onA.ws.readyState).toBe(WebSocket.OPEN);
    expect(onB.ws.readyState).toBe(WebSocket.OPEN);
    const stats = await nodes[0]!.ask({ cmd: 'stats' }, 'stats');
    expect(stats.forwardFailures).toBe(0);
  });

  it('streams: a process stopped (SIGSTOP) while the stream is trimmed past it reports exactly how many it missed, and whose', async () => {
    const options = { url: redis.url, mode: 'streams' as const, streamKey: 'procs:trim', maxStreamLength: 10 };
    const [a, b] = await Promise.all([NodeProcess.start(options), NodeProcess.start(options)]);
    const onB = await dial(b!, ['t']);
    await a!.ask({ cmd: 'publish', topic: 't', prefix: 'before', count: 1 }, 'published');
    await onB.count(1);
    b!.signal('SIGSTOP');
    try {
      // 1,000 entries trimmed to about 10 (whole macro nodes of 100): most are gone before b reads again.
      await a!.ask({ cmd: 'publish', topic: 't', prefix: 'm', count: 1000 }, 'published');
    } finally {
      b!.signal('SIGCONT');
    }
    await b!.next((e) => e.ev === 'missed');
    await onB.until((m) => m.at(-1) === 'm999');
    const missed = b!.events.filter((e) => e.ev === 'missed') as unknown as Array<{ publisher: string; count: number; sequences: [number, number]; code: string }>;
    const nodeIdOfA = a!.events.find((e) => e.ev === 'listening')?.nodeId;
    for (const m of missed) expect(m).toMatchObject({ code: ErrorCode.MessagesMissed, publisher: nodeIdOfA });
    const lost = missed.reduce((sum, m) => sum + m.count, 0);
    expect(lost).toBeGreaterThan(800);
    // Exactly: b delivered every message of a's that it does not report missed, in order, once.
    // (a's sequence numbers: 1 was 'before', so m<i> is number i + 2.)
    const missedIndexes = new Set(missed.flatMap((m) => Array.from({ length: m.count }, (_, k) => m.sequences[0] + k - 2)));
    expect(onB.messages.slice(1)).toEqual(Array.from({ length: 1000 }, (_, i) => i).filter((i) => !missedIndexes.has(i)).map((i) => `m${i}`));
  });
});
