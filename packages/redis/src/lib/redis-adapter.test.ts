import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@rfc6455/codes';
import type { ServerWebSocket } from '@rfc6455/server';
import { createRedisAdapter } from './redis-adapter.ts';
import type { MissedMessages } from './redis-adapter.ts';
import type { RedisAdapterStatus } from './connection.ts';
import { adapterHarness, until } from '../../test/harness.ts';
import { rawCommand, RedisServer } from '@rfc6455/testing';

/** The channels Redis has subscribers for, sorted (PUBSUB CHANNELS, read off the raw reply). */
async function channels(port: number): Promise<string[]> {
  const reply = await rawCommand(port, 'PUBSUB CHANNELS', (r) => {
    const count = Number(/^\*(\d+)/.exec(r)?.[1] ?? NaN);
    return !Number.isNaN(count) && r.split('\r\n').length >= 2 + count * 2;
  });
  return reply
    .split('\r\n')
    .filter((line, i) => i > 0 && !line.startsWith('$') && line !== '')
    .sort();
}

describe('createRedisAdapter, pub/sub mode, over a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });
  const { node, dial } = adapterHarness();

  it('a publish on one node reaches the subscribers of every node once, and nobody else', async () => {
    const a = await node({ url: redis.url });
    const b = await node({ url: redis.url });
    const onA = await dial(a, ['news']);
    const onB = await dial(b, ['news']);
    const otherB = await dial(b, ['sport']);
    expect(a.wss.publish('news', 'hello')).toBe(1);
    expect(b.wss.publish('news', 'from b')).toBe(1);
    await onA.count(2);
    await onB.count(2);
    // A message of sport's after news's is in order behind it: when it arrives, news would have too.
    a.wss.publish('sport', 'goal');
    await otherB.count(1);
    // Each node delivers its own publish at once, the other's when Redis brings it.
    expect(onA.messages).toEqual(['hello', 'from b']);
    expect(onB.messages).toEqual(['from b', 'hello']);
    expect(otherB.messages).toEqual(['goal']);
    expect(a.adapter.stats.forwarded).toBe(2);
    expect(b.adapter.stats.received).toBe(2);
  });

  it('a node subscribes in Redis only to the topics its connections want, and unsubscribes when the last one leaves', async () => {
    const a = await node({ url: redis.url, channelPrefix: 'only:' });
    const onA = await dial(a, ['x', 'ünïcödé 🎉']);
    await dial(a, ['x']);
    expect(await channels(redis.port)).toEqual(expect.arrayContaining(['only:b', 'only:t:x', 'only:t:ünïcödé 🎉']));
    onA.ws.send('unsub:x');
    await onA.until((m) => m.includes('unsubscribed:x'));
    await a.adapter.synced();
    // Another connection still wants x.
    expect((await channels(redis.port)).filter((c) => c.startsWith('only:'))).toEqual(['only:b', 'only:t:x', 'only:t:ünïcödé 🎉']);
    onA.ws.send('unsub:ünïcödé 🎉');
    await onA.until((m) => m.includes('unsubscribed:ünïcödé 🎉'));
    await a.adapter.synced();
    expect((await channels(redis.port)).filter((c) => c.startsWith('only:'))).toEqual(['only:b', 'only:t:x']);
  });

  it('unsubscribe stops delivery on every node', async () => {
    const a = await node({ url: redis.url });
    const b = await node({ url: redis.url });
    const onB = await dial(b, ['t']);
    const stays = await dial(b, ['u']);
    a.wss.publish('t', 'one');
    await onB.count(1);
    onB.ws.send('unsub:t');
    await onB.until((m) => m.includes('unsubscribed:t'));
    await b.adapter.synced();
    a.wss.publish('t', 'two');
    a.wss.publish('u', 'marker');
    await stays.count(1);
    expect(onB.messages).toEqual(['one', 'unsubscribed:t']);
  });

  it('broadcast reaches every connection of every node; binary stays binary, byte for byte', async () => {
    const a = await node({ url: redis.url });
    const b = await node({ url: redis.url });
    const c = await node({ url: redis.url });
    const clients = [await dial(a), await dial(b), await dial(c)];
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]);
    expect(b.wss.broadcast(bytes)).toBe(1);
    c.wss.broadcast('text 🎉');
    for (const client of clients) await client.binaryCount(1);
    for (const client of clients) await client.count(1);
    for (const client of clients) {
      expect(client.binary).toEqual([bytes]);
      expect(client.messages).toEqual(['text 🎉']);
    }
  });

  it('messages of one publisher arrive in publish order, each exactly once', async () => {
    const a = await node({ url: redis.url });
    const b = await node({ url: redis.url });
    const onB = await dial(b, ['seq']);
    const onA = await dial(a, ['seq']);
    const sent = Array.from({ length: 300 }, (_, i) => `m${i}`);
    for (const m of sent) a.wss.publish('seq', m);
    await onB.count(sent.length);
    await onA.count(sent.length);
    expect(onB.messages).toEqual(sent);
    expect(onA.messages).toEqual(sent);
  });

  it('a message over maxMessageBytes is a RangeError from publish, and nobody gets it', async () => {
    const a = await node({ url: redis.url, maxMessageBytes: 100 });
    const b = await node({ url: redis.url });
    const onA = await dial(a, ['big']);
    const onB = await dial(b, ['big']);
    expect(() => a.wss.publish('big', 'x'.repeat(68))).toThrow(RangeError);
    expect(() => a.wss.publish('big', 'x'.repeat(68))).toThrow(/101 bytes .* over the adapter's maxMessageBytes of 100/);
    await expect(a.wss.publishAsync('big', 'x'.repeat(68))).rejects.toThrow(RangeError);
    // 30 bytes of header and 3 of topic: 67 fit.
    a.wss.publish('big', 'y'.repeat(67));
    await onB.count(1);
    expect(onB.messages).toEqual(['y'.repeat(67)]);
    expect(onA.messages).toEqual(['y'.repeat(67)]);
  });

  it('a topic with no UTF-8 form is a TypeError at subscribe and publish', async () => {
    const a = await node({ url: redis.url });
    const [ws] = (await Promise.all([once(a.wss, 'connection'), dial(a)]))[0] as [ServerWebSocket];
    expect(() => ws.subscribe('bad\uD800')).toThrow(TypeError);
    expect(ws.topics).toEqual([]);
    expect(() => a.wss.publish('bad\uDC00x', 'x')).toThrow(/lone surrogate/);
  });

  it('a message in another format is dropped and reported, and delivery goes on', async () => {
    const a = await node({ url: redis.url, channelPrefix: 'fmt:' });
    const onA = await dial(a, ['t']);
    const invalid = once(a.adapter, 'invalidMessage');
    await rawCommand(redis.port, 'PUBLISH fmt:t:t not-ours');
    const [error] = (await invalid) as [Error & { code: string }];
    expect(error.code).toBe(ErrorCode.InvalidAdapterMessage);
    expect(a.adapter.stats.invalidMessages).toBe(1);
    const b = await node({ url: redis.url, channelPrefix: 'fmt:' });
    b.wss.publish('t', 'still fine');
    await onA.count(1);
    expect(onA.messages).toEqual(['still fine']);
  });

  it('Redis killed and restarted mid-traffic: the lost forwards are reported, the gap too, then it is ready again by itself', async () => {
    const own = await RedisServer.start();
    try {
      const a = await node({ url: own.url, maxReconnectDelayMs: 100 });
      const b = await node({ url: own.url, maxReconnectDelayMs: 100 });
      const onA = await dial(a, ['live']);
      const onB = await dial(b, ['live']);
      const statuses: RedisAdapterStatus[] = [];
      b.adapter.on('status', (s) => statuses.push(s));
      const missed: MissedMessages[] = [];
      b.adapter.on('messagesMissed', (m) => missed.push(m));
      const forwardErrors: string[] = [];
      a.wss.on('forwardError', (err) => forwardErrors.push(err.code));
      a.adapter.on('connectionError', () => undefined);
      b.adapter.on('connectionError', () => undefined);

      a.wss.publish('live', 'before');
      await onB.count(1);
      await own.kill();
      await until(() => a.adapter.status === 'reconnecting' && b.adapter.status === 'reconnecting', 'both nodes to see Redis gone');
      // While Redis is away: this node's subscribers still get it; the other nodes do not, and that is said.
      expect(a.wss.publish('live', 'during')).toBe(1);
      await expect(a.wss.publishAsync('live', 'during, awaited')).rejects.toMatchObject({ code: ErrorCode.ForwardFailed });
      await until(() => forwardErrors.length === 1, 'the forwardError');
      expect(forwardErrors).toEqual([ErrorCode.ForwardFailed]);
      expect(a.wss.forwardFailures).toBe(2);
      expect(a.adapter.stats.forwardFailures).toBe(2);

      await own.restart();
      await a.adapter.ready();
      await b.adapter.ready();
      await until(() => missed.length === 1, 'the messagesMissed event');
      expect(missed[0]?.error.code).toBe(ErrorCode.MessagesMissed);
      expect(missed[0]?.count).toBeUndefined();
      expect(missed[0]?.upAtMs).toBeGreaterThanOrEqual(missed[0]?.downSinceMs ?? Infinity);
      expect(statuses).toEqual(['reconnecting', 'ready']);
      // Subscribed again by itself: no client did anything.
      await until(async () => (await channels(own.port)).includes('rfc6455:t:live'), 'the subscription again');
      a.wss.publish('live', 'after');
      await onB.count(2);
      expect(onB.messages).toEqual(['before', 'after']);
      expect(onA.messages).toEqual(['before', 'during', 'during, awaited', 'after']);
    } finally {
      await own.stop();
    }
  });

  it('Redis frozen (SIGSTOP): a publish fails within commandTimeoutMs and is reported; after it thaws, publishes go through again', async () => {
    const own = await RedisServer.start();
    try {
      const a = await node({ url: own.url, maxReconnectDelayMs: 50, commandTimeoutMs: 200 });
      const b = await node({ url: own.url, maxReconnectDelayMs: 50, commandTimeoutMs: 200 });
      for (const n of [a, b]) n.adapter.on('connectionError', () => undefined);
      const onB = await dial(b, ['f']);
      own.freeze();
      const started = Date.now();
      await expect(a.wss.publishAsync('f', 'frozen')).rejects.toMatchObject({ code: ErrorCode.ForwardFailed });
      expect(Date.now() - started).toBeLessThan(5000);
      own.thaw();
      await a.adapter.ready();
      await until(async () => {
        await a.wss.publishAsync('f', 'thawed').catch(() => undefined);
        return onB.messages.includes('thawed');
      }, 'a publish to go through again');
      // Redis may have read the frozen publish before it froze (the failure says "no answer", not
      // "not taken"): at most once, then.
      expect(onB.messages.filter((m) => m === 'frozen').length).toBeLessThanOrEqual(1);
      expect(a.wss.forwardFailures).toBeGreaterThanOrEqual(1);
    } finally {
      await own.stop();
    }
  });

  it('status and close: connecting, ready, closed; a forward after close rejects', async () => {
    const adapter = createRedisAdapter({ url: redis.url });
    expect(adapter.status).toBe('connecting');
    const a = await node({ url: redis.url });
    expect(a.adapter.status).toBe('ready');
    await a.wss.shutdown({ timeoutMs: 200 });
    expect(a.adapter.status).toBe('closed');
    await expect(adapter.close()).resolves.toBeUndefined();
    expect(adapter.status).toBe('closed');
  });
});
