import { describe, expect, it } from 'vitest';
import { ErrorCode, closeStatus, isWebSocketError } from '@rfc6455/codes';
import { BODY_EXCERPT_BYTES, ClientError, ClientErrorCode, notOpen } from './client-error.ts';

describe('ClientErrorCode', () => {
  it('uses the catalogue\'s keys and values', () => {
    for (const [key, value] of Object.entries(ClientErrorCode)) {
      expect(ErrorCode[key as keyof typeof ErrorCode]).toBe(value);
    }
    expect(ClientErrorCode.NotOpen).toBe('WS_ERR_NOT_OPEN');
    expect(ClientErrorCode.ClosedAbnormally).toBe('WS_ERR_CLOSED_ABNORMALLY');
    expect(ClientErrorCode.ConnectionFailed).toBe('WS_ERR_CONNECTION_FAILED');
  });
});

describe('ClientError', () => {
  it('ends the connection with 1006 unless told otherwise, and keeps the HTTP answer', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new ClientError(ClientErrorCode.UnexpectedStatus, 'refused', {
      status: 403,
      headers: { 'content-type': 'text/plain' },
      body: 'go away',
      cause,
    });
    expect(isWebSocketError(err)).toBe(true);
    expect(err.name).toBe('ClientError');
    expect(err.code).toBe('WS_ERR_UNEXPECTED_STATUS');
    expect(err.closeCode).toBe(1006);
    expect(closeStatus(err)).toBe(1006);
    expect(err.status).toBe(403);
    expect(err.headers).toEqual({ 'content-type': 'text/plain' });
    expect(err.body).toBe('go away');
    expect(err.cause).toBe(cause);
    const bare = new ClientError(ClientErrorCode.Aborted, 'aborted', { closeCode: null });
    expect(bare.closeCode).toBeUndefined();
    expect(bare.status).toBeUndefined();
    expect(Object.keys(bare.headers)).toEqual([]);
    expect(bare.body).toBe('');
    expect(BODY_EXCERPT_BYTES).toBe(1024);
  });
});

describe('notOpen', () => {
  it('names the ready state and carries no close code', () => {
    const err = notOpen(2);
    expect(err.code).toBe('WS_ERR_NOT_OPEN');
    expect(err.closeCode).toBeUndefined();
    expect(err.message).toBe('WebSocket is not open: readyState 2 (CLOSING); the data was not sent');
  });
});
