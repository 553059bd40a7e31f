import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_BACKOFF, backoffCeiling, backoffDelay, resolveBackoff } from './backoff.ts';

describe('backoff', () => {
  it('has the documented defaults: 1 s doubling to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffCeiling(n, DEFAULT_BACKOFF))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('keeps the cap when the exponential overflows', () => {
    expect(backoffCeiling(5000, DEFAULT_BACKOFF)).toBe(30_000);
  });

  it('is full jitter: floor(random × ceiling)', () => {
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(0);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.99999)).toBe(3999);
  });

  it('treats a random source outside [0, 1) as 0 rather than exceed the ceiling', () => {
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 1)).toBe(0);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => Number.NaN)).toBe(0);
  });

  it('stays a whole number in [0, ceiling) with a monotone ceiling, for any settings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (minDelayMs, extra, factor, attempt, r) => {
          const options = resolveBackoff({ minDelayMs, maxDelayMs: minDelayMs + extra, factor });
          const ceiling = backoffCeiling(attempt, options);
          const delay = backoffDelay(attempt, options, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay <= ceiling && (ceiling === 0 || delay < ceiling)).toBe(true);
          expect(ceiling).toBeGreaterThanOrEqual(backoffCeiling(attempt - 1, options));
          expect(ceiling).toBeLessThanOrEqual(options.maxDelayMs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects bad settings, naming them', () => {
    expect(() => resolveBackoff({ minDelayMs: -1 })).toThrow(/reconnect\.minDelayMs/);
    expect(() => resolveBackoff({ factor: Number.NaN })).toThrow(TypeError);
    expect(() => resolveBackoff({ maxDelayMs: Infinity })).toThrow(RangeError);
  });
});
