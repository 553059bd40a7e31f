/**
 * Memory over time for the soak: RSS, and the V8 heap in use right after a full garbage
 * collection. RSS alone cannot tell a leak from the allocator keeping freed pages or V8 growing its
 * heap to the load; the heap after a full GC is what the program really keeps alive, so its slope
 * after ramp-up is the leak signal, and RSS is reported beside it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One sample: seconds since the start, RSS and heap used after a full GC (MiB), live ArrayBuffer memory (MiB). */
export interface MemorySample {
  t: number;
  rssMiB: number;
  heapMiB: number;
  arrayBuffersMiB: number;
}

/** Slopes and growth of the samples taken after ramp-up. */
export interface MemoryTrend {
  /** Least-squares slope of RSS, MiB per minute. */
  rssSlopeMiBPerMin: number;
  /** Least-squares slope of the heap after GC, MiB per minute: the leak signal. */
  heapSlopeMiBPerMin: number;
  /** RSS and heap growth from the first steady sample to the last, MiB. */
  rssGrowthMiB: number;
  heapGrowthMiB: number;
  /** How many samples the trend is computed from. */
  samples: number;
}

const MiB = 1024 * 1024;

/** `gc()` without starting Node with --expose-gc: the flag can be set at run time for a new context. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Least-squares slope of y over x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Samples memory every `periodMs` until stopped. */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  readonly #started = Date.now();
  readonly #gc = exposeGc();
  #timer: NodeJS.Timeout | undefined;

  /** Start sampling (one sample now, then every `periodMs`); `onSample` sees each one. */
  start(periodMs: number, onSample: (sample: MemorySample) => void = () => {}): void {
    const take = (): void => onSample(this.sample());
    take();
    this.#timer = setInterval(take, periodMs);
  }

  /** Take one sample now (a full GC first). */
  sample(): MemorySample {
    if (process.env.NOGC === undefined) this.#gc();
    const usage = process.memoryUsage();
    const sample = {
      t: (Date.now() - this.#started) / 1000,
      rssMiB: usage.rss / MiB,
      heapMiB: usage.heapUsed / MiB,
      arrayBuffersMiB: usage.arrayBuffers / MiB,
    };
    this.samples.push(sample);
    return sample;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The trend of the samples taken at or after `fromSeconds` (ramp-up excluded). */
  trend(fromSeconds: number): MemoryTrend {
    const steady = this.samples.filter((s) => s.t >= fromSeconds);
    const first = steady[0];
    const last = steady.at(-1);
    return {
      rssSlopeMiBPerMin: slope(steady.map((s) => [s.t, s.rssMiB])) * 60,
      heapSlopeMiBPerMin: slope(steady.map((s) => [s.t, s.heapMiB])) * 60,
      rssGrowthMiB: first !== undefined && last !== undefined ? last.rssMiB - first.rssMiB : 0,
      heapGrowthMiB: first !== undefined && last !== undefined ? last.heapMiB - first.heapMiB : 0,
      samples: steady.length,
    };
  }
}
