/**
 * The four WHATWG ready states of a connection, and the error a send gets when the connection is
 * not OPEN. Shared by the WebSocket class and the modules it composes (send queue, writer).
 */
import { ClientError, ClientErrorCode } from './client-error.ts';

/** CONNECTING (0), OPEN (1), CLOSING (2) or CLOSED (3). */
export type ReadyState = 0 | 1 | 2 | 3;
/** The connection is being established. */
export const CONNECTING = 0;
/** The connection is open: data can be sent. */
export const OPEN = 1;
/** The closing handshake has begun. */
export const CLOSING = 2;
/** The connection is closed. */
export const CLOSED = 3;

const NAMES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

/** The `WS_ERR_NOT_OPEN` error a send's callback gets when nothing was sent in `state`. */
export function notOpen(state: ReadyState): ClientError {
  return new ClientError(ClientErrorCode.NOT_OPEN, `WebSocket is not open: readyState ${state} (${NAMES[state]}); the data was not sent`, {
    closeCode: null,
  });
}
