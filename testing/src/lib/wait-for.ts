/**
 * Waiting for a condition instead of sleeping a fixed time: a fixed sleep makes a test depend on the
 * machine's speed (too short on a loaded machine, wasted on an idle one).
 */

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Check again after this long (default 5 ms). */
  everyMs?: number;
  /** What is awaited, for the error message. */
  what?: string;
}

/** Resolve as soon as `check()` is true; reject when it is still false after `timeoutMs`. */
export async function waitFor(check: () => boolean, options: WaitForOptions = {}): Promise<void> {
  const { timeoutMs = 5000, everyMs = 5, what = 'the condition' } = options;
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
