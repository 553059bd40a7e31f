/**
 * Time bounds on a shared machine. The heartbeat's documented bound (intervalMs + timeoutMs) is a
 * bound in timer time: when the event loop runs late, every timer does, by as much. A test asserts
 * the documented bound plus the lateness it measured over the same window — never a padded guess.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Start measuring this process's event-loop lateness; `stop()` returns the worst, in ms. */
export function measureLateness(): { stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      // The histogram records whole delays, resolution included.
      return histogram.max / 1e6;
    },
  };
}

/** Resolves after `ms` (for pacing traffic, never as a wait for an event). */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
