import { describe, expect, it } from 'vitest';
import { ErrorCode, isWebSocketError } from '@rfc6455/codes';
import { RedisAdapterError, RedisAdapterErrorCode } from './redis-adapter-error.ts';

describe('RedisAdapterError', () => {
  it('is a WebSocketError with the codes of the adapter seam and a cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new RedisAdapterError(RedisAdapterErrorCode.ForwardFailed, 'lost', { cause });
    expect(isWebSocketError(error)).toBe(true);
    expect(error.name).toBe('RedisAdapterError');
    expect(error.code).toBe('WS_ERR_FORWARD_FAILED');
    expect(error.cause).toBe(cause);
    expect(error.closeCode).toBeUndefined();
    expect(RedisAdapterErrorCode).toEqual({
      ForwardFailed: ErrorCode.ForwardFailed,
      MessagesMissed: ErrorCode.MessagesMissed,
      InvalidAdapterMessage: ErrorCode.InvalidAdapterMessage,
    });
  });
});
