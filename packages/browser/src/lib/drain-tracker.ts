/**
 * Settling `sendAsync()` promises from what a browser can tell: only `bufferedAmount`, the bytes
 * handed to `send()` but not yet given to the network. There is no event for it, so this polls on
 * a bounded timer (5 ms doubling to 100 ms) while promises wait, and not at all otherwise.
 *
 * The tracker counts every byte it hands to one native socket; a message has left when the bytes
 * sent so far (`handed − bufferedAmount`) reach the count at its end. That stays right when later
 * sends refill the buffer, which "wait until bufferedAmount is back to its old level" does not.
 */
import { BrowserError, BrowserErrorCode } from './errors.ts';
import type { Timers } from './timers.ts';

const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 100;

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: BrowserError) => void;
}

/** Tracks bytes handed to one native socket and the promises waiting for them to leave. */
export class DrainTracker {
  readonly #bufferedAmount: () => number;
  readonly #timers: Timers;
  #handed = 0;
  #waiters: Waiter[] = [];
  #timer: unknown;
  #delay = FIRST_POLL_MS;

  constructor(bufferedAmount: () => number, timers: Timers) {
    this.#bufferedAmount = bufferedAmount;
    this.#timers = timers;
  }

  /** Records `size` bytes handed to `send()`; with callbacks, settles them once those bytes left. */
  handed(size: number, resolve?: () => void, reject?: (error: BrowserError) => void): void {
    this.#handed += size;
    if (resolve === undefined || reject === undefined) return;
    if (this.#bufferedAmount() === 0) {
      resolve();
      return;
    }
    this.#waiters.push({ target: this.#handed, resolve, reject });
    this.#schedule();
  }

  /** The socket closed: settles what left, rejects the rest with `WS_ERR_NOT_SENT`. */
  close(code: number): void {
    this.#check();
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      waiter.reject(
        new BrowserError(BrowserErrorCode.NotSent, `The connection closed (code ${code}) before this message left the browser's buffer`, {
          closeCode: code,
        }),
      );
    }
  }

  #check(): void {
    if (this.#waiters.length === 0) return;
    const buffered = this.#bufferedAmount();
    const sent = this.#handed - buffered;
    // bufferedAmount 0 settles everything even if a Blob's size and the browser's count differ.
    const keep = this.#waiters.filter((waiter) => buffered > 0 && waiter.target > sent);
    const done = this.#waiters.filter((waiter) => !keep.includes(waiter));
    this.#waiters = keep;
    for (const waiter of done) waiter.resolve();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#check();
      if (this.#waiters.length === 0) {
        this.#delay = FIRST_POLL_MS;
        return;
      }
      this.#delay = Math.min(MAX_POLL_MS, this.#delay * 2);
      this.#schedule();
    }, this.#delay);
  }
}
