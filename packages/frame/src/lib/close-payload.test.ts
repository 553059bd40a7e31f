import fc from 'fast-check';
import { isValidCloseCode } from '@rfc6455/codes';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../test/bytes.ts';
import { encodeClosePayload, parseClosePayload } from './close-payload.ts';
import { FrameError } from './frame-error.ts';

describe('parseClosePayload', () => {
  it('reads an empty payload as 1005 with no reason', () => {
    expect(parseClosePayload(new Uint8Array(0))).toEqual({ code: 1005, reason: '' });
  });

  it('reads a code and a UTF-8 reason', () => {
    expect(parseClosePayload(fromHex('03e8 6279 65'))).toEqual({ code: 1000, reason: 'bye' });
    expect(parseClosePayload(fromHex('0fa0 cebae1bdb9cf83cebcceb5'))).toEqual({ code: 4000, reason: '\u03ba\u1f79\u03c3\u03bc\u03b5' });
  });

  it('keeps a leading BOM in the reason', () => {
    expect(parseClosePayload(fromHex('03e8 efbbbf 41'))).toEqual({ code: 1000, reason: '\ufeffA' });
  });

  it('fails a 1-byte payload with WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH (1002)', () => {
    const err = parseClosePayload(fromHex('03'));
    expect(err).toBeInstanceOf(FrameError);
    expect((err as FrameError).code).toBe('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH');
    expect((err as FrameError).closeCode).toBe(1002);
  });

  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
    it(`fails close code ${code} with WS_ERR_INVALID_CLOSE_CODE (1002)`, () => {
      const err = parseClosePayload(Uint8Array.of(code >> 8, code & 0xff));
      expect((err as FrameError).code).toBe('WS_ERR_INVALID_CLOSE_CODE');
      expect((err as FrameError).closeCode).toBe(1002);
    });
  }

  it('fails a reason that is not UTF-8 with WS_ERR_INVALID_UTF8 (1007)', () => {
    const err = parseClosePayload(fromHex('03e8 cebae1bdb9cf83cebcceb5 eda080 65646974 6564'));
    expect((err as FrameError).code).toBe('WS_ERR_INVALID_UTF8');
    expect((err as FrameError).closeCode).toBe(1007);
  });

  it('with skipUtf8Validation, accepts a reason that is not UTF-8, decoded with U+FFFD (ws\'s skipUTF8Validation)', () => {
    expect(parseClosePayload(fromHex('03e8 41ff42'), { skipUtf8Validation: true })).toEqual({ code: 1000, reason: 'A\ufffdB' });
    // The code and the length are still checked.
    expect((parseClosePayload(fromHex('03ed 41'), { skipUtf8Validation: true }) as FrameError).code).toBe('WS_ERR_INVALID_CLOSE_CODE');
  });

  it('never throws on random payloads, and accepts exactly the valid ones', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 125 }), (payload) => {
        const result = parseClosePayload(payload);
        if (result instanceof FrameError) {
          expect(['WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 'WS_ERR_INVALID_CLOSE_CODE', 'WS_ERR_INVALID_UTF8']).toContain(
            result.code,
          );
        } else if (payload.length > 0) {
          expect(isValidCloseCode(result.code)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('encodeClosePayload', () => {
  it('builds an empty payload without a code', () => {
    expect(encodeClosePayload().length).toBe(0);
    expect(encodeClosePayload(undefined, '').length).toBe(0);
  });

  it('builds code + reason bytes', () => {
    expect(toHex(encodeClosePayload(1000))).toBe('03e8');
    expect(toHex(encodeClosePayload(1001, 'bye'))).toBe('03e9627965');
    expect(toHex(encodeClosePayload(4999, 'é'))).toBe('1387c3a9');
  });

  it('copies a Uint8Array reason by its view only, not the rest of its buffer', () => {
    const backing = new TextEncoder().encode('XXXXokYYYY');
    const view = backing.subarray(4, 6);
    const payload = encodeClosePayload(1000, view);
    expect(toHex(payload)).toBe('03e86f6b');
    expect(payload.buffer.byteLength).toBe(4);
    backing[4] = 0x41;
    expect(toHex(payload)).toBe('03e86f6b');
  });

  it('accepts a reason of exactly 123 UTF-8 bytes and refuses 124', () => {
    expect(encodeClosePayload(1000, 'a'.repeat(123)).length).toBe(125);
    expect(() => encodeClosePayload(1000, 'a'.repeat(124))).toThrow(RangeError);
    // 62 two-byte characters = 124 bytes, though only 62 UTF-16 units.
    expect(() => encodeClosePayload(1000, 'é'.repeat(62))).toThrow(RangeError);
  });

  it('refuses codes that may not be sent', () => {
    for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000, 1000.5, Number.NaN]) {
      expect(() => encodeClosePayload(code), String(code)).toThrow(RangeError);
    }
  });

  it('refuses a reason without a code, and bytes that are not UTF-8', () => {
    expect(() => encodeClosePayload(undefined, 'why')).toThrow(TypeError);
    expect(() => encodeClosePayload(1000, fromHex('ff'))).toThrow(TypeError);
    expect(() => encodeClosePayload(1000, 42 as unknown as string)).toThrow(TypeError);
  });

  it('round-trips through parseClosePayload', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1000, max: 1003 }), fc.integer({ min: 1007, max: 1014 }), fc.integer({ min: 3000, max: 4999 })),
        fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => new TextEncoder().encode(s).length <= 123),
        (code, reason) => {
          expect(parseClosePayload(encodeClosePayload(code, reason))).toEqual({ code, reason });
        },
      ),
      { numRuns: 300 },
    );
  });
});
