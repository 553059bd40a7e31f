import { ErrorCode, WebSocketError, closeStatus, isWebSocketError } from '@rfc6455/codes';
import { describe, expect, it } from 'vitest';
import { HandshakeError, HandshakeErrorCode, isHandshakeError } from './errors.ts';

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

  it('recognises HandshakeErrors only, across copies of the package', () => {
    expect(isHandshakeError(new HandshakeError('WS_ERR_MISSING_HOST', 'h'))).toBe(true);
    // A HandshakeError of another copy of this package: another class with the same registered brand.
    const brand = Symbol.for('@rfc6455/handshake:HandshakeError');
    class OtherCopy extends WebSocketError {
      get [brand](): true {
        return true;
      }
    }
    expect(isHandshakeError(new OtherCopy('WS_ERR_MISSING_HOST', 'h'))).toBe(true);
    // Errors of other packages with a WS_ERR_ code and a numeric status (the client's, the server's).
    expect(isHandshakeError(Object.assign(new Error('x'), { code: 'WS_ERR_UNEXPECTED_STATUS', status: 400 }))).toBe(false);
    expect(isHandshakeError(Object.assign(new WebSocketError('WS_ERR_HANDSHAKE_REJECTED', 'r'), { status: 403 }))).toBe(false);
    expect(isHandshakeError(Object.assign(new Error('x'), { code: 'WS_ERR_X' }))).toBe(false);
    expect(isHandshakeError(new WebSocketError('WS_ERR_INVALID_UTF8', 'u'))).toBe(false);
    expect(isHandshakeError({ code: 'WS_ERR_X', status: 400 })).toBe(false);
    expect(isHandshakeError(null)).toBe(false);
    expect(isHandshakeError('WS_ERR_INVALID_KEY')).toBe(false);
  });
});

describe('HandshakeErrorCode', () => {
  it("uses the catalogue's names and values", () => {
    for (const [name, code] of Object.entries(HandshakeErrorCode)) {
      expect(ErrorCode[name as keyof typeof ErrorCode]).toBe(code);
    }
    expect(Object.keys(HandshakeErrorCode)).toHaveLength(16);
  });
});
