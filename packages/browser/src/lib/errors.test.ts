import { ErrorCode, WebSocketError, isWebSocketError } from '@rfc6455/codes';
import { describe, expect, it } from 'vitest';
import { BrowserError, BrowserErrorCode, InvalidJsonError } from './errors.ts';

describe('BrowserErrorCode', () => {
  it('uses the catalogue’s keys and values', () => {
    for (const [key, value] of Object.entries(BrowserErrorCode)) expect([key, value]).toEqual([key, ErrorCode[key as keyof typeof ErrorCode]]);
  });

  it('shares the Node client’s codes for a failed and an abnormally closed connection', () => {
    expect(BrowserErrorCode.ConnectionFailed).toBe('WS_ERR_CONNECTION_FAILED');
    expect(BrowserErrorCode.ClosedAbnormally).toBe('WS_ERR_CLOSED_ABNORMALLY');
  });
});

describe('BrowserError', () => {
  it('is a WebSocketError with its code, close code and cause', () => {
    const cause = new Error('low level');
    const error = new BrowserError(BrowserErrorCode.NotSent, 'not sent', { closeCode: 1006, cause });
    expect(error).toBeInstanceOf(WebSocketError);
    expect(isWebSocketError(error)).toBe(true);
    expect([error.name, error.code, error.message, error.closeCode, error.cause]).toEqual(['BrowserError', 'WS_ERR_NOT_SENT', 'not sent', 1006, cause]);
  });

  it('InvalidJsonError keeps the raw text and the parse failure', () => {
    const cause = new SyntaxError('Unexpected token');
    const error = new InvalidJsonError('{oops', cause);
    expect(error).toBeInstanceOf(BrowserError);
    expect([error.name, error.code, error.text, error.cause, error.closeCode]).toEqual(['InvalidJsonError', 'WS_ERR_INVALID_JSON', '{oops', cause, undefined]);
    expect(error.message).toMatch(/5 characters/);
  });
});
