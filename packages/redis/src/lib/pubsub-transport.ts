/**
 * Pub/sub across nodes (modes 'pubsub' and 'sharded'): a node SUBSCRIBEs (SSUBSCRIBE on a
 * cluster) to the channel of each topic its connections want and to the broadcast channel, and
 * PUBLISHes (SPUBLISH) each forward once. Redis pub/sub keeps nothing: a node that is away while
 * a message is published never gets it, so the time its subscription was down is reported as
 * possibly missed messages when it is back.
 */
import type { RedisClientType, RedisClusterType } from '@redis/client';
import { openClient, openCluster, StatusTracker } from './connection.ts';
import { Writer } from './writer.ts';
import type { RedisAdapterStatus } from './connection.ts';
import type { ResolvedRedisAdapterOptions } from './options.ts';

/** What a transport tells the adapter. */
export interface TransportEvents {
  /** A message read from Redis (not decoded yet), with the stream entry id in streams mode. */
  message(bytes: Buffer, entryId?: string): void;
  /** node-redis reported an error (a failed connection or reconnection attempt, a refused command). */
  connectionError(error: Error): void;
  /** The status changed. */
  status(status: RedisAdapterStatus): void;
  /** Pub/sub: the subscription was down from `sinceMs` to `untilMs` (epoch ms); whatever was published then is lost. */
  subscriptionGap(sinceMs: number, untilMs: number): void;
}

/** How the adapter talks to Redis in one mode. */
export interface Transport {
  /** Open the connections. */
  start(): void;
  /** Start receiving `channel`. */
  subscribe(channel: string): void;
  /** Stop receiving `channel`. */
  unsubscribe(channel: string): void;
  /** Hand `bytes` to Redis for `channel` (in streams mode the channel is unused); rejects with the reason it could not. */
  publish(channel: string, bytes: Buffer): Promise<void>;
  /** Resolves once Redis has confirmed every subscribe and unsubscribe asked for so far. */
  synced(): Promise<void>;
  /** Close the connections. */
  close(): Promise<void>;
}

type Listener = (message: Buffer, channel: Buffer) => void;

/** Pub/sub on one Redis ('pubsub') or sharded pub/sub on a Redis Cluster ('sharded'). */
export class PubSubTransport implements Transport {
  readonly #sharded: boolean;
  /** One Redis: the replaceable writer (writer.ts); a cluster: node-redis's cluster client, which manages its shards' connections. */
  readonly #writer: Writer | RedisClusterType;
  readonly #reader: RedisClientType | RedisClusterType;
  readonly #events: TransportEvents;
  readonly #tracker: StatusTracker;
  readonly #pending = new Set<Promise<void>>();
  readonly #listener: Listener;
  #downSince: number | undefined;
  #readerWasReady = false;
  #closed = false;
  #startReading: (() => void) | undefined;
  /** Settles once the reader's first connect() has (subscribes wait for it). */
  readonly #readerConnected: Promise<void> = new Promise<void>((resolve) => {
    this.#startReading = resolve;
  });
  readonly #retryMs: number;
  readonly #timeoutMs: number;

  constructor(options: ResolvedRedisAdapterOptions, events: TransportEvents) {
    this.#sharded = options.mode === 'sharded';
    this.#events = events;
    this.#retryMs = options.maxReconnectDelayMs;
    this.#timeoutMs = options.commandTimeoutMs;
    this.#writer = this.#sharded ? openCluster(options, true) : new Writer(options, () => undefined, (err) => events.connectionError(err));
    this.#reader = this.#sharded ? openCluster(options, false) : openClient(options, false);
    this.#listener = (message) => this.#events.message(message);
    const writer = this.#writer instanceof Writer ? this.#writer.client : this.#writer;
    this.#tracker = new StatusTracker([writer, this.#reader], (status) => events.status(status), (err) => events.connectionError(err));
    if (this.#writer instanceof Writer) this.#writer.follow(this.#tracker);
    if (!this.#sharded) {
      const reader = this.#reader as RedisClientType;
      // node-redis subscribes again to every channel before it emits 'ready' after a reconnect.
      reader.on('ready', () => {
        if (this.#downSince !== undefined) events.subscriptionGap(this.#downSince, Date.now());
        this.#downSince = undefined;
        this.#readerWasReady = true;
      });
      const lost = (): void => {
        if (this.#readerWasReady && this.#downSince === undefined && !this.#closed) this.#downSince = Date.now();
      };
      reader.on('error', lost);
      reader.on('reconnecting', lost);
    }
  }

  /** The status of the connections. */
  get status(): RedisAdapterStatus {
    return this.#tracker.status;
  }

  start(): void {
    if (this.#writer instanceof Writer) this.#writer.connect();
    const connections = this.#writer instanceof Writer ? [this.#reader] : [this.#writer, this.#reader];
    const connected = connections.map(async (client) => {
      if (this.#sharded) this.#tracker.markClusterConnecting(client);
      for (let attempt = 0; !this.#closed; attempt++) {
        try {
          // A client's connect() retries by itself (the reconnect strategy never gives up) and
          // settles once connected; a cluster's gives up when no root node answers: try again.
          await client.connect();
          if (this.#sharded) this.#tracker.markClusterReady(client);
          else this.#tracker.update();
          return;
        } catch (err) {
          if (this.#closed) return;
          this.#events.connectionError(err as Error);
          await new Promise((resolve) => setTimeout(resolve, Math.min(25 * 2 ** Math.min(attempt, 16), this.#retryMs)));
        }
      }
    });
    void (connected.at(-1) as Promise<void>).then(this.#startReading);
  }

  subscribe(channel: string): void {
    this.#track(() =>
      this.#sharded ? (this.#reader as RedisClusterType).sSubscribe(channel, this.#listener, true) : (this.#reader as RedisClientType).subscribe(channel, this.#listener, true),
    );
  }

  unsubscribe(channel: string): void {
    this.#track(() =>
      this.#sharded ? (this.#reader as RedisClusterType).sUnsubscribe(channel, this.#listener, true) : (this.#reader as RedisClientType).unsubscribe(channel, this.#listener, true),
    );
  }

  async publish(channel: string, bytes: Buffer): Promise<void> {
    // SPUBLISH is routed by its channel's slot, as a key's command is (the channel is its first key).
    if (this.#writer instanceof Writer) await this.#writer.send(['PUBLISH', channel, bytes]);
    else await this.#writer.sendCommand(channel, false, ['SPUBLISH', channel, bytes], { timeout: this.#timeoutMs });
  }

  async synced(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#tracker.close();
    // The reader holds nothing worth waiting for; the writer may have publishes in flight.
    await Promise.allSettled([this.#writer instanceof Writer ? this.#writer.close() : closeClient(this.#writer), closeClient(this.#reader, false)]);
  }

  /**
   * Run a (un)subscribe once the reader is connected (a cluster client knows its shards only
   * then), in the order asked, and remember it until Redis answers (for synced()).
   */
  #track(request: () => Promise<void>): void {
    const tracked = this.#readerConnected.then(() => (this.#closed ? undefined : request())).then(
      () => undefined,
      (err: unknown) => {
        if (!this.#closed) this.#events.connectionError(err as Error);
      },
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }
}

/**
 * Close a connection: gracefully (replies in flight still arrive) when it is open and `graceful`,
 * else at once (a blocked XREAD, a connection still retrying).
 */
export async function closeClient(client: RedisClientType | RedisClusterType, graceful = true): Promise<void> {
  try {
    if (graceful && ((client as { isReady?: boolean }).isReady === true || (client.isOpen && (client as { isReady?: boolean }).isReady === undefined))) await client.close();
    else client.destroy();
  } catch {
    // Closing a connection that is already gone has nothing left to release.
    try {
      client.destroy();
    } catch {
      // destroy() of a client that was never opened throws; there is nothing to release either.
    }
  }
}
