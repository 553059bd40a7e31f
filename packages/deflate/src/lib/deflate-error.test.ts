import { ERROR_CLOSE_CODES, ErrorCode, WebSocketError, closeStatus } from '@rfc6455/codes';
import { describe, expect, it } from 'vitest';
import { DeflateError, DeflateErrorCode } from './deflate-error.ts';

describe('DeflateErrorCode', () => {
  it("uses the catalogue's names and values", () => {
    for (const [name, code] of Object.entries(DeflateErrorCode)) {
      expect(ErrorCode[name as keyof typeof ErrorCode]).toBe(code);
    }
    expect(Object.keys(DeflateErrorCode)).toHaveLength(4);
  });
});

describe('DeflateError', () => {
  it('is a WebSocketError with its code, the close code of the catalogue, a name and a cause', () => {
    const cause = new Error('zlib');
    const err = new DeflateError(DeflateErrorCode.InvalidCompressedData, 'bad', { cause });
    expect(err).toBeInstanceOf(WebSocketError);
    expect([err.name, err.code, err.closeCode, err.message, err.cause]).toEqual(['DeflateError', 'WS_ERR_INVALID_COMPRESSED_DATA', 1007, 'bad', cause]);
    expect(Object.values(DeflateErrorCode).map((code) => new DeflateError(code, 'x').closeCode)).toEqual(
      Object.values(DeflateErrorCode).map((code) => ERROR_CLOSE_CODES[code]),
    );
    expect(Object.values(DeflateErrorCode).map((code) => closeStatus(new DeflateError(code, 'x')))).toEqual([1009, 1007, 1006, undefined]);
  });
});
