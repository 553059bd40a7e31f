import { afterEach, describe, expect, it } from 'vitest';
import { openClient, reconnectStrategy, StatusTracker } from './connection.ts';
import type { RedisAdapterStatus } from './connection.ts';
import { resolveRedisAdapterOptions } from './options.ts';
import { RedisServer } from '@rfc6455/testing';

describe('the adapter connections', () => {
  const stops: Array<() => unknown> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it('reconnects at once, then backs off doubling to its bound, and never gives up', () => {
    const next = reconnectStrategy(1000);
    expect([0, 1, 2, 3, 5, 6, 100, 10_000].map((n) => next(n))).toEqual([25, 50, 100, 200, 800, 1000, 1000, 1000]);
  });

  it('the writer fails at once while Redis is away (no offline queue); the status follows both connections', async () => {
    const redis = await RedisServer.start();
    stops.push(() => redis.stop());
    const options = resolveRedisAdapterOptions({ url: redis.url, maxReconnectDelayMs: 50 });
    const writer = openClient(options, true);
    const reader = openClient(options, false);
    const statuses: RedisAdapterStatus[] = [];
    const errors: Error[] = [];
    const tracker = new StatusTracker([writer, reader], (s) => statuses.push(s), (e) => errors.push(e));
    stops.push(() => {
      writer.destroy();
      reader.destroy();
    });
    expect(tracker.status).toBe('connecting');
    await Promise.all([writer.connect(), reader.connect()]);
    tracker.update();
    expect(tracker.status).toBe('ready');
    await redis.kill();
    // events.once would reject on the 'error' node-redis emits first.
    await new Promise((resolve) => writer.once('reconnecting', resolve));
    expect(tracker.status).toBe('reconnecting');
    await expect(writer.sendCommand(['PING'])).rejects.toThrow(/offline|closed|queue/i);
    await redis.restart();
    const ready = (c: typeof writer): Promise<void> => new Promise((resolve) => (c.isReady ? resolve() : c.once('ready', () => resolve())));
    await ready(writer);
    await ready(reader);
    tracker.update();
    expect(tracker.status).toBe('ready');
    expect(statuses).toEqual(['ready', 'reconnecting', 'ready']);
    expect(errors.length).toBeGreaterThan(0);
    tracker.close();
    expect(tracker.status).toBe('closed');
  });
});
