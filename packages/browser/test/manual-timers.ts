/**
 * A clock the test moves by hand, for the modules that take injected {@link Timers}: nothing runs
 * until `advance()`, and every delay asked for is recorded.
 */
import type { Timers } from '../src/lib/timers.ts';

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Timers driven by `advance(ms)`; callbacks due at the same time run in the order they were set. */
export class ManualTimers implements Timers {
  /** Milliseconds since the clock was made. */
  now = 0;
  /** Every delay passed to `setTimeout`, in order. */
  readonly delays: number[] = [];
  #pending: Pending[] = [];
  #nextId = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.delays.push(ms);
    this.#pending.push({ id, at: this.now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending = this.#pending.filter((timer) => timer.id !== handle);
  }

  /** How many callbacks wait. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Moves the clock forward, running every callback that falls due, in time order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = this.#pending.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (next === undefined) break;
      this.#pending = this.#pending.filter((timer) => timer !== next);
      this.now = next.at;
      next.callback();
    }
    this.now = end;
  }
}
