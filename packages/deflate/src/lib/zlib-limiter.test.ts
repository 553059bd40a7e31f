import { describe, expect, it } from 'vitest';
import { ZlibLimiter } from './zlib-limiter.ts';

function deferred(): { promise: Promise<string>; resolve: (v: string) => void; reject: (e: Error) => void } {
  let resolve!: (v: string) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ZlibLimiter', () => {
  it('runs at most `concurrency` jobs, starts the rest in FIFO order, and frees slots on failure', async () => {
    const limiter = new ZlibLimiter(2);
    const jobs = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    const results = jobs.map((job, i) =>
      limiter
        .run(() => {
          started.push(i);
          return job.promise;
        })
        .catch((err: Error) => `failed: ${err.message}`),
    );
    expect(started).toEqual([0, 1]);
    expect([limiter.active, limiter.pending]).toEqual([2, 3]);
    jobs[1]?.reject(new Error('boom'));
    await results[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    jobs[0]?.resolve('a');
    jobs[2]?.resolve('c');
    await Promise.all([results[0], results[2]]);
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2, 3, 4]);
    jobs[3]?.resolve('d');
    jobs[4]?.resolve('e');
    expect(await Promise.all(results)).toEqual(['a', 'failed: boom', 'c', 'd', 'e']);
    expect([limiter.active, limiter.pending]).toEqual([0, 0]);
  });

  it('turns a job that throws synchronously into a rejection and frees its slot', async () => {
    const limiter = new ZlibLimiter(1);
    await expect(
      limiter.run(() => {
        throw new TypeError('sync');
      }),
    ).rejects.toThrow('sync');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.active).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses concurrency %s', (n) => {
    expect(() => new ZlibLimiter(n)).toThrow(RangeError);
  });
});
