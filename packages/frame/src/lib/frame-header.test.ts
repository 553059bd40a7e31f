import { describe, expect, it } from 'vitest';
import { ERROR_CLOSE_CODES } from '@rfc6455/codes';
import { concat, fromHex, splitAt, toHex } from '../../test/bytes.ts';
import { parse } from '../../test/parse.ts';
import type { Frame, Role } from './frame.ts';
import { RSV1, RSV2, RSV3 } from './frame.ts';
import { FrameError } from './frame-error.ts';
import type { FrameErrorCode } from './frame-error.ts';
import { checkFirstBytes, headerLengthOf, readPayloadLength } from './frame-header.ts';
import { FrameParser } from './frame-parser.ts';
import type { FrameParserOptions } from './parser-options.ts';

// The table runs each header through a FrameParser, whole and byte by byte: the header rules must
// hold whether a header lies in one chunk or was gathered across many.
describe('frame headers: every error of the table', () => {
  const cases: [string, Role, string, FrameErrorCode, Partial<FrameParserOptions>?][] = [
    ['reserved data opcode 3', 'client', '8300', 'WS_ERR_INVALID_OPCODE'],
    ['reserved data opcode 7', 'client', '8700', 'WS_ERR_INVALID_OPCODE'],
    ['reserved control opcode B', 'client', '8b00', 'WS_ERR_INVALID_OPCODE'],
    ['reserved control opcode F', 'server', '8f80', 'WS_ERR_INVALID_OPCODE'],
    ['RSV1 without an extension', 'client', 'c100', 'WS_ERR_UNEXPECTED_RSV_1'],
    ['RSV2 without an extension', 'client', 'a100', 'WS_ERR_UNEXPECTED_RSV_2_3'],
    ['RSV3 without an extension', 'client', '9100', 'WS_ERR_UNEXPECTED_RSV_2_3'],
    ['RSV2 when only RSV1 is owned', 'client', 'e100', 'WS_ERR_UNEXPECTED_RSV_2_3', { allowedRsvBits: RSV1 }],
    ['fragmented ping', 'client', '0900', 'WS_ERR_EXPECTED_FIN'],
    ['fragmented close', 'client', '0800', 'WS_ERR_EXPECTED_FIN'],
    ['ping of 126 bytes (16-bit form)', 'client', '897e007e', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'],
    ['close with 64-bit length', 'client', '887f', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'],
    ['64-bit length with the top bit set', 'client', '827f8000000000000000', 'WS_ERR_INVALID_PAYLOAD_LENGTH'],
    ['16-bit form for 125 bytes', 'client', '827e007d', 'WS_ERR_INVALID_PAYLOAD_LENGTH'],
    ['64-bit form for 65535 bytes', 'client', '827f000000000000ffff', 'WS_ERR_INVALID_PAYLOAD_LENGTH'],
    ['server receives an unmasked frame', 'server', '810548656c6c6f', 'WS_ERR_EXPECTED_MASK'],
    ['client receives a masked frame', 'client', '818537fa213d7f9f4d5158', 'WS_ERR_UNEXPECTED_MASK'],
    ['payload over maxPayloadLength', 'client', '820b', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', { maxPayloadLength: 10 }],
    ['64 MiB + 1 bytes, over the default limit', 'client', '827f0000000004000001', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'],
    ['length over 2^53 - 1', 'client', '827f0020000000000000', 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', { maxPayloadLength: Infinity }],
  ];
  for (const [name, role, hex, code, options] of cases) {
    it(`${name} → ${code} (${ERROR_CLOSE_CODES[code]})`, () => {
      const bytes = fromHex(hex);
      for (const pieces of [[bytes], splitAt(bytes, Array.from(bytes, (_, i) => i))]) {
        const frames: Frame[] = [];
        const parser = new FrameParser({ role, onFrame: (f) => frames.push(f), ...options });
        let returned: FrameError | undefined;
        for (const piece of pieces) returned = parser.push(piece) ?? returned;
        expect(returned).toBeInstanceOf(FrameError);
        expect(returned?.code).toBe(code);
        expect(returned?.closeCode).toBe(code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH' ? 1009 : 1002);
        expect(returned?.name).toBe('FrameError');
        expect(parser.error).toBe(returned);
        expect(parser.stopped).toBe(true);
        expect(frames).toHaveLength(0);
      }
    });
  }

  it('fails on the first two bytes, before the rest of the header arrives', () => {
    const parser = new FrameParser({ role: 'server', onFrame: () => {} });
    expect(parser.push(fromHex('81'))).toBeUndefined();
    expect(parser.push(fromHex('05'))?.code).toBe('WS_ERR_EXPECTED_MASK');
  });

  it('accepts non-minimal lengths with allowNonMinimalLength', () => {
    const bytes = concat([fromHex('827e0003 616263 827f0000000000000002 6465')]);
    const { frames, error } = parse([bytes], { role: 'client', allowNonMinimalLength: true });
    expect(error).toBeUndefined();
    expect(frames.map((f) => toHex(f.payload))).toEqual(['616263', '6465']);
  });

  it('accepts a payload of exactly maxPayloadLength', () => {
    const { frames, error } = parse([fromHex('820a'), new Uint8Array(10)], { role: 'client', maxPayloadLength: 10 });
    expect(error).toBeUndefined();
    expect(frames).toHaveLength(1);
  });
});

describe('frame headers: the functions on their own', () => {
  it('headerLengthOf: 2, 4 or 10 bytes by the 7-bit length, 4 more with the mask bit', () => {
    expect([0x05, 0x7d, 0x7e, 0x7f, 0x85, 0xfe, 0xff].map(headerLengthOf)).toEqual([2, 2, 4, 10, 6, 8, 14]);
  });

  it('checkFirstBytes: undefined for a good header, the exact code for each rule', () => {
    expect(checkFirstBytes(0x81, 0x85, 0, true)).toBeUndefined();
    expect(checkFirstBytes(0xc1, 0x05, RSV1, false)).toBeUndefined();
    expect(checkFirstBytes(0x89, 0x7d, 0, false)).toBeUndefined();
    const codes = [
      checkFirstBytes(0x83, 0x00, 0, false),
      checkFirstBytes(0xc1, 0x00, 0, false),
      checkFirstBytes(0xa1, 0x00, RSV1 | RSV3, false),
      checkFirstBytes(0x91, 0x00, RSV1 | RSV2, false),
      checkFirstBytes(0x09, 0x00, 0, false),
      checkFirstBytes(0x89, 0x7e, 0, false),
      checkFirstBytes(0x81, 0x80, 0, false),
      checkFirstBytes(0x81, 0x00, 0, true),
    ].map((error) => error?.code);
    expect(codes).toEqual([
      'WS_ERR_INVALID_OPCODE',
      'WS_ERR_UNEXPECTED_RSV_1',
      'WS_ERR_UNEXPECTED_RSV_2_3',
      'WS_ERR_UNEXPECTED_RSV_2_3',
      'WS_ERR_EXPECTED_FIN',
      'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
      'WS_ERR_UNEXPECTED_MASK',
      'WS_ERR_EXPECTED_MASK',
    ]);
  });

  it('readPayloadLength: the 7-, 16- and 64-bit forms, read at an offset', () => {
    expect(readPayloadLength(fromHex('ff 827d'), 1, false)).toBe(125);
    expect(readPayloadLength(fromHex('ff ff 827e 0100'), 2, false)).toBe(256);
    expect(readPayloadLength(fromHex('827f 0000000000010000'), 0, false)).toBe(65536);
    expect(readPayloadLength(fromHex('827f 001fffffffffffff'), 0, false)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('readPayloadLength: a longer form than needed only with allowNonMinimalLength; the top bit and over 2^53 − 1 never', () => {
    const errorCode = (hex: string, allow: boolean): unknown => {
      const result = readPayloadLength(fromHex(hex), 0, allow);
      return result instanceof FrameError ? result.code : result;
    };
    expect(errorCode('827e 007d', false)).toBe('WS_ERR_INVALID_PAYLOAD_LENGTH');
    expect(errorCode('827e 007d', true)).toBe(125);
    expect(errorCode('827f 000000000000ffff', false)).toBe('WS_ERR_INVALID_PAYLOAD_LENGTH');
    expect(errorCode('827f 000000000000ffff', true)).toBe(65535);
    expect(errorCode('827f 8000000000000000', true)).toBe('WS_ERR_INVALID_PAYLOAD_LENGTH');
    expect(errorCode('827f 0020000000000000', true)).toBe('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH');
  });
});
