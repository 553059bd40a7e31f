import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { EXAMPLE_MASK_KEY, RSV1, RSV2, RSV3, closePayload, encodeFrame } from './encode-frame.ts';
import { readFrames } from './frame-reader.ts';

describe('encodeFrame', () => {
  it('writes the examples of RFC 6455 §5.7 byte for byte', () => {
    expect(toHex(encodeFrame({ opcode: 1, payload: 'Hello' }))).toBe('810548656c6c6f');
    expect(toHex(encodeFrame({ opcode: 1, payload: 'Hello', mask: EXAMPLE_MASK_KEY }))).toBe('818537fa213d7f9f4d5158');
    expect(toHex(encodeFrame({ opcode: 1, payload: 'Hel', fin: false }))).toBe('010348656c');
    expect(toHex(encodeFrame({ opcode: 0, payload: 'lo' }))).toBe('80026c6f');
    expect(toHex(encodeFrame({ opcode: 9, payload: 'Hello' }))).toBe('890548656c6c6f');
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(256) }).subarray(0, 4))).toBe('827e0100');
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(65536) }).subarray(0, 10))).toBe('827f0000000000010000');
  });

  it('sets the reserved bits asked for', () => {
    expect(toHex(encodeFrame({ opcode: 1, payload: 'Hi', rsv: RSV1 }))).toBe('c1024869');
    expect(toHex(encodeFrame({ opcode: 2, rsv: RSV2 | RSV3 }))).toBe('b200');
    expect(toHex(encodeFrame({ opcode: 0xb, fin: false }))).toBe('0b00');
  });

  it('uses the minimal length form up to the boundaries', () => {
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(125) }).subarray(0, 2))).toBe('827d');
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(126) }).subarray(0, 4))).toBe('827e007e');
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(65535) }).subarray(0, 4))).toBe('827effff');
  });

  it('writes a non-minimal length form, and a length that lies', () => {
    expect(toHex(encodeFrame({ opcode: 1, payload: 'a', lengthForm: '16-bit' }))).toBe('817e000161');
    expect(toHex(encodeFrame({ opcode: 1, payload: 'a', lengthForm: '64-bit' }))).toBe('817f000000000000000161');
    expect(toHex(encodeFrame({ opcode: 2, announcedLength: 2 ** 63 }))).toBe('827f8000000000000000');
    expect(toHex(encodeFrame({ opcode: 2, payload: 'ab', announcedLength: 1 }))).toBe('82016162');
    expect(toHex(encodeFrame({ opcode: 2, announcedLength: 0xffff_ffff_ffff_ffffn }))).toBe('827fffffffffffffffff');
  });

  it('masks with a fresh random key when asked to', () => {
    const a = encodeFrame({ opcode: 9, payload: 'ab', mask: true });
    const b = encodeFrame({ opcode: 9, payload: 'ab', mask: true });
    expect(a[1]).toBe(0x82);
    expect(a.length).toBe(8);
    expect(toHex(a.subarray(2, 6))).not.toBe(toHex(b.subarray(2, 6)));
    const [frame] = readFrames(a, { expectMasked: true });
    expect(frame!.payload.toString()).toBe('ab');
    expect(frame!.violation).toBeUndefined();
  });

  it('refuses what does not fit the header', () => {
    expect(() => encodeFrame({ opcode: 16 })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1, rsv: 8 })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1, mask: Uint8Array.of(1, 2, 3) })).toThrow(/4 bytes/);
    expect(() => encodeFrame({ opcode: 2, announcedLength: 70_000, lengthForm: '16-bit' })).toThrow(/16-bit/);
    expect(() => encodeFrame({ opcode: 2, announcedLength: 2n ** 64n })).toThrow(RangeError);
  });
});

describe('closePayload', () => {
  it('writes the code big-endian, then the reason (RFC 6455 §5.5.1)', () => {
    expect(toHex(closePayload(1000, 'bye'))).toBe('03e8627965');
    expect(toHex(closePayload(4999))).toBe('1387');
    expect(toHex(closePayload(0, Uint8Array.of(0xff)))).toBe('0000ff');
    expect(closePayload().length).toBe(0);
    expect(() => closePayload(65536)).toThrow(RangeError);
  });
});
