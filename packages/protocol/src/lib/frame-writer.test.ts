import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame } from '@rfc6455/frame';
import { encodeDataFrame, encodeHeader, encodeTextFrame } from './frame-writer.ts';
import { toHex, utf8 } from '../../test/recorder.ts';

const KEY = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

describe('frame writer', () => {
  it('builds the same bytes as encodeFrame, masked or not, in all three length forms', () => {
    for (const size of [0, 1, 125, 126, 4000, 65535, 65536]) {
      const payload = new Uint8Array(size).map((_, i) => i * 31);
      expect(toHex(encodeDataFrame(2, payload, true, 0, undefined))).toBe(toHex(encodeFrame(2, payload)));
      expect(toHex(encodeDataFrame(0, payload, false, 4, KEY))).toBe(
        toHex(encodeFrame(0, payload, { fin: false, rsv1: true, maskKey: KEY })),
      );
    }
    expect(toHex(encodeHeader(2, 70000, true, 0))).toBe('827f0000000000011170');
  });

  it('encodes strings straight into a text frame, multi-byte and across the 126-byte boundary', () => {
    for (const text of ['', 'Hello', 'é'.repeat(62), 'é'.repeat(63), '€'.repeat(50), '𝄞'.repeat(40), 'a'.repeat(16384)]) {
      expect(toHex(encodeTextFrame(text, undefined)!)).toBe(toHex(encodeFrame(1, utf8(text))));
      expect(toHex(encodeTextFrame(text, KEY)!)).toBe(toHex(encodeFrame(1, utf8(text), { maskKey: KEY })));
    }
    expect(encodeTextFrame('a'.repeat(16385), undefined)).toBeUndefined();
  });

  it('never hands out overlapping memory: earlier frames stay intact after many more', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 200 })), { maxLength: 200 }), (items) => {
        const frames = items.map((item) =>
          typeof item === 'string' ? encodeTextFrame(item, KEY)! : encodeDataFrame(2, item, true, 0, undefined),
        );
        const expected = items.map((item) =>
          typeof item === 'string' ? encodeFrame(1, utf8(item), { maskKey: KEY }) : encodeFrame(2, item),
        );
        expect(frames.map(toHex)).toEqual(expected.map(toHex));
      }),
      { numRuns: 100 },
    );
  });
});
