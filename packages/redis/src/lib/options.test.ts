import { describe, expect, it } from 'vitest';
import { createClient } from '@redis/client';
import { REDIS_ADAPTER_DEFAULTS, resolveRedisAdapterOptions } from './options.ts';
import type { RedisAdapterOptions } from './options.ts';

const url = 'redis://127.0.0.1:6379';

describe('createRedisAdapter options', () => {
  it('fills in the defaults', () => {
    expect(resolveRedisAdapterOptions({ url })).toEqual({
      connection: { kind: 'url', url },
      mode: 'pubsub',
      channelPrefix: 'rfc6455:',
      maxMessageBytes: 1024 * 1024,
      maxReconnectDelayMs: 1000,
      commandTimeoutMs: 5000,
      streamKey: 'rfc6455:stream',
      maxStreamLength: 10_000,
      readCount: 100,
      maxPendingMessages: 1000,
    });
    expect(REDIS_ADAPTER_DEFAULTS.mode).toBe('pubsub');
    expect(resolveRedisAdapterOptions({ rootNodes: [url] }).mode).toBe('sharded');
    expect(resolveRedisAdapterOptions({ url, mode: 'streams', channelPrefix: 'app:' }).streamKey).toBe('app:stream');
  });

  it('takes a node-redis client to copy, and never a second connection option', () => {
    const client = createClient({ url });
    expect(resolveRedisAdapterOptions({ client }).connection).toEqual({ kind: 'client', client });
    expect(() => resolveRedisAdapterOptions({ client, url })).toThrow(/exactly one of url, client, rootNodes or cluster, not url and client/);
    expect(() => resolveRedisAdapterOptions({})).toThrow(/exactly one of url, client, rootNodes or cluster\.$/);
    expect(() => resolveRedisAdapterOptions({ client: {} as never })).toThrow(/client must be a node-redis client/);
  });

  it.each<[string, RedisAdapterOptions, RegExp]>([
    ['an unknown key, with the name it misspells', { url, chanelPrefix: 'x' } as RedisAdapterOptions, /unknown option "chanelPrefix"; did you mean "channelPrefix"\?/],
    ["socket.io's name", { url, key: 'x' } as RedisAdapterOptions, /unknown option "key"; use channelPrefix/],
    ['host/port instead of a URL', { host: 'h' } as RedisAdapterOptions, /unknown option "host"; pass url/],
    ['a URL of another scheme', { url: 'http://x' }, /url must be a redis:\/\/ or rediss:\/\/ URL/],
    ['an unknown mode', { url, mode: 'queue' as never }, /mode must be 'pubsub', 'sharded' or 'streams'/],
    ['sharded without a cluster', { url, mode: 'sharded' }, /needs a Redis Cluster/],
    ['a cluster with pubsub', { rootNodes: [url], mode: 'pubsub' }, /use mode 'sharded'/],
    ['empty rootNodes', { rootNodes: [] }, /rootNodes must be a non-empty array/],
    ['a streams option in pubsub mode', { url, maxStreamLength: 5 }, /maxStreamLength only apply to mode 'streams'/],
    ['maxReconnectDelayMs with a client', { client: createClient(), maxReconnectDelayMs: 5 }, /maxReconnectDelayMs applies to url and rootNodes/],
    ['a non-string prefix', { url, channelPrefix: 1 as never }, /channelPrefix must be a string/],
  ])('throws a TypeError for %s', (_what, options, message) => {
    expect(() => resolveRedisAdapterOptions(options)).toThrow(TypeError);
    expect(() => resolveRedisAdapterOptions(options)).toThrow(message);
  });

  it.each(['maxMessageBytes', 'maxStreamLength', 'readCount', 'maxPendingMessages', 'maxReconnectDelayMs', 'commandTimeoutMs'] as const)('throws a RangeError for a %s that is not a positive integer', (name) => {
    for (const value of [0, -1, 1.5, Number.NaN]) {
      expect(() => resolveRedisAdapterOptions({ url, mode: 'streams', [name]: value })).toThrow(RangeError);
    }
    expect(() => resolveRedisAdapterOptions({ url, mode: 'streams', [name]: 0 })).toThrow(`${name} must be a positive integer, got 0`);
  });

  it('refuses something that is not an object', () => {
    expect(() => resolveRedisAdapterOptions(null as never)).toThrow(/options must be an object/);
  });
});
