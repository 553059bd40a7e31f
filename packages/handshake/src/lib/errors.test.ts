import { WebSocketError, closeStatus, isWebSocketError } from '@rfc6455/codes';
import { describe, expect, it } from 'vitest';
import { HandshakeError, isHandshakeError } from './errors.ts';

describe('HandshakeError', () => {
  it('is a WebSocketError with a code, a status, headers and an optional close code', () => {
    const cause = new Error('inner');
    const err = new HandshakeError('WS_ERR_UNSUPPORTED_VERSION', 'v', { status: 426, headers: { 'Sec-WebSocket-Version': '13' }, cause });
    expect(err).toBeInstanceOf(WebSocketError);
    expect(err.name).toBe('HandshakeError');
    expect([err.code, err.status, err.headers['Sec-WebSocket-Version'], err.closeCode, err.cause]).toEqual(['WS_ERR_UNSUPPORTED_VERSION', 426, '13', undefined, cause]);
    expect(isWebSocketError(err)).toBe(true);
    expect(closeStatus(new HandshakeError('WS_ERR_INVALID_ACCEPT', 'a', { status: 101, closeCode: 1006 }))).toBe(1006);
  });

  it('defaults to status 400 and empty null-prototype headers', () => {
    const err = new HandshakeError('WS_ERR_INVALID_KEY', 'k');
    expect(err.status).toBe(400);
    expect(Object.keys(err.headers)).toEqual([]);
    expect(Object.getPrototypeOf(err.headers)).toBeNull();
  });

  it('is recognised by shape across copies of the package', () => {
    expect(isHandshakeError(new HandshakeError('WS_ERR_MISSING_HOST', 'h'))).toBe(true);
    expect(isHandshakeError(Object.assign(new Error('x'), { code: 'WS_ERR_X', status: 400 }))).toBe(true);
    expect(isHandshakeError(Object.assign(new Error('x'), { code: 'WS_ERR_X' }))).toBe(false);
    expect(isHandshakeError(new WebSocketError('WS_ERR_INVALID_UTF8', 'u'))).toBe(false);
    expect(isHandshakeError({ code: 'WS_ERR_X', status: 400 })).toBe(false);
  });
});
