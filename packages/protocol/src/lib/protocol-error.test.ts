import { ERROR_CLOSE_CODES, ErrorCode, WebSocketError, closeStatus } from '@rfc6455/codes';
import { describe, expect, it } from 'vitest';
import { ProtocolError, ProtocolErrorCode } from './protocol-error.ts';

describe('ProtocolErrorCode', () => {
  it("uses the catalogue's names and values", () => {
    for (const [name, code] of Object.entries(ProtocolErrorCode)) {
      expect(ErrorCode[name as keyof typeof ErrorCode]).toBe(code);
    }
    expect(Object.keys(ProtocolErrorCode)).toHaveLength(8);
  });

  it("takes each close code from the catalogue; only WS_ERR_INVALID_STATE has none", () => {
    const closeCodes = Object.values(ProtocolErrorCode).map((code) => [code, new ProtocolError(code, 'x').closeCode]);
    expect(closeCodes).toEqual(Object.values(ProtocolErrorCode).map((code) => [code, ERROR_CLOSE_CODES[code]]));
    expect(Object.fromEntries(closeCodes)).toEqual({
      WS_ERR_INVALID_OPCODE: 1002,
      WS_ERR_UNEXPECTED_RSV_1: 1002,
      WS_ERR_UNEXPECTED_RSV_2_3: 1002,
      WS_ERR_INVALID_UTF8: 1007,
      WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
      WS_ERR_TOO_MANY_BUFFERED_PARTS: 1008,
      WS_ERR_EXTENSION_FAILED: 1011,
      WS_ERR_INVALID_STATE: undefined,
    });
  });
});

describe('ProtocolError', () => {
  it('is a WebSocketError with its code, close code, name and cause', () => {
    const cause = new Error('zlib');
    const err = new ProtocolError(ProtocolErrorCode.ExtensionFailed, 'failed', { cause });
    expect(err).toBeInstanceOf(WebSocketError);
    expect([err.name, err.code, err.closeCode, err.message, err.cause]).toEqual(['ProtocolError', 'WS_ERR_EXTENSION_FAILED', 1011, 'failed', cause]);
    expect(closeStatus(new ProtocolError(ProtocolErrorCode.InvalidState, 'state'))).toBeUndefined();
  });
});
