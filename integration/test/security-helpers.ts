/**
 * What the security regression tests share beyond the raw-wire helpers of @rfc6455/testing.
 */

/** The stable `code` of an error event's error (`WebSocketError`s carry one). */
export function codeOf(err: Error): string {
  return String((err as Error & { code?: unknown }).code);
}
