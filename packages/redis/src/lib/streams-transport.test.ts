import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@rfc6455/codes';
import type { MissedMessages } from './redis-adapter.ts';
import { adapterHarness, until } from '../../test/harness.ts';
import { encodeMessage } from './message-codec.ts';
import { rawCommand, respCommand, RedisServer } from '@rfc6455/testing';

/** XLEN of `key`. */
async function streamLength(port: number, key: string): Promise<number> {
  return Number(/^:(\d+)/.exec(await rawCommand(port, `XLEN ${key}`))?.[1]);
}

describe('streams mode (XADD MAXLEN ~ / XREAD BLOCK) over a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });
  const { node, dial } = adapterHarness();

  it('publishes and broadcasts of three nodes reach every subscriber once, in publish order per publisher', async () => {
    const options = { url: redis.url, mode: 'streams' as const, streamKey: 's:order' };
    const nodes = [await node(options), await node(options), await node(options)];
    const clients = [await dial(nodes[0]!, ['t']), await dial(nodes[1]!, ['t']), await dial(nodes[2]!, ['t']), await dial(nodes[2]!, ['other'])];
    for (let i = 0; i < 50; i++) for (const [n, server] of nodes.entries()) server.wss.publish('t', `${n}:${i}`);
    nodes[1]!.wss.broadcast(Buffer.from([1, 2, 3]));
    for (const client of clients.slice(0, 3)) await client.count(150);
    for (const client of clients) await client.binaryCount(1);
    for (const client of clients.slice(0, 3)) {
      expect(client.messages).toHaveLength(150);
      for (const n of [0, 1, 2]) expect(client.messages.filter((m) => m.startsWith(`${n}:`))).toEqual(Array.from({ length: 50 }, (_, i) => `${n}:${i}`));
    }
    expect(clients[3]!.messages).toEqual([]);
    expect(clients[3]!.binary).toEqual([Buffer.from([1, 2, 3])]);
    expect(nodes[0]!.adapter.stats.forwarded).toBe(50);
    expect(await streamLength(redis.port, 's:order')).toBe(151);
  });

  it('the stream stays near maxStreamLength', async () => {
    const a = await node({ url: redis.url, mode: 'streams', streamKey: 's:trim', maxStreamLength: 10 });
    for (let i = 0; i < 500; i++) await a.wss.publishAsync('x', `m${i}`);
    // MAXLEN ~ trims whole macro nodes (100 entries each by default), so "about" 10.
    expect(await streamLength(redis.port, 's:trim')).toBeLessThanOrEqual(110);
  });

  it('Redis killed and restarted mid-traffic (with its stream kept): nothing is lost, nothing is doubled', async () => {
    const own = await RedisServer.start({ persist: true });
    try {
      const options = { url: own.url, mode: 'streams' as const, maxReconnectDelayMs: 50 };
      const a = await node(options);
      const b = await node(options);
      for (const n of [a, b]) n.adapter.on('connectionError', () => undefined);
      const missed: MissedMessages[] = [];
      b.adapter.on('messagesMissed', (m) => missed.push(m));
      const onB = await dial(b, ['live']);
      const statuses: string[] = [];
      a.adapter.on('status', (status) => statuses.push(status));
      const sent: string[] = [];
      const forwarded: Array<Promise<number>> = [];
      let restarted = false;
      let answeredWhileAway = 0;
      // Bounded: 300 publishes, Redis killed after the 100th and restarted after the 200th.
      for (let i = 0; i < 300; i++) {
        sent.push(`m${i}`);
        const forward = a.wss.publishAsync('live', `m${i}`);
        if (i > 100 && i <= 200) void forward.then(() => (answeredWhileAway += restarted ? 0 : 1));
        forwarded.push(forward);
        if (i === 100) await own.kill();
        if (i === 200) {
          restarted = true;
          await own.restart();
        }
        if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(forwarded);
      // The hundred published while Redis was away waited for it, and were written once it was back.
      expect(answeredWhileAway).toBe(0);
      await a.adapter.ready();
      // (A connection made while Redis is still loading its file may drop once more: it ends ready.)
      expect(statuses[0]).toBe('reconnecting');
      expect(statuses.at(-1)).toBe('ready');
      await onB.count(300);
      expect(onB.messages).toEqual(sent);
      expect(missed).toEqual([]);
      expect(a.adapter.stats.forwardFailures).toBe(0);
      expect(a.wss.forwardFailures).toBe(0);
    } finally {
      await own.stop();
    }
  });

  it('Redis frozen (SIGSTOP) mid-traffic: publishes wait, the silent connections are replaced, and nothing is lost once it thaws', async () => {
    const own = await RedisServer.start();
    try {
      const options = { url: own.url, mode: 'streams' as const, maxReconnectDelayMs: 50, commandTimeoutMs: 200 };
      const a = await node(options);
      const b = await node(options);
      for (const n of [a, b]) n.adapter.on('connectionError', () => undefined);
      const onB = await dial(b, ['t']);
      await a.wss.publishAsync('t', 'before');
      await onB.count(1);
      own.freeze();
      const during = Array.from({ length: 20 }, (_, i) => a.wss.publishAsync('t', `m${i}`));
      // Longer than commandTimeoutMs: the writer's connection is taken for dead and replaced.
      await new Promise((resolve) => setTimeout(resolve, 600));
      own.thaw();
      await Promise.all(during);
      await onB.count(21);
      expect(onB.messages).toEqual(['before', ...Array.from({ length: 20 }, (_, i) => `m${i}`)]);
      expect(a.wss.forwardFailures).toBe(0);
    } finally {
      await own.stop();
    }
  });

  it('while Redis is away, publishes wait up to maxPendingMessages; past it, and at close, they fail and are counted', async () => {
    const own = await RedisServer.start();
    try {
      const a = await node({ url: own.url, mode: 'streams', maxPendingMessages: 3, maxReconnectDelayMs: 50 });
      a.adapter.on('connectionError', () => undefined);
      await own.kill();
      await until(() => a.adapter.status === 'reconnecting', 'the adapter to see Redis gone');
      const waiting = [1, 2, 3].map((i) => a.wss.publishAsync('t', `w${i}`));
      await expect(a.wss.publishAsync('t', 'one too many')).rejects.toMatchObject({
        code: ErrorCode.ForwardFailed,
        message: expect.stringMatching(/3 publishes are waiting for Redis already \(maxPendingMessages 3\)/),
      });
      const outcomes = Promise.all(waiting.map((w) => w.then(() => undefined, (err: unknown) => err)));
      await a.wss.shutdown({ timeoutMs: 200 });
      for (const outcome of await outcomes) expect(outcome).toMatchObject({ code: ErrorCode.ForwardFailed, message: expect.stringMatching(/closed before Redis took the message/) });
      expect(a.adapter.stats.forwardFailures).toBe(4);
      expect(a.wss.forwardFailures).toBe(4);
    } finally {
      await own.stop();
    }
  });

  it('entries a node never read (trimmed, or lost with Redis) are reported as missed: how many, whose, which', async () => {
    const b = await node({ url: redis.url, mode: 'streams', streamKey: 's:gap' });
    const missed: MissedMessages[] = [];
    b.adapter.on('messagesMissed', (m) => missed.push(m));
    const onB = await dial(b, ['t']);
    // Another node's entries, written straight into the stream: numbers 1 and 2, then 6 (3 to 5
    // are what a trim would have taken before b read them), then 6 again (a retried XADD).
    const publisher = Buffer.from('ab'.repeat(16), 'hex');
    const entry = (sequence: number): Buffer => encodeMessage({ topic: 't', data: Buffer.from(`n${sequence}`), binary: false }, Buffer.from('t'), publisher, sequence);
    for (const sequence of [1, 2, 6, 6, 7]) expect(await respCommand(redis.port, ['XADD', 's:gap', '*', 'm', entry(sequence)])).toMatch(/^\$\d+$/);
    await onB.count(4);
    expect(onB.messages).toEqual(['n1', 'n2', 'n6', 'n7']);
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ count: 3, publisher: 'ab'.repeat(16), sequences: [3, 5], downSinceMs: undefined });
    expect(missed[0]?.error.code).toBe(ErrorCode.MessagesMissed);
    expect(missed[0]?.error.message).toMatch(/missed 3 messages of node abab.* \(its numbers 3–5\)/);
    expect(b.adapter.stats).toMatchObject({ missed: 3, duplicates: 1, received: 4, delivered: 4 });
  });
});
