import { describe, expect, it } from 'vitest';
import { byteLengthOf, isSendData, toBytes, toControlPayload } from './send-data.ts';

describe('byteLengthOf', () => {
  it('counts UTF-8 bytes of a string (a lone surrogate as the 3 of U+FFFD) and the bytes of the rest', () => {
    expect(byteLengthOf('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(byteLengthOf('\ud800')).toBe(3);
    expect(byteLengthOf(new Uint16Array(3))).toBe(6);
    expect(byteLengthOf(new ArrayBuffer(4))).toBe(4);
    expect(byteLengthOf(new Blob(['abc']))).toBe(3);
  });
});

describe('isSendData and toBytes', () => {
  it('accepts strings, buffers, views and Blobs only', () => {
    for (const data of ['', new ArrayBuffer(0), new DataView(new ArrayBuffer(1)), Buffer.alloc(1), new Blob([])]) expect(isSendData(data)).toBe(true);
    for (const data of [1, null, undefined, {}, [1]]) expect(isSendData(data)).toBe(false);
  });

  it('views the same memory as the data, exactly its bytes', () => {
    const backing = new Uint8Array([1, 2, 3, 4]);
    const bytes = toBytes(new DataView(backing.buffer, 1, 2));
    expect([...bytes]).toEqual([2, 3]);
    expect(bytes.buffer).toBe(backing.buffer);
    expect(toBytes(backing)).toBe(backing);
    expect([...toBytes(backing.buffer)]).toEqual([1, 2, 3, 4]);
  });
});

describe('toControlPayload', () => {
  it('takes a number as its decimal text (as ws does) and refuses a Blob or another type', () => {
    expect(toControlPayload(undefined)).toBeUndefined();
    expect(toControlPayload(42)).toBe('42');
    expect(toControlPayload('x')).toBe('x');
    expect([...(toControlPayload(Uint8Array.of(1, 2)) as Uint8Array)]).toEqual([1, 2]);
    expect(() => toControlPayload(new Blob(['x']))).toThrow(/not a Blob/);
    expect(() => toControlPayload({} as unknown as string)).toThrow(TypeError);
  });
});
