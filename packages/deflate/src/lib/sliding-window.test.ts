import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingWindow } from './sliding-window.ts';

describe('SlidingWindow', () => {
  it('keeps the last `size` bytes of everything pushed, oldest first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 10 }), (size, pushes) => {
        const window = new SlidingWindow(size);
        const all: number[] = [];
        for (const data of pushes) {
          window.push(data);
          all.push(...data);
          expect([...window.bytes]).toEqual(all.slice(Math.max(0, all.length - size)));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('clear() forgets the bytes', () => {
    const window = new SlidingWindow(4);
    window.push(new Uint8Array([1, 2, 3]));
    window.clear();
    expect(window.bytes.length).toBe(0);
    window.push(new Uint8Array([9]));
    expect([...window.bytes]).toEqual([9]);
  });
});
