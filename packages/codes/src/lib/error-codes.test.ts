import { describe, expect, it } from 'vitest';
import { ERROR_CLOSE_CODES, ErrorCode, isErrorCode } from './error-codes.ts';

describe('ErrorCode', () => {
  it('has one WS_ERR_ string per name, no two names for one code', () => {
    const values = Object.values(ErrorCode);
    for (const value of values) expect(value).toMatch(/^WS_ERR_[A-Z0-9_]+$/);
    expect(new Set(values).size).toBe(values.length);
  });

  it('names each code after its string (PascalCase of the part after WS_ERR_)', () => {
    for (const [name, value] of Object.entries(ErrorCode)) {
      const pascal = value
        .slice('WS_ERR_'.length)
        .split('_')
        .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
        .join('');
      expect(name).toBe(pascal);
    }
  });

  it('gives the wire close code of each peer violation', () => {
    expect(ERROR_CLOSE_CODES[ErrorCode.InvalidOpcode]).toBe(1002);
    expect(ERROR_CLOSE_CODES[ErrorCode.InvalidUtf8]).toBe(1007);
    expect(ERROR_CLOSE_CODES[ErrorCode.UnsupportedMessageLength]).toBe(1009);
    expect(ERROR_CLOSE_CODES[ErrorCode.UnsupportedDataPayloadLength]).toBe(1009);
    expect(ERROR_CLOSE_CODES[ErrorCode.TooManyBufferedParts]).toBe(1008);
    expect(ERROR_CLOSE_CODES[ErrorCode.ExtensionFailed]).toBe(1011);
    expect(ERROR_CLOSE_CODES[ErrorCode.SlowConsumer]).toBe(1013);
    expect(ERROR_CLOSE_CODES[ErrorCode.HeartbeatTimeout]).toBe(1006);
    expect(ERROR_CLOSE_CODES[ErrorCode.StreamReset]).toBe(1006);
  });

  it("uses ws's strings for the conditions ws has a code for (ws 8, doc/ws.md, Error codes)", () => {
    const ws = [
      'WS_ERR_EXPECTED_FIN',
      'WS_ERR_EXPECTED_MASK',
      'WS_ERR_INVALID_CLOSE_CODE',
      'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
      'WS_ERR_INVALID_OPCODE',
      'WS_ERR_INVALID_UTF8',
      'WS_ERR_UNEXPECTED_MASK',
      'WS_ERR_UNEXPECTED_RSV_1',
      'WS_ERR_UNEXPECTED_RSV_2_3',
      'WS_ERR_TOO_MANY_BUFFERED_PARTS',
      'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
      'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    ];
    for (const code of ws) expect(isErrorCode(code), code).toBe(true);
  });

  it('has no close code for misuse or HTTP-only refusals', () => {
    expect(ERROR_CLOSE_CODES[ErrorCode.InvalidState]).toBeUndefined();
    expect(ERROR_CLOSE_CODES[ErrorCode.NotOpen]).toBeUndefined();
    expect(ERROR_CLOSE_CODES[ErrorCode.ForbiddenOrigin]).toBeUndefined();
    expect(ERROR_CLOSE_CODES[ErrorCode.ForwardFailed]).toBeUndefined();
    expect(ERROR_CLOSE_CODES[ErrorCode.UnsupportedConnectProtocol]).toBeUndefined();
  });

  it('only maps codes of the catalogue', () => {
    for (const code of Object.keys(ERROR_CLOSE_CODES)) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('WS_ERR_NOT_A_CODE')).toBe(false);
    expect(isErrorCode(1002)).toBe(false);
  });
});
