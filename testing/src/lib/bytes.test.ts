import { describe, expect, it } from 'vitest';
import { cutAt, cutEvery, fromHex, toBytes, toHex } from './bytes.ts';

describe('hex', () => {
  it('writes the bytes of a view, not of its whole buffer', () => {
    const all = Uint8Array.of(0x00, 0xca, 0xfe, 0xff);
    expect(toHex(all.subarray(1, 3))).toBe('cafe');
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('reads hex grouped with whitespace into a plain Uint8Array', () => {
    const bytes = fromHex('ce ba\n e1bd');
    expect(Array.from(bytes)).toEqual([0xce, 0xba, 0xe1, 0xbd]);
    expect(Buffer.isBuffer(bytes)).toBe(false);
    expect(() => fromHex('abc')).toThrow(TypeError);
    expect(() => fromHex('zz')).toThrow(/hex digits/);
  });
});

describe('toBytes', () => {
  it('encodes text as UTF-8 and views bytes without copying', () => {
    expect(toHex(toBytes('żó'))).toBe('c5bcc3b3');
    expect(toBytes(undefined).length).toBe(0);
    const source = Uint8Array.of(1, 2, 3);
    toBytes(source)[0] = 9;
    expect(source[0]).toBe(9);
  });
});

describe('cutAt', () => {
  it('cuts at points taken modulo the length, sorted and deduplicated', () => {
    const chunks = cutAt(Uint8Array.of(0, 1, 2, 3, 4), [3, 8, 1, 0, -1, 9]);
    expect(chunks.map((c) => Array.from(c))).toEqual([[0], [1, 2], [3], [4]]);
    expect(cutAt(new Uint8Array(0), [1, 2])).toEqual([]);
  });

  it('copies into plain Uint8Arrays, even from a Buffer', () => {
    const source = Buffer.from([1, 2, 3, 4]);
    const [first, second] = cutAt(source, [2]);
    expect(Buffer.isBuffer(first)).toBe(false);
    first![0] = 9;
    expect(source[0]).toBe(1);
    expect(Array.from(second!)).toEqual([3, 4]);
  });
});

describe('cutEvery', () => {
  it('cuts into pieces of the given size, the last one shorter', () => {
    const pieces = cutEvery(Uint8Array.of(1, 2, 3, 4, 5), 2);
    expect(pieces.map((p) => toHex(p))).toEqual(['0102', '0304', '05']);
    expect(cutEvery(new Uint8Array(0), 4)).toEqual([]);
    expect(() => cutEvery(Uint8Array.of(1), 0)).toThrow(RangeError);
  });
});
