/**
 * Graceful shutdown: the arguments of `WebSocketServer.shutdown()`, and closing every connection
 * with a close frame, waiting for the close handshakes and terminating the peers that do not
 * answer in time.
 */
import { CLOSED, WS_GONE, checkCloseArguments, checkOptionKeys } from '@rfc6455/codes';
import type { ServerWebSocket } from './connection.ts';

/** Options of `WebSocketServer.shutdown`. */
export interface CloseOptions {
  /** The close code sent to every connection (default 1001, going away). */
  code?: number | undefined;
  /** The close reason sent to every connection (default empty). */
  reason?: string | undefined;
  /** Time to wait for the connections' close handshakes before terminating them, in ms (default 10 000). */
  timeoutMs?: number | undefined;
}

/** `shutdown()`'s settings after defaults. */
export interface ShutdownSettings {
  readonly code: number;
  readonly reason: string;
  readonly timeoutMs: number;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const OPTION_NAMES: ReadonlySet<string> = new Set(['code', 'reason', 'timeoutMs']);

/**
 * Check `shutdown()`'s options and fill in the defaults, with the rules a connection's own
 * `close(code, reason)` follows (@rfc6455/codes' `checkCloseArguments`, the endpoint's codes).
 *
 * @throws {RangeError} for a close code that may not be sent, a reason over 123 UTF-8 bytes or a
 *   negative timeout.
 * @throws {TypeError} for an unknown option.
 */
export function resolveCloseOptions(options: CloseOptions): ShutdownSettings {
  if (options === null || typeof options !== 'object') throw new TypeError('WebSocketServer.shutdown(options): options must be an object { code, reason, timeoutMs }.');
  checkOptionKeys('WebSocketServer.shutdown(options)', options, OPTION_NAMES, { timeout: 'use timeoutMs (milliseconds).' });
  const code = options.code ?? WS_GONE;
  let reason: string;
  try {
    reason = checkCloseArguments(code, options.reason, 'endpoint') ?? '';
  } catch (err) {
    // The connection API throws DOMExceptions, as WHATWG does; the server's shutdown() is ours and
    // throws RangeError for a bad argument.
    throw new RangeError(`WebSocketServer.${(err as Error).message.replace(/^close\(/, 'shutdown(')}.`, { cause: err });
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`WebSocketServer.shutdown: timeoutMs must be a non-negative number, got ${String(timeoutMs)}.`);
  }
  return { code, reason, timeoutMs };
}

/**
 * Send every connection in `connections` a close frame with `code` and `reason` and resolve once
 * each has closed; connections still open after `timeoutMs` are terminated (their close events
 * report 1006). A connection that cannot send a close frame any more is terminated at once.
 */
export async function closeConnections(connections: readonly ServerWebSocket[], settings: ShutdownSettings): Promise<void> {
  if (connections.length === 0) return;
  const allClosed = Promise.all(connections.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve()))));
  for (const ws of connections) {
    try {
      ws.close(settings.code, settings.reason);
    } catch {
      ws.terminate();
    }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), settings.timeoutMs);
  });
  const outcome = await Promise.race([allClosed, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    for (const ws of connections) if (ws.readyState !== CLOSED) ws.terminate();
    await allClosed;
  }
}
