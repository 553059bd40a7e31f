import { ERROR_CLOSE_CODES, ErrorCode, WebSocketError, closeStatus } from '@rfc6455/codes';
import { describe, expect, it } from 'vitest';
import { FrameError, FrameErrorCode } from './frame-error.ts';

describe('FrameErrorCode', () => {
  it("uses the catalogue's names and values", () => {
    for (const [name, code] of Object.entries(FrameErrorCode)) {
      expect(ErrorCode[name as keyof typeof ErrorCode]).toBe(code);
    }
    expect(Object.keys(FrameErrorCode)).toHaveLength(13);
  });

  it('has a close code for every code, from the catalogue', () => {
    for (const code of Object.values(FrameErrorCode)) {
      expect(ERROR_CLOSE_CODES[code]).toBeTypeOf('number');
      expect(new FrameError(code, 'x').closeCode).toBe(ERROR_CLOSE_CODES[code]);
    }
  });
});

describe('FrameError', () => {
  it('is a WebSocketError with its code, close code, name and cause', () => {
    const cause = new Error('inner');
    const err = new FrameError(FrameErrorCode.InvalidUtf8, 'bad text', { cause });
    expect(err).toBeInstanceOf(WebSocketError);
    expect([err.name, err.code, err.closeCode, err.message, err.cause]).toEqual([
      'FrameError',
      'WS_ERR_INVALID_UTF8',
      1007,
      'bad text',
      cause,
    ]);
    expect(closeStatus(new FrameError(FrameErrorCode.UnsupportedMessageLength, 'big'))).toBe(1009);
    expect(closeStatus(new FrameError(FrameErrorCode.ExpectedMask, 'mask'))).toBe(1002);
  });
});
