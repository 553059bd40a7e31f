/**
 * The timers the socket runs on (retry delays, the connect timeout, `sendAsync()` polling), behind
 * an interface so the reconnect logic is tested with a clock the test moves, not with real time.
 */

/** A pair of `setTimeout`/`clearTimeout` functions. */
export interface Timers {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a pending callback; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: unknown): void;
}

/** The global timers, looked up at each call (so a test's fake timers take effect). */
export const globalTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
