/**
 * Streams mode: every forward is an entry XADDed to one stream, trimmed to about
 * `maxStreamLength` entries (`MAXLEN ~`, which lets Redis trim whole macro nodes, cheaply), and
 * every node reads the stream with a blocking XREAD from the last entry id it delivered. When
 * Redis goes away the reader asks again from that id once it is back, so it loses nothing Redis
 * still holds; the writer keeps what it could not write (up to `maxPendingMessages`) and writes it,
 * in order, once Redis is back. A write whose answer was lost may have been kept by Redis and is
 * written again: readers drop the second copy by its sequence number (redis-adapter.ts).
 */
import { ErrorReply, RESP_TYPES } from '@redis/client';
import type { RedisClientType } from '@redis/client';
import { openClient, StatusTracker } from './connection.ts';
import { destroy, Writer } from './writer.ts';
import type { RedisAdapterStatus } from './connection.ts';
import type { ResolvedRedisAdapterOptions } from './options.ts';
import type { Transport, TransportEvents } from './pubsub-transport.ts';

/** How long one XREAD blocks before it asks again (it also wakes at once for a new entry). */
const BLOCK_MS = 5000;
/** After an error the reader waits this long before it reads again, so a refused XREAD is no busy loop. */
const RETRY_MS = 100;
const AS_BUFFERS = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };
/**
 * Error replies that mean "not now" rather than "no": a Redis still loading its data after a
 * restart (LOADING), busy with a script (BUSY), a cluster or replica in transition (TRYAGAIN,
 * CLUSTERDOWN, MASTERDOWN, READONLY after a failover). A write refused so is tried again.
 */
const NOT_NOW = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/;

interface Pending {
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  sent: boolean;
}

type StreamReply = [key: Buffer, entries: [id: Buffer, fields: Buffer[]][]][] | null;

/** Streams mode on one Redis. */
export class StreamsTransport implements Transport {
  readonly #options: ResolvedRedisAdapterOptions;
  readonly #events: TransportEvents;
  readonly #writer: Writer;
  #reader: RedisClientType;
  readonly #tracker: StatusTracker;
  /** Writes not yet answered, oldest first; each is sent at most once per connection. */
  #pending: Pending[] = [];
  #lastId: string | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: ResolvedRedisAdapterOptions, events: TransportEvents) {
    this.#options = options;
    this.#events = events;
    this.#writer = new Writer(options, () => this.#pump(), (err) => events.connectionError(err));
    this.#reader = openClient(options, false);
    this.#tracker = new StatusTracker([this.#writer.client, this.#reader], (status) => events.status(status), (err) => events.connectionError(err));
    this.#writer.follow(this.#tracker);
  }

  /** The status of the connections. */
  get status(): RedisAdapterStatus {
    return this.#tracker.status;
  }

  /** The id of the last entry read (undefined before the first read). */
  get lastId(): string | undefined {
    return this.#lastId;
  }

  start(): void {
    this.#writer.connect();
    this.#reader.connect().then(
      () => this.#tracker.update(),
      (err: unknown) => {
        if (!this.#closed) this.#events.connectionError(err as Error);
      },
    );
    void this.#read();
  }

  // Every node reads the whole stream; topics are chosen when an entry is delivered.
  subscribe(): void {}
  unsubscribe(): void {}

  publish(_channel: string, bytes: Buffer): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the adapter is closed'));
    if (this.#pending.length >= this.#options.maxPendingMessages) {
      return Promise.reject(new Error(`${this.#pending.length} publishes are waiting for Redis already (maxPendingMessages ${this.#options.maxPendingMessages})`));
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ bytes, resolve, reject, sent: false });
      this.#pump();
    });
  }

  async synced(): Promise<void> {}

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#tracker.close();
    clearTimeout(this.#retryTimer);
    const left = this.#pending;
    this.#pending = [];
    for (const entry of left) entry.reject(new Error('the adapter closed before Redis took the message'));
    // The reader is blocked in XREAD: destroy() ends it without waiting for BLOCK to time out.
    // The reader is blocked in XREAD: destroyed, it does not wait for BLOCK to time out.
    destroy(this.#reader);
    await this.#writer.close();
  }

  /** Send every write not yet sent on this connection, in order (node-redis pipelines them). */
  #pump(): void {
    if (this.#closed || !this.#writer.isReady) return;
    const { streamKey, maxStreamLength } = this.#options;
    for (const entry of this.#pending) {
      if (entry.sent) continue;
      entry.sent = true;
      this.#writer.send(['XADD', streamKey, 'MAXLEN', '~', String(maxStreamLength), '*', 'm', entry.bytes]).then(
        () => this.#settle(entry, undefined),
        (err: unknown) => {
          // Redis refused it (wrong type, out of memory …): final. Anything else is the
          // connection (lost, or replaced after a timeout) or Redis saying "not now": keep it,
          // and send it again once the writer is ready (or in a moment, for "not now").
          if (this.#closed || (err instanceof ErrorReply && !NOT_NOW.test(err.message))) this.#settle(entry, err);
          else {
            entry.sent = false;
            this.#events.connectionError(err as Error);
            if (err instanceof ErrorReply) this.#retrySoon();
          }
        },
      );
    }
  }

  #retrySoon(): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pump();
    }, RETRY_MS);
  }

  #settle(entry: Pending, err: unknown): void {
    const at = this.#pending.indexOf(entry);
    if (at !== -1) this.#pending.splice(at, 1);
    if (err === undefined) entry.resolve();
    else entry.reject(err);
  }

  /** Where reading starts: after the stream's newest entry (what was published before this node came is not for it). */
  async #startId(): Promise<string> {
    const newest = await this.#reader.sendCommand<[string, unknown][]>(['XREVRANGE', this.#options.streamKey, '+', '-', 'COUNT', '1']);
    return newest[0]?.[0] ?? '0-0';
  }

  #replaceReader(dead: RedisClientType): void {
    if (this.#closed || dead !== this.#reader) return;
    const next = openClient(this.#options, false);
    this.#reader = next;
    this.#tracker.replace(dead, next);
    destroy(dead);
    next.connect().catch((err: unknown) => {
      if (!this.#closed) this.#events.connectionError(err as Error);
    });
  }

  async #read(): Promise<void> {
    const { streamKey, readCount } = this.#options;
    while (!this.#closed) {
      try {
        this.#lastId ??= await this.#startId();
        const reader = this.#reader;
        // No answer even after BLOCK: the connection is dead without knowing it (see writer.ts);
        // replacing it fails this XREAD, and the loop reads on from the new one.
        const silent = setTimeout(() => this.#replaceReader(reader), BLOCK_MS + this.#options.commandTimeoutMs);
        const reply = await reader
          .sendCommand<StreamReply>(['XREAD', 'COUNT', String(readCount), 'BLOCK', String(BLOCK_MS), 'STREAMS', streamKey, this.#lastId], AS_BUFFERS)
          .finally(() => clearTimeout(silent));
        if (this.#closed) return;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            this.#lastId = id.toString('latin1');
            const at = fields.findIndex((f, i) => i % 2 === 0 && f.length === 1 && f[0] === 0x6d);
            const value = at === -1 ? undefined : fields[at + 1];
            // An entry without our field is someone else's use of the key: still reported.
            this.#events.message(value ?? Buffer.alloc(0), this.#lastId);
          }
        }
      } catch (err) {
        if (this.#closed) return;
        this.#events.connectionError(err as Error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}
