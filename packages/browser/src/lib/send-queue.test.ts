import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SendQueue } from './send-queue.ts';

describe('SendQueue', () => {
  it('keeps order and drains everything', () => {
    const queue = new SendQueue(10, 100);
    expect(queue.push({ data: 'a', size: 1 })).toBeUndefined();
    expect(queue.push({ data: 'bc', size: 2 })).toBeUndefined();
    expect([queue.length, queue.bytes]).toEqual([2, 3]);
    expect(queue.drain().map((m) => m.data)).toEqual(['a', 'bc']);
    expect([queue.length, queue.bytes]).toEqual([0, 0]);
  });

  it('refuses with WS_ERR_QUEUE_FULL and stays unchanged', () => {
    const queue = new SendQueue(2, 10);
    queue.push({ data: 'x', size: 9 });
    expect(queue.push({ data: 'y', size: 2 })).toMatchObject({ code: 'WS_ERR_QUEUE_FULL' });
    queue.push({ data: 'z', size: 1 });
    expect(queue.push({ data: 'w', size: 0 })).toMatchObject({ code: 'WS_ERR_QUEUE_FULL' });
    expect([queue.length, queue.bytes]).toEqual([2, 10]);
  });

  it('refuses with WS_ERR_NOT_OPEN when queueing is off', () => {
    expect(new SendQueue(0, 10).push({ data: '', size: 0 })).toMatchObject({ code: 'WS_ERR_NOT_OPEN' });
  });

  it('never exceeds its limits, and accepts exactly what fits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 200 }), fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), (maxMessages, maxBytes, sizes) => {
        const queue = new SendQueue(maxMessages, maxBytes);
        let accepted = 0;
        let bytes = 0;
        for (const size of sizes) {
          const fits = accepted + 1 <= maxMessages && bytes + size <= maxBytes;
          expect(queue.push({ data: '', size }) === undefined).toBe(fits);
          if (fits) {
            accepted++;
            bytes += size;
          }
        }
        expect([queue.length, queue.bytes]).toEqual([accepted, bytes]);
      }),
      { numRuns: 200 },
    );
  });
});
