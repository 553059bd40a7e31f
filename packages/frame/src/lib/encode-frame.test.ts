import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../test/bytes.ts';
import { encodeFrame, frameHeaderLength, writeFrameHeader } from './encode-frame.ts';

const hello = new TextEncoder().encode('Hello');
const key = fromHex('37fa213d');

describe('encodeFrame: RFC 6455 §5.7 examples', () => {
  it('single-frame unmasked text', () => {
    expect(toHex(encodeFrame(0x1, hello))).toBe('810548656c6c6f');
  });
  it('single-frame masked text', () => {
    expect(toHex(encodeFrame(0x1, hello, { maskKey: key }))).toBe('818537fa213d7f9f4d5158');
  });
  it('fragmented unmasked text "Hel" + "lo"', () => {
    expect(toHex(encodeFrame(0x1, hello.subarray(0, 3), { fin: false }))).toBe('010348656c');
    expect(toHex(encodeFrame(0x0, hello.subarray(3)))).toBe('80026c6f');
  });
  it('unmasked ping and masked pong', () => {
    expect(toHex(encodeFrame(0x9, hello))).toBe('890548656c6c6f');
    expect(toHex(encodeFrame(0xa, hello, { maskKey: key }))).toBe('8a8537fa213d7f9f4d5158');
  });
  it('256-byte binary in the 16-bit length form', () => {
    const frame = encodeFrame(0x2, new Uint8Array(256));
    expect(toHex(frame.subarray(0, 4))).toBe('827e0100');
    expect(frame.length).toBe(260);
  });
  it('64 KiB binary in the 64-bit length form', () => {
    const frame = encodeFrame(0x2, new Uint8Array(65536));
    expect(toHex(frame.subarray(0, 10))).toBe('827f0000000000010000');
    expect(frame.length).toBe(65546);
  });
});

describe('encodeFrame', () => {
  it('hands out frames that never share bytes, at every size class', () => {
    // Small frames may be views into one shared slab: a later frame must not overwrite an earlier one.
    const sizes = [0, 10, 60, 70, 200, 1000, 4090, 5000, 70_000];
    const frames = sizes.map((n, i) => encodeFrame(0x2, new Uint8Array(n).fill(i + 1), { maskKey: key }));
    frames.forEach((frame, i) => {
      const n = sizes[i]!;
      const start = frame.length - n;
      expect(frame.length).toBe(frameHeaderLength(n, true) + n);
      const unmasked = frame.subarray(start).map((b, j) => b ^ key[j & 3]!);
      expect(unmasked.every((b) => b === i + 1)).toBe(true);
    });
  });

  it('picks the shortest length form at each boundary', () => {
    const cases: [number, string][] = [
      [0, '8200'],
      [125, '827d'],
      [126, '827e007e'],
      [65535, '827effff'],
      [65536, '827f0000000000010000'],
    ];
    for (const [length, header] of cases) {
      const frame = encodeFrame(0x2, new Uint8Array(length));
      expect(toHex(frame.subarray(0, header.length / 2)), String(length)).toBe(header);
      expect(frame.length).toBe(header.length / 2 + length);
    }
  });

  it('sets the RSV bits', () => {
    expect(toHex(encodeFrame(0x1, new Uint8Array(0), { rsv1: true }))).toBe('c100');
    expect(toHex(encodeFrame(0x1, new Uint8Array(0), { rsv2: true }))).toBe('a100');
    expect(toHex(encodeFrame(0x1, new Uint8Array(0), { rsv3: true, fin: false }))).toBe('1100');
  });

  it('never changes the payload when masking', () => {
    const payload = new Uint8Array(300).fill(7);
    const frame = encodeFrame(0x2, payload, { maskKey: key });
    expect(payload.every((b) => b === 7)).toBe(true);
    expect(frame[1]).toBe(0xfe);
    expect(frame[8]).toBe(7 ^ 0x37);
  });

  it('refuses misuse', () => {
    expect(() => encodeFrame(16, hello)).toThrow(RangeError);
    expect(() => encodeFrame(-1, hello)).toThrow(RangeError);
    expect(() => encodeFrame(1.5, hello)).toThrow(RangeError);
    expect(() => encodeFrame(0x9, new Uint8Array(126))).toThrow(RangeError);
    expect(() => encodeFrame(0x8, new Uint8Array(2), { fin: false })).toThrow(RangeError);
    expect(() => encodeFrame(0x1, hello, { maskKey: new Uint8Array(5) })).toThrow(RangeError);
    expect(() => encodeFrame(0x1, 'Hello' as unknown as Uint8Array)).toThrow(TypeError);
    expect(encodeFrame(0x9, new Uint8Array(125)).length).toBe(127);
  });
});

describe('frameHeaderLength', () => {
  it('is 2, 4 or 10 plus 4 when masked', () => {
    expect(frameHeaderLength(0, false)).toBe(2);
    expect(frameHeaderLength(125, true)).toBe(6);
    expect(frameHeaderLength(126, false)).toBe(4);
    expect(frameHeaderLength(65535, true)).toBe(8);
    expect(frameHeaderLength(65536, false)).toBe(10);
    expect(frameHeaderLength(Number.MAX_SAFE_INTEGER, true)).toBe(14);
    expect(() => frameHeaderLength(-1, false)).toThrow(RangeError);
    expect(() => frameHeaderLength(2 ** 53, false)).toThrow(RangeError);
  });
});

describe('writeFrameHeader', () => {
  it('writes a header at an offset for a corked buffer and returns the end', () => {
    const target = new Uint8Array(20).fill(0xee);
    const end = writeFrameHeader(target, 3, 0x1, 5, { maskKey: key });
    expect(end).toBe(9);
    expect(toHex(target.subarray(0, 10))).toBe('eeeeee818537fa213dee');
  });

  it('writes the largest safe length in the 64-bit form', () => {
    const target = new Uint8Array(10);
    writeFrameHeader(target, 0, 0x2, Number.MAX_SAFE_INTEGER);
    expect(toHex(target)).toBe('827f001fffffffffffff');
  });

  it('refuses a target without room and bad lengths', () => {
    expect(() => writeFrameHeader(new Uint8Array(3), 0, 0x2, 200)).toThrow(RangeError);
    expect(() => writeFrameHeader(new Uint8Array(10), 9, 0x2, 1)).toThrow(RangeError);
    expect(() => writeFrameHeader(new Uint8Array(10), 0, 0x2, -5)).toThrow(RangeError);
    expect(() => writeFrameHeader(new Uint8Array(10), 0, 0x8, 126)).toThrow(RangeError);
  });
});
