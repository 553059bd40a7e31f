/**
 * One heartbeat timer for a whole server. ws's documented pattern keeps a flag per connection and
 * one interval; this keeps the time each outstanding ping was sent, so the timeout can differ from
 * the interval, and it still arms a single timer for every connection.
 */

/** Heartbeat settings. */
export interface HeartbeatOptions {
  /** Time between pings to a connection, in ms. */
  readonly intervalMs: number;
  /** Time a connection has to answer a ping with a pong before it is terminated, in ms. */
  readonly timeoutMs: number;
}

/** What the heartbeat does to a connection. */
export interface HeartbeatTarget<T> {
  /** Send a ping to `conn`. */
  ping(conn: T): void;
  /** End `conn` now: it did not answer in time. */
  expire(conn: T): void;
}

/**
 * Pings every registered connection each `intervalMs` and expires any that has not answered
 * (called {@link Heartbeat.alive}) within `timeoutMs` of its ping. The timer is unref'd, so a
 * heartbeat never keeps the process alive by itself.
 */
export class Heartbeat<T> {
  readonly #options: HeartbeatOptions;
  readonly #target: HeartbeatTarget<T>;
  /** conn → time its outstanding ping was sent, or 0 when none is outstanding. */
  readonly #pingSentAt = new Map<T, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextPingAt = 0;
  #fireAt = 0;

  constructor(options: HeartbeatOptions, target: HeartbeatTarget<T>) {
    this.#options = options;
    this.#target = target;
  }

  /** How many connections are watched. */
  get size(): number {
    return this.#pingSentAt.size;
  }

  /** Start watching `conn`; its first ping goes out with the next round. */
  add(conn: T): void {
    this.#pingSentAt.set(conn, 0);
    if (this.#timer === undefined) {
      this.#nextPingAt = Date.now() + this.#options.intervalMs;
      this.#schedule(this.#nextPingAt);
    }
  }

  /** Stop watching `conn` (it closed). */
  delete(conn: T): void {
    this.#pingSentAt.delete(conn);
    if (this.#pingSentAt.size === 0) this.stop();
  }

  /** `conn` answered (a pong arrived): its outstanding ping is settled. */
  alive(conn: T): void {
    if (this.#pingSentAt.has(conn)) this.#pingSentAt.set(conn, 0);
  }

  /** Stop the timer; connections stay registered and the next {@link add} restarts it. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(at: number): void {
    if (this.#timer !== undefined) {
      if (at >= this.#fireAt) return;
      clearTimeout(this.#timer);
    }
    this.#fireAt = at;
    this.#timer = setTimeout(this.#tick, Math.max(0, at - Date.now()));
    this.#timer.unref();
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    const now = Date.now();
    const { intervalMs, timeoutMs } = this.#options;
    const pingRound = now >= this.#nextPingAt;
    if (pingRound) this.#nextPingAt = now + intervalMs;
    let nextDeadline = Infinity;
    const expired: T[] = [];
    for (const [conn, sentAt] of this.#pingSentAt) {
      if (sentAt !== 0) {
        if (sentAt + timeoutMs <= now) expired.push(conn);
        else if (sentAt + timeoutMs < nextDeadline) nextDeadline = sentAt + timeoutMs;
      } else if (pingRound) {
        this.#pingSentAt.set(conn, now);
        if (now + timeoutMs < nextDeadline) nextDeadline = now + timeoutMs;
        this.#target.ping(conn);
      }
    }
    // Expire after the loop: expire() usually ends up calling delete(), which mutates the map.
    for (const conn of expired) {
      this.#pingSentAt.delete(conn);
      this.#target.expire(conn);
    }
    if (this.#pingSentAt.size > 0) this.#schedule(Math.min(this.#nextPingAt, nextDeadline));
  };
}
