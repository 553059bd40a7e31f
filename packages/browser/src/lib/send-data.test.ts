import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sendDataByteLength, utf8ByteLength } from './send-data.ts';

describe('utf8ByteLength', () => {
  it('counts like TextEncoder for any string, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (text) => {
        expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
      }),
      { numRuns: 500 },
    );
  });

  it('counts exact bytes for each UTF-8 length', () => {
    expect(utf8ByteLength('a')).toBe(1);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('😀')).toBe(4);
    expect(utf8ByteLength('\ud800')).toBe(3);
    expect(utf8ByteLength('\udc00x')).toBe(4);
  });
});

describe('sendDataByteLength', () => {
  it('measures every kind of data send() takes', () => {
    expect(sendDataByteLength('héllo')).toBe(6);
    expect(sendDataByteLength(new ArrayBuffer(7))).toBe(7);
    expect(sendDataByteLength(new Uint16Array(3))).toBe(6);
    expect(sendDataByteLength(new DataView(new ArrayBuffer(9), 2, 4))).toBe(4);
    expect(sendDataByteLength(new Blob(['abc', new Uint8Array(2)]))).toBe(5);
  });

  it('throws TypeError for anything else', () => {
    expect(() => sendDataByteLength({} as unknown as string)).toThrow(TypeError);
    expect(() => sendDataByteLength(null as unknown as string)).toThrow(TypeError);
  });
});
