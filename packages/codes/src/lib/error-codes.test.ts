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
    expect(ERROR_CLOSE_CODES[ErrorCode.MessageTooBig]).toBe(1009);
    expect(ERROR_CLOSE_CODES[ErrorCode.TooManyFragments]).toBe(1009);
    expect(ERROR_CLOSE_CODES[ErrorCode.ExtensionFailed]).toBe(1011);
    expect(ERROR_CLOSE_CODES[ErrorCode.SlowConsumer]).toBe(1013);
    expect(ERROR_CLOSE_CODES[ErrorCode.HeartbeatTimeout]).toBe(1006);
  });

  it('has no close code for misuse or HTTP-only refusals', () => {
    expect(ERROR_CLOSE_CODES[ErrorCode.InvalidState]).toBeUndefined();
    expect(ERROR_CLOSE_CODES[ErrorCode.NotOpen]).toBeUndefined();
    expect(ERROR_CLOSE_CODES[ErrorCode.ForbiddenOrigin]).toBeUndefined();
    expect(ERROR_CLOSE_CODES[ErrorCode.ForwardFailed]).toBeUndefined();
  });

  it('only maps codes of the catalogue', () => {
    for (const code of Object.keys(ERROR_CLOSE_CODES)) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('WS_ERR_NOT_A_CODE')).toBe(false);
    expect(isErrorCode(1002)).toBe(false);
  });
});
