import { afterEach, describe, expect, it } from 'vitest';
import { StatusTracker } from './connection.ts';
import { resolveRedisAdapterOptions } from './options.ts';
import { Writer } from './writer.ts';
import { RedisServer } from '@rfc6455/testing';

describe('Writer: the writing connection, replaced when it stops answering', () => {
  const stops: Array<() => unknown> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it('a write unanswered for commandTimeoutMs fails, the connection is replaced, and the new one writes once Redis answers', async () => {
    const redis = await RedisServer.start();
    stops.push(() => redis.stop());
    const options = resolveRedisAdapterOptions({ url: redis.url, commandTimeoutMs: 150, maxReconnectDelayMs: 50 });
    let readies = 0;
    const writer = new Writer(options, () => readies++, () => undefined);
    const statuses: string[] = [];
    const tracker = new StatusTracker([writer.client], (s) => statuses.push(s), () => undefined);
    writer.follow(tracker);
    stops.push(() => writer.close());
    writer.connect();
    await new Promise<void>((resolve) => (writer.isReady ? resolve() : writer.client.once('ready', () => resolve())));
    expect(await writer.send(['SET', 'k', '1'])).toBe('OK');
    const first = writer.client;

    redis.freeze();
    const started = Date.now();
    await expect(writer.send(['SET', 'k', '2'])).rejects.toThrow(/did not answer within commandTimeoutMs \(150 ms\); the connection was replaced/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(writer.replaced).toBe(1);
    expect(writer.client).not.toBe(first);
    redis.thaw();
    await new Promise<void>((resolve) => (writer.isReady ? resolve() : writer.client.once('ready', () => resolve())));
    expect(await writer.send(['GET', 'k'])).toBe('2');
    expect(readies).toBe(2);
    expect(statuses.at(-1)).toBe('ready');
  });
});
