import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../test/bytes.ts';
import { applyMask, generateMaskKey, maskInto, setMaskImplementation } from './mask.ts';
import type { MaskImplementation } from './mask.ts';
import { SIMD_BLOCK, simdKernel } from './mask-simd.ts';

/** The obvious definition, byte by byte (RFC 6455 §5.3). */
function referenceMask(data: Uint8Array, key: Uint8Array, offset = 0): Uint8Array {
  return data.map((b, i) => b ^ key[(i + offset) % 4]!);
}

const key = fromHex('37fa213d');

describe('applyMask', () => {
  it('masks "Hello" as in RFC 6455 §5.7', () => {
    const data = new TextEncoder().encode('Hello');
    applyMask(data, key);
    expect(toHex(data)).toBe('7f9f4d5158');
    applyMask(data, key);
    expect(new TextDecoder().decode(data)).toBe('Hello');
  });

  it('continues the key cycle from an offset', () => {
    const data = fromHex('0000000000');
    applyMask(data, key, 3);
    expect(toHex(data)).toBe('3d37fa213d');
  });

  it('matches the byte-wise definition for any length, alignment and offset', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.integer({ min: 0, max: 7 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat(1000),
        (data, shift, maskKey, offset) => {
          // Place the data at every alignment of an underlying buffer, with guard bytes around it.
          const backing = new Uint8Array(data.length + 16).fill(0xaa);
          backing.set(data, shift);
          const view = backing.subarray(shift, shift + data.length);
          applyMask(view, maskKey, offset);
          expect(Array.from(view)).toEqual(Array.from(referenceMask(data, maskKey, offset)));
          expect(Array.from(backing.subarray(0, shift)).every((b) => b === 0xaa)).toBe(true);
          expect(Array.from(backing.subarray(shift + data.length)).every((b) => b === 0xaa)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('masks a large buffer a word at a time with the same result', () => {
    const data = new Uint8Array(70_001).map((_, i) => (i * 31) & 0xff);
    const expected = referenceMask(data, key, 1);
    const backing = new Uint8Array(70_004);
    backing.set(data, 3);
    const view = backing.subarray(3, 3 + data.length);
    applyMask(view, key, 1);
    expect(toHex(view)).toBe(toHex(expected));
  });

  it('has the WebAssembly SIMD kernel on this runtime, so the large-payload tier is exercised', () => {
    expect(simdKernel()).toBeDefined();
  });

  it('matches the byte-wise definition across SIMD block boundaries, alignments and offsets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4000, max: 2 * SIMD_BLOCK + 40 }),
        fc.nat(3),
        fc.nat(3),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (length, shift, offset, maskKey) => {
          const data = new Uint8Array(length).map((_, i) => (i * 131 + 7) & 0xff);
          const backing = new Uint8Array(length + 8);
          backing.set(data, shift);
          const view = backing.subarray(shift, shift + length);
          applyMask(view, maskKey, offset);
          expect(toHex(view)).toBe(toHex(referenceMask(data, maskKey, offset)));
          expect(backing[shift + length]).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('rejects misuse at once', () => {
    expect(() => applyMask(new Uint8Array(4), new Uint8Array(3))).toThrow(RangeError);
    expect(() => applyMask(new Uint8Array(4), [1, 2, 3, 4] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => applyMask(new Uint8Array(4), key, -1)).toThrow(RangeError);
    expect(() => applyMask('abcd' as unknown as Uint8Array, key)).toThrow(TypeError);
  });
});

describe('maskInto', () => {
  it('writes the masked bytes at the offset and leaves the source alone', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(9), fc.nat(5), (source, targetOffset, sourceShift) => {
        const backing = new Uint8Array(source.length + 8);
        backing.set(source, sourceShift);
        const src = backing.subarray(sourceShift, sourceShift + source.length);
        const before = toHex(src);
        const target = new Uint8Array(targetOffset + source.length + 2).fill(0x55);
        maskInto(src, key, target, targetOffset);
        expect(toHex(src)).toBe(before);
        expect(toHex(target.subarray(targetOffset, targetOffset + source.length))).toBe(
          toHex(referenceMask(source, key)),
        );
        expect(target[targetOffset + source.length]).toBe(0x55);
        if (targetOffset > 0) expect(target[targetOffset - 1]).toBe(0x55);
      }),
      { numRuns: 200 },
    );
  });

  it('matches the definition for large inputs (SIMD copy path) at any alignment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4000, max: 40_000 }), fc.nat(3), fc.nat(3), (length, sourceShift, targetOffset) => {
        const backing = new Uint8Array(length + 4);
        const source = backing.subarray(sourceShift, sourceShift + length).map((_, i) => (i * 17 + 3) & 0xff);
        const target = new Uint8Array(length + 8);
        maskInto(source, key, target, targetOffset);
        expect(toHex(target.subarray(targetOffset, targetOffset + length))).toBe(toHex(referenceMask(source, key)));
        expect(target[targetOffset + length]).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a target without room', () => {
    expect(() => maskInto(new Uint8Array(5), key, new Uint8Array(6), 2)).toThrow(RangeError);
    expect(() => maskInto(new Uint8Array(5), key, new Uint8Array(6), -1)).toThrow(RangeError);
  });
});

describe('generateMaskKey', () => {
  it('uses an injected random source', () => {
    const k = generateMaskKey((t) => t.set([1, 2, 3, 4]));
    expect(Array.from(k)).toEqual([1, 2, 3, 4]);
  });

  it('hands out distinct 4-byte keys from the pool that stay stable across pool refills', () => {
    const first = generateMaskKey();
    const snapshot = Array.from(first);
    const keys = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const k = generateMaskKey();
      expect(k.length).toBe(4);
      keys.add(toHex(k));
    }
    // 3000 draws cross at least two 4 KiB pools; the first key must not change under a refill.
    expect(Array.from(first)).toEqual(snapshot);
    // 32-bit random keys: collisions among 3000 are possible but vanishingly rare (p < 0.1%).
    expect(keys.size).toBeGreaterThan(2990);
  });

  it('rejects a random source that is not a function', () => {
    expect(() => generateMaskKey(42 as unknown as (t: Uint8Array) => void)).toThrow(TypeError);
  });
});

describe('setMaskImplementation', () => {
  /** A stand-in for bufferutil: the byte-wise definition, recording the lengths it was called with. */
  function fakeNative(calls: string[]): MaskImplementation {
    return {
      mask(source, mask, output, offset, length) {
        calls.push(`mask ${length}`);
        for (let i = 0; i < length; i++) output[offset + i] = source[i]! ^ mask[i & 3]!;
      },
      unmask(buffer, mask) {
        calls.push(`unmask ${buffer.length}`);
        for (let i = 0; i < buffer.length; i++) buffer[i]! ^= mask[i & 3]!;
      },
    };
  }

  it('routes 48 bytes and more to the plugged-in code, with the key rotated for an offset', () => {
    const calls: string[] = [];
    setMaskImplementation(fakeNative(calls));
    try {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(7), fc.nat(9), (data, offset, shift) => {
          const backing = new Uint8Array(data.length + 16).fill(0xaa);
          backing.set(data, shift);
          const view = backing.subarray(shift, shift + data.length);
          applyMask(view, key, offset);
          expect(toHex(view)).toBe(toHex(referenceMask(data, key, offset)));
          expect(backing[shift + data.length]).toBe(0xaa);
          const target = new Uint8Array(data.length + 3).fill(0x55);
          maskInto(data, key, target, 2);
          expect(toHex(target.subarray(2, 2 + data.length))).toBe(toHex(referenceMask(data, key)));
          expect(target[1]).toBe(0x55);
        }),
        { numRuns: 200 },
      );
      calls.length = 0;
      applyMask(new Uint8Array(47), key);
      maskInto(new Uint8Array(47), key, new Uint8Array(47), 0);
      applyMask(new Uint8Array(48), key);
      maskInto(new Uint8Array(48), key, new Uint8Array(48), 0);
      expect(calls).toEqual(['unmask 48', 'mask 48']);
    } finally {
      setMaskImplementation(undefined);
    }
    calls.length = 0;
    applyMask(new Uint8Array(1000), key);
    expect(calls).toEqual([]);
  });

  it('rejects an object without mask() and unmask()', () => {
    expect(() => setMaskImplementation({ mask() {} } as unknown as MaskImplementation)).toThrow(TypeError);
    expect(() => setMaskImplementation(null as unknown as MaskImplementation)).toThrow(TypeError);
  });
});
