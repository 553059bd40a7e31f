/**
 * The connection a node writes on (PUBLISH, XADD) to one Redis, replaced when it stops answering.
 * node-redis notices a closed connection by its socket's end or error; a Redis that is frozen
 * (SIGSTOP, a stalled VM), or a connection whose end never reaches the client, answers nothing
 * and reports nothing, and every publish would wait on it forever — never reported, which the
 * adapter must not allow. So a write unanswered after `commandTimeoutMs` takes the connection for
 * dead: it is destroyed (what was in flight on it fails, and the caller decides what to do with
 * it) and a new one opened, which connects as soon as Redis answers again. (node-redis's own
 * per-command `timeout` covers only the wait to be written, not the wait for the answer.)
 *
 * Redis answers a connection's commands in order, so the oldest unanswered write is the first of
 * a FIFO of send times, and one timer, running only while something is in flight, watches it.
 */
import type { RedisArgument, RedisClientType } from '@redis/client';
import { openClient } from './connection.ts';
import type { StatusTracker } from './connection.ts';
import type { ResolvedRedisAdapterOptions } from './options.ts';

/** The writing connection of a node on one Redis. */
export class Writer {
  readonly #options: ResolvedRedisAdapterOptions;
  readonly #onReady: () => void;
  readonly #onError: (err: Error) => void;
  #client: RedisClientType;
  #tracker: StatusTracker | undefined;
  #closed = false;
  /** Send times of the writes in flight on the connection now, oldest first from `#head`. */
  #sentAt: number[] = [];
  #head = 0;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  /** Connections replaced for not answering: what fails on them failed for that reason. */
  readonly #timedOut = new WeakSet<RedisClientType>();
  /** How many times a connection that stopped answering was replaced. */
  replaced = 0;

  constructor(options: ResolvedRedisAdapterOptions, onReady: () => void, onError: (err: Error) => void) {
    this.#options = options;
    this.#onReady = onReady;
    this.#onError = onError;
    this.#client = this.#open();
  }

  /** The connection now (the status tracker follows it). */
  get client(): RedisClientType {
    return this.#client;
  }

  /** Whether the connection now is ready. */
  get isReady(): boolean {
    return this.#client.isReady;
  }

  /** Tell `tracker` when the connection is replaced. */
  follow(tracker: StatusTracker): void {
    this.#tracker = tracker;
  }

  /** Start connecting (node-redis retries by itself). */
  connect(): void {
    const client = this.#client;
    client.connect().then(
      () => this.#tracker?.update(),
      (err: unknown) => {
        if (!this.#closed && client === this.#client) this.#onError(err as Error);
      },
    );
  }

  /**
   * Send one command; rejects with node-redis's error (an `ErrorReply` when Redis refused it), or
   * with "did not answer within commandTimeoutMs" when the connection was replaced for silence.
   */
  send<T>(args: readonly RedisArgument[]): Promise<T> {
    const client = this.#client;
    const sentAt = this.#sentAt;
    sentAt.push(Date.now());
    this.#watch();
    const settled = (): void => {
      // Answers come in order: the one settling is the oldest in flight.
      if (sentAt === this.#sentAt) this.#shift();
    };
    return client.sendCommand<T>(args).then(
      (reply) => {
        settled();
        return reply;
      },
      (err: unknown) => {
        settled();
        if (this.#timedOut.has(client)) {
          throw new Error(`Redis did not answer within commandTimeoutMs (${this.#options.commandTimeoutMs} ms); the connection was replaced, and whether Redis took it is unknown`, { cause: err });
        }
        throw err;
      },
    );
  }

  #shift(): void {
    this.#head++;
    if (this.#head === this.#sentAt.length) {
      this.#sentAt.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#sentAt = this.#sentAt.slice(this.#head);
      this.#head = 0;
    }
  }

  #watch(): void {
    if (this.#watchdog !== undefined) return;
    const timeoutMs = this.#options.commandTimeoutMs;
    this.#watchdog = setInterval(() => {
      if (this.#head === this.#sentAt.length) {
        clearInterval(this.#watchdog);
        this.#watchdog = undefined;
      } else if (Date.now() - (this.#sentAt[this.#head] as number) > timeoutMs) {
        this.#replace(this.#client);
      }
    }, Math.max(10, Math.floor(timeoutMs / 4)));
    this.#watchdog.unref();
  }

  /** Close the connection: gracefully while it answers (a bounded wait), else at once. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watchdog);
    const client = this.#client;
    if (client.isReady) {
      const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), this.#options.commandTimeoutMs).unref());
      const closed = client.close().then(
        () => 'closed' as const,
        () => 'late' as const,
      );
      if ((await Promise.race([closed, timer])) === 'closed') return;
    }
    destroy(client);
  }

  #open(): RedisClientType {
    const client = openClient(this.#options, true);
    client.on('ready', () => {
      if (client === this.#client) this.#onReady();
    });
    return client;
  }

  #replace(dead: RedisClientType): void {
    if (this.#closed || dead !== this.#client) return;
    this.replaced++;
    this.#timedOut.add(dead);
    this.#sentAt = [];
    this.#head = 0;
    this.#client = this.#open();
    this.#tracker?.replace(dead, this.#client);
    // Destroyed after the swap: its in-flight commands fail, and whoever retries finds the new one.
    destroy(dead);
    this.connect();
  }
}

/** Destroy a connection whatever its state (destroy() of one already closed throws). */
export function destroy(client: { destroy(): void }): void {
  try {
    client.destroy();
  } catch {
    // Already closed: nothing left to release.
  }
}
