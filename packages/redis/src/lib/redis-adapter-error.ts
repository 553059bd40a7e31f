/**
 * The one error class of @rfc6455/redis. Callers match on `code` (ErrorCode in @rfc6455/codes),
 * not on `instanceof`: two copies of a package break `instanceof`.
 */
import { ErrorCode, WebSocketError } from '@rfc6455/codes';

/** The codes a {@link RedisAdapterError} carries. */
export const RedisAdapterErrorCode = {
  /** A publish or broadcast could not be handed to Redis (disconnected, closed, retry bound full, or refused); `cause` has the reason. */
  ForwardFailed: ErrorCode.ForwardFailed,
  /** This node may have missed messages of other nodes: its subscription was down (pub/sub), or stream entries were trimmed or lost before it read them (streams). */
  MessagesMissed: ErrorCode.MessagesMissed,
  /** A message from Redis was not in this package's format (another version or another program); it was dropped. */
  InvalidAdapterMessage: ErrorCode.InvalidAdapterMessage,
} as const satisfies Partial<typeof ErrorCode>;

/** One of {@link RedisAdapterErrorCode}'s values. */
export type RedisAdapterErrorCode = (typeof RedisAdapterErrorCode)[keyof typeof RedisAdapterErrorCode];

/** An error of the Redis adapter, with a stable `code`. */
export class RedisAdapterError extends WebSocketError {
  constructor(code: RedisAdapterErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
  }

  override get name(): string {
    return 'RedisAdapterError';
  }
}
