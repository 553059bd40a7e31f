/**
 * The adapter's own Redis connections, and its status. A node opens two connections to one Redis
 * (Redis answers nothing but pub/sub on a subscribed RESP2 connection, and a blocking XREAD holds
 * its connection): one to write (PUBLISH, XADD) with node-redis's offline queue off, so a publish
 * while Redis is away fails at once and is reported instead of waiting unseen; one to read
 * (SUBSCRIBE, XREAD) with the queue on, which node-redis subscribes again after each reconnect.
 * The status is 'ready' while every connection is.
 */
import type { EventEmitter } from 'node:events';
import { createClient, createCluster } from '@redis/client';
import type { RedisClientType, RedisClusterType } from '@redis/client';
import type { ResolvedRedisAdapterOptions } from './options.ts';

/** Whether the adapter can reach Redis: before the first connection, connected, lost it (and retrying), or closed for good. */
export type RedisAdapterStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** Reconnect at once, then back off, doubling, to `maxDelayMs`; never give up (the adapter's status says it is away). */
export function reconnectStrategy(maxDelayMs: number): (retries: number) => number {
  return (retries) => Math.min(25 * 2 ** Math.min(retries, 16), maxDelayMs);
}

/** A standalone connection of the adapter, made from `url` or copied from `client`. */
export function openClient(options: ResolvedRedisAdapterOptions, writer: boolean): RedisClientType {
  const { connection } = options;
  const settings = { disableOfflineQueue: writer };
  if (connection.kind === 'url') {
    return createClient({ url: connection.url, socket: { reconnectStrategy: reconnectStrategy(options.maxReconnectDelayMs) }, ...settings }) as unknown as RedisClientType;
  }
  if (connection.kind === 'client') return connection.client.duplicate(settings) as RedisClientType;
  throw new TypeError('a cluster connection is not a standalone client');
}

/** A cluster connection of the adapter, made from `rootNodes` or copied from `cluster`. */
export function openCluster(options: ResolvedRedisAdapterOptions, writer: boolean): RedisClusterType {
  const { connection } = options;
  const defaults = { disableOfflineQueue: writer };
  if (connection.kind === 'rootNodes') {
    return createCluster({
      rootNodes: connection.rootNodes.map((url) => ({ url })),
      defaults: { ...defaults, socket: { reconnectStrategy: reconnectStrategy(options.maxReconnectDelayMs) } },
    }) as unknown as RedisClusterType;
  }
  if (connection.kind === 'cluster') return connection.cluster.duplicate({ defaults }) as RedisClusterType;
  throw new TypeError('a standalone connection is not a cluster');
}

/** What {@link StatusTracker} watches: a node-redis client or cluster client. */
interface Watched extends EventEmitter {
  readonly isReady?: boolean;
}

/**
 * Follows the adapter's connections and tells when the status changes: 'connecting' until every
 * connection has been ready once, 'ready' while all are, 'reconnecting' while one is not.
 */
export class StatusTracker {
  #status: RedisAdapterStatus = 'connecting';
  #wasReady = false;
  readonly #watched: Watched[];
  readonly #error: (err: Error) => void;
  readonly #changed: (status: RedisAdapterStatus) => void;

  constructor(watched: readonly Watched[], changed: (status: RedisAdapterStatus) => void, error: (err: Error) => void) {
    this.#watched = [...watched];
    this.#changed = changed;
    this.#error = error;
    for (const client of watched) this.#listen(client);
  }

  /** Follow `next` instead of `old` (a connection replaced because it stopped answering). */
  replace(old: Watched, next: Watched): void {
    const at = this.#watched.indexOf(old);
    if (at !== -1) this.#watched[at] = next;
    this.#listen(next);
    this.update();
  }

  #listen(client: Watched): void {
    // node-redis emits 'error' for every failed (re)connection; an unheard 'error' would throw.
    client.on('error', (err: Error) => {
      if (!this.#watched.includes(client)) return;
      this.#error(err);
      this.update();
    });
    for (const event of ['ready', 'reconnecting', 'end', 'connect']) client.on(event, () => this.update());
  }

  /** The status now. */
  get status(): RedisAdapterStatus {
    return this.#status;
  }

  /** Recompute from the connections (a cluster client counts as ready once marked so). */
  update(): void {
    if (this.#status === 'closed') return;
    const ready = this.#watched.every((c) => c.isReady !== false && this.#clusterReady.get(c) !== false);
    const next = ready ? 'ready' : this.#wasReady ? 'reconnecting' : 'connecting';
    if (ready) this.#wasReady = true;
    this.#set(next);
  }

  readonly #clusterReady = new Map<Watched, boolean>();

  /** A cluster client exposes no `isReady`: its connect() resolving marks it ready. */
  markClusterReady(cluster: Watched): void {
    this.#clusterReady.set(cluster, true);
    this.update();
  }

  /** A cluster client before its connect() resolved. */
  markClusterConnecting(cluster: Watched): void {
    this.#clusterReady.set(cluster, false);
  }

  /** The adapter has closed: nothing changes it any more. */
  close(): void {
    this.#set('closed');
  }

  #set(next: RedisAdapterStatus): void {
    if (next === this.#status) return;
    this.#status = next;
    this.#changed(next);
  }
}
