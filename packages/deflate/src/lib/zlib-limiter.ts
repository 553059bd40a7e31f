/**
 * A global cap on concurrent asynchronous zlib work. Each async zlib call takes a thread-pool
 * slot and native buffers; thousands at once fragment memory badly (ws's lesson, issue
 * websockets/ws#1369), so work beyond the cap waits in a FIFO queue.
 */

/** A counting semaphore for zlib jobs. */
export class ZlibLimiter {
  /** How many jobs may run at once. */
  readonly concurrency: number;
  #active = 0;
  readonly #queue: Array<() => void> = [];

  /** @throws {RangeError} unless `concurrency` is a positive integer. */
  constructor(concurrency = 10) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`ZlibLimiter: concurrency must be a positive integer, got ${String(concurrency)}.`);
    }
    this.concurrency = concurrency;
  }

  /** Jobs running now. */
  get active(): number {
    return this.#active;
  }

  /** Jobs waiting for a slot. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Run `job` when a slot is free; its slot is released when the returned promise settles,
   * whether it resolves or rejects, so a failing job never leaks a slot.
   */
  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.#active++;
        let promise: Promise<T>;
        try {
          promise = job();
        } catch (err) {
          promise = Promise.reject(err);
        }
        // Free the slot before the caller's continuation runs, so it sees the slot free.
        const release = (): void => {
          this.#active--;
          this.#queue.shift()?.();
        };
        promise.then(
          (value) => {
            release();
            resolve(value);
          },
          (err: unknown) => {
            release();
            reject(err);
          },
        );
      };
      if (this.#active < this.concurrency) start();
      else this.#queue.push(start);
    });
  }
}

/** The limiter every {@link PerMessageDeflate} shares unless given its own: 10 jobs, as ws. */
export const defaultZlibLimiter = new ZlibLimiter(10);
