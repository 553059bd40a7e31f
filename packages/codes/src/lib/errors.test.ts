import { describe, expect, it } from 'vitest';
import { WebSocketError, closeStatus, isWebSocketError } from './errors.ts';

describe('WebSocketError', () => {
  it('carries a stable code, a close code and a cause', () => {
    const cause = new Error('low level');
    const err = new WebSocketError('WS_ERR_INVALID_OPCODE', 'Invalid opcode 3', { closeCode: 1002, cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('WebSocketError');
    expect(err.code).toBe('WS_ERR_INVALID_OPCODE');
    expect(err.closeCode).toBe(1002);
    expect(err.cause).toBe(cause);
    expect(err.message).toBe('Invalid opcode 3');
  });

  it('is recognised by shape, across copies of the package', () => {
    const foreign = Object.assign(new Error('x'), { code: 'WS_ERR_X' });
    expect(isWebSocketError(foreign)).toBe(true);
    expect(isWebSocketError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isWebSocketError({ code: 'WS_ERR_X' })).toBe(false);
  });
});

describe('closeStatus', () => {
  it('finds the close code on the error or along its causes', () => {
    const inner = new WebSocketError('WS_ERR_INVALID_UTF8', 'bad', { closeCode: 1007 });
    expect(closeStatus(inner)).toBe(1007);
    expect(closeStatus(new Error('wrapper', { cause: inner }))).toBe(1007);
    expect(closeStatus(new Error('none'))).toBeUndefined();
    expect(closeStatus(undefined)).toBeUndefined();
    expect(closeStatus('string')).toBeUndefined();
  });
});
