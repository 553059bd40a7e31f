/**
 * `createRedisAdapter`'s options: what each means, its default, and the checks that make a wrong
 * one fail at once (an unknown key, a mode without the connection it needs, a limit that is not a
 * positive integer) instead of at the first publish.
 */
import { checkOptionKeys } from '@rfc6455/codes';
import type { RedisClientType, RedisClusterType } from '@redis/client';

/**
 * What the adapter needs of a node-redis client or cluster client it is given: `duplicate()`,
 * whatever modules, scripts or RESP version it was made with.
 */
export interface Duplicable {
  duplicate(overrides?: object): unknown;
}

/**
 * How messages cross Redis:
 * - `'pubsub'`: PUBLISH/SUBSCRIBE on one Redis, one channel per topic (a node subscribes only to
 *   the topics its connections want) and one for broadcasts. At most once across nodes.
 * - `'sharded'`: SPUBLISH/SSUBSCRIBE on a Redis Cluster (Redis ≥ 7): each topic's channel lives on
 *   the shard that owns its slot, so cluster traffic grows with the shards, not with every node.
 * - `'streams'`: XADD to one stream capped at `maxStreamLength` entries, XREAD by every node; a
 *   node that lost Redis resumes after the last entry it delivered.
 */
export type RedisAdapterMode = 'pubsub' | 'sharded' | 'streams';

/** The options of {@link createRedisAdapter}; exactly one of `url`, `client`, `rootNodes`, `cluster`. */
export interface RedisAdapterOptions {
  /** `redis[s]://[[user][:password]@]host[:port][/db]` of one Redis (modes `pubsub` and `streams`). */
  url?: string;
  /**
   * A node-redis client to copy the connection settings of (URL, credentials, TLS, reconnect
   * strategy): the adapter opens its own connections with `client.duplicate()` and never uses,
   * connects or closes this one.
   */
  client?: Duplicable;
  /** The URLs of some nodes of a Redis Cluster (mode `sharded`). */
  rootNodes?: readonly string[];
  /** A node-redis cluster client to copy the settings of with `duplicate()` (mode `sharded`); never used itself. */
  cluster?: Duplicable;
  /** How messages cross Redis (default `'pubsub'`, or `'sharded'` with `rootNodes`/`cluster`). */
  mode?: RedisAdapterMode;
  /** Prefix of every channel and of the stream's key (default `'rfc6455:'`), so several applications can share a Redis. */
  channelPrefix?: string;
  /** Largest encoded message (payload + topic + 30 bytes of header) handed to Redis, in bytes (default 1 MiB); larger → `RangeError` from publish. */
  maxMessageBytes?: number;
  /**
   * How long a publish waits for Redis's answer, in ms (default 5000). Past it the publish fails
   * (pub/sub) or waits to be written again (streams), and a one-Redis connection that stopped
   * answering is replaced: a frozen Redis, or a connection whose end was never seen, is not waited
   * on forever.
   */
  commandTimeoutMs?: number;
  /** Longest delay between two reconnection attempts, in ms, for a `url` or `rootNodes` connection (default 1000; a `client`'s own strategy applies to its copies). */
  maxReconnectDelayMs?: number;
  /** Streams: the stream's key (default `${channelPrefix}stream`). */
  streamKey?: string;
  /** Streams: the stream is trimmed to about this many entries (`XADD MAXLEN ~`; default 10,000). A node away longer than that misses entries, and is told. */
  maxStreamLength?: number;
  /** Streams: most entries one XREAD returns (default 100). */
  readCount?: number;
  /** Streams: publishes waiting to be written while Redis is away, at most (default 1,000); past it a publish fails (`WS_ERR_FORWARD_FAILED`). */
  maxPendingMessages?: number;
}

/** The defaults of {@link RedisAdapterOptions}. */
export const REDIS_ADAPTER_DEFAULTS = {
  mode: 'pubsub',
  channelPrefix: 'rfc6455:',
  maxMessageBytes: 1024 * 1024,
  maxReconnectDelayMs: 1000,
  commandTimeoutMs: 5000,
  maxStreamLength: 10_000,
  readCount: 100,
  maxPendingMessages: 1000,
} as const;

/** Options after defaults and checks. */
export interface ResolvedRedisAdapterOptions {
  readonly connection:
    | { readonly kind: 'url'; readonly url: string }
    | { readonly kind: 'client'; readonly client: RedisClientType }
    | { readonly kind: 'rootNodes'; readonly rootNodes: readonly string[] }
    | { readonly kind: 'cluster'; readonly cluster: RedisClusterType };
  readonly mode: RedisAdapterMode;
  readonly channelPrefix: string;
  readonly maxMessageBytes: number;
  readonly maxReconnectDelayMs: number;
  readonly commandTimeoutMs: number;
  readonly streamKey: string;
  readonly maxStreamLength: number;
  readonly readCount: number;
  readonly maxPendingMessages: number;
}

const WHERE = 'createRedisAdapter';
const NAMES: ReadonlySet<string> = new Set([
  'url',
  'client',
  'rootNodes',
  'cluster',
  'mode',
  'channelPrefix',
  'maxMessageBytes',
  'maxReconnectDelayMs',
  'commandTimeoutMs',
  'streamKey',
  'maxStreamLength',
  'readCount',
  'maxPendingMessages',
]);
const HINTS = {
  host: 'pass url: "redis://host:port"',
  port: 'pass url: "redis://host:port"',
  key: 'use channelPrefix (socket.io redis-adapter calls it key)',
  requestsTimeout: 'this adapter makes no cross-node requests',
  maxLen: 'use maxStreamLength',
  streamName: 'use streamKey',
  pubClient: 'pass client (the adapter duplicates it for publishing and subscribing)',
  subClient: 'pass client (the adapter duplicates it for publishing and subscribing)',
};
const MODES: readonly string[] = ['pubsub', 'sharded', 'streams'];

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${WHERE}: ${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

/**
 * Check `options` and fill in the defaults.
 *
 * @throws {TypeError} for an unknown key, a wrong type, no connection or two, or a mode the connection cannot carry.
 * @throws {RangeError} for a limit that is not a positive integer.
 */
export function resolveRedisAdapterOptions(options: RedisAdapterOptions): ResolvedRedisAdapterOptions {
  if (options === null || typeof options !== 'object') throw new TypeError(`${WHERE}(options): options must be an object such as { url: "redis://127.0.0.1:6379" }.`);
  checkOptionKeys(WHERE, options, NAMES, HINTS);
  const given = (['url', 'client', 'rootNodes', 'cluster'] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    throw new TypeError(`${WHERE}: pass exactly one of url, client, rootNodes or cluster${given.length === 0 ? '' : `, not ${given.join(' and ')}`}.`);
  }
  let connection: ResolvedRedisAdapterOptions['connection'];
  if (options.url !== undefined) {
    if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) throw new TypeError(`${WHERE}: url must be a redis:// or rediss:// URL, got ${String(options.url)}.`);
    connection = { kind: 'url', url: options.url };
  } else if (options.client !== undefined) {
    if (typeof (options.client as { duplicate?: unknown }).duplicate !== 'function') throw new TypeError(`${WHERE}: client must be a node-redis client (createClient() of redis or @redis/client).`);
    connection = { kind: 'client', client: options.client as RedisClientType };
  } else if (options.rootNodes !== undefined) {
    if (!Array.isArray(options.rootNodes) || options.rootNodes.length === 0 || !options.rootNodes.every((u) => typeof u === 'string' && /^rediss?:\/\//.test(u))) {
      throw new TypeError(`${WHERE}: rootNodes must be a non-empty array of redis:// URLs.`);
    }
    connection = { kind: 'rootNodes', rootNodes: [...options.rootNodes] };
  } else {
    if (typeof (options.cluster as { duplicate?: unknown }).duplicate !== 'function') throw new TypeError(`${WHERE}: cluster must be a node-redis cluster client (createCluster()).`);
    connection = { kind: 'cluster', cluster: options.cluster as RedisClusterType };
  }
  const isCluster = connection.kind === 'rootNodes' || connection.kind === 'cluster';
  const mode = options.mode ?? (isCluster ? 'sharded' : REDIS_ADAPTER_DEFAULTS.mode);
  if (!MODES.includes(mode)) throw new TypeError(`${WHERE}: mode must be 'pubsub', 'sharded' or 'streams', got ${String(mode)}.`);
  if (mode === 'sharded' && !isCluster) throw new TypeError(`${WHERE}: mode 'sharded' (SPUBLISH/SSUBSCRIBE) needs a Redis Cluster: pass rootNodes or cluster, or use mode 'pubsub' with one Redis.`);
  if (mode !== 'sharded' && isCluster) throw new TypeError(`${WHERE}: with a Redis Cluster (rootNodes or cluster) use mode 'sharded'; modes 'pubsub' and 'streams' need one Redis (url or client).`);
  const channelPrefix = options.channelPrefix ?? REDIS_ADAPTER_DEFAULTS.channelPrefix;
  if (typeof channelPrefix !== 'string') throw new TypeError(`${WHERE}: channelPrefix must be a string.`);
  const streamKey = options.streamKey ?? `${channelPrefix}stream`;
  if (typeof streamKey !== 'string' || streamKey === '') throw new TypeError(`${WHERE}: streamKey must be a non-empty string.`);
  const streamOnly = (['streamKey', 'maxStreamLength', 'readCount', 'maxPendingMessages'] as const).filter((k) => options[k] !== undefined);
  // An option that the chosen mode would not use is an option silently ignored.
  if (mode !== 'streams' && streamOnly.length > 0) throw new TypeError(`${WHERE}: ${streamOnly.join(', ')} only apply to mode 'streams' (mode is '${mode}').`);
  if (connection.kind !== 'url' && connection.kind !== 'rootNodes' && options.maxReconnectDelayMs !== undefined) {
    throw new TypeError(`${WHERE}: maxReconnectDelayMs applies to url and rootNodes; a client's or cluster's copies keep its own socket.reconnectStrategy.`);
  }
  return {
    connection,
    mode,
    channelPrefix,
    maxMessageBytes: positiveInteger('maxMessageBytes', options.maxMessageBytes, REDIS_ADAPTER_DEFAULTS.maxMessageBytes),
    maxReconnectDelayMs: positiveInteger('maxReconnectDelayMs', options.maxReconnectDelayMs, REDIS_ADAPTER_DEFAULTS.maxReconnectDelayMs),
    commandTimeoutMs: positiveInteger('commandTimeoutMs', options.commandTimeoutMs, REDIS_ADAPTER_DEFAULTS.commandTimeoutMs),
    streamKey,
    maxStreamLength: positiveInteger('maxStreamLength', options.maxStreamLength, REDIS_ADAPTER_DEFAULTS.maxStreamLength),
    readCount: positiveInteger('readCount', options.readCount, REDIS_ADAPTER_DEFAULTS.readCount),
    maxPendingMessages: positiveInteger('maxPendingMessages', options.maxPendingMessages, REDIS_ADAPTER_DEFAULTS.maxPendingMessages),
  };
}
