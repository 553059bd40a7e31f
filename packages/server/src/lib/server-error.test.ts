import { describe, expect, it } from 'vitest';
import { ErrorCode, WebSocketError } from '@rfc6455/codes';
import { HttpError, ServerError, ServerErrorCode, isHttpErrorLike } from './server-error.ts';

describe('ServerErrorCode', () => {
  it('is drawn from the catalogue, key for key', () => {
    for (const [key, code] of Object.entries(ServerErrorCode)) expect(ErrorCode[key as keyof typeof ErrorCode]).toBe(code);
    expect(Object.keys(ServerErrorCode)).toEqual(['HandshakeTimeout', 'HeartbeatTimeout', 'SlowConsumer', 'HandshakeSocket', 'AuthenticateFailed', 'HandshakeRejected', 'ForwardFailed']);
  });
});

describe('ServerError', () => {
  it('is a WebSocketError with a code, an HTTP status and a cause', () => {
    const cause = new Error('inner');
    const err = new ServerError(ServerErrorCode.HandshakeRejected, 'Handshake refused with 403: Origin not allowed.', { status: 403, cause });
    expect(err).toBeInstanceOf(WebSocketError);
    expect([err.name, err.code, err.status, err.cause, err.closeCode]).toEqual(['ServerError', 'WS_ERR_HANDSHAKE_REJECTED', 403, cause, undefined]);
    expect(new ServerError(ServerErrorCode.SlowConsumer, 'slow', { closeCode: 1013 }).closeCode).toBe(1013);
  });
});

describe('HttpError and isHttpErrorLike', () => {
  it('carries an HTTP error status and headers, and refuses any other status', () => {
    const err = new HttpError(401, 'Token expired', { 'WWW-Authenticate': 'Bearer' });
    expect([err.name, err.status, err.message, err.headers]).toEqual(['HttpError', 401, 'Token expired', { 'WWW-Authenticate': 'Bearer' }]);
    expect(new HttpError(503).message).toBe('');
    for (const status of [399, 600, 401.5, Number.NaN]) expect(() => new HttpError(status)).toThrow(RangeError);
  });

  it('recognises any object with an integer status from 400 to 599', () => {
    expect([isHttpErrorLike(new HttpError(404)), isHttpErrorLike({ status: 429 }), isHttpErrorLike(Object.assign(new Error('x'), { status: 500 }))]).toEqual([true, true, true]);
    expect([isHttpErrorLike({ status: 200 }), isHttpErrorLike({ status: '401' }), isHttpErrorLike(null), isHttpErrorLike('401')]).toEqual([false, false, false, false]);
  });
});
