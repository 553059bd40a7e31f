export { createRedisAdapter, RedisAdapter } from './lib/redis-adapter.ts';
export type { MissedMessages, RedisAdapterEvents, RedisAdapterStats } from './lib/redis-adapter.ts';
export { REDIS_ADAPTER_DEFAULTS } from './lib/options.ts';
export type { Duplicable, RedisAdapterMode, RedisAdapterOptions } from './lib/options.ts';
export type { RedisAdapterStatus } from './lib/connection.ts';
export { RedisAdapterError, RedisAdapterErrorCode } from './lib/redis-adapter-error.ts';
export { FORMAT_VERSION } from './lib/message-codec.ts';
