/**
 * The promise behind `connect()`: the socket once it opens, or the reason it closed for good
 * first. Attempts that fail and are retried (a `close` with `willReconnect`) do not settle it.
 */
import { BrowserError, BrowserErrorCode } from './errors.ts';
import type { WebSocketCloseEvent } from './events.ts';

/**
 * Resolves with `socket` at its first `open`; rejects with `finalError()` (or
 * `WS_ERR_CONNECTION_FAILED` when there is none) at a `close` after which it does not reconnect.
 */
export function whenOpen<S extends EventTarget>(socket: S, finalError: () => BrowserError | undefined): Promise<S> {
  return new Promise((resolve, reject) => {
    const onOpen = (): void => {
      socket.removeEventListener('close', onClose);
      resolve(socket);
    };
    const onClose = (event: Event): void => {
      if ((event as WebSocketCloseEvent).willReconnect) return;
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('close', onClose);
      reject(finalError() ?? new BrowserError(BrowserErrorCode.ConnectionFailed, 'The connection closed before it opened'));
    };
    socket.addEventListener('open', onOpen, { once: true });
    socket.addEventListener('close', onClose);
  });
}
