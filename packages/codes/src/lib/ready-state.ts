/**
 * The four ready states of a WebSocket (WHATWG WebSockets standard, `readyState`), shared by the
 * Node client, the server's connections and the browser client so that the numbers live once.
 */

/** The connection is being established (0). */
export const CONNECTING = 0;
/** The connection is open: data can be sent (1). */
export const OPEN = 1;
/** The closing handshake has begun (2). */
export const CLOSING = 2;
/** The connection is closed, or could not be opened (3). */
export const CLOSED = 3;

/** CONNECTING (0), OPEN (1), CLOSING (2) or CLOSED (3). */
export type ReadyState = typeof CONNECTING | typeof OPEN | typeof CLOSING | typeof CLOSED;

const NAMES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const;

/** The WHATWG name of a ready state: `readyStateName(1)` is `'OPEN'`. */
export function readyStateName(state: ReadyState): 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED' {
  return NAMES[state];
}

/**
 * Define `CONNECTING`, `OPEN`, `CLOSING` and `CLOSED` on `target` the way WebIDL defines an
 * interface's constants: enumerable, read-only and not configurable. A WebSocket class calls it for
 * its prototype (so `socket.OPEN` works, as on a browser's WebSocket) and, if it has no static
 * fields of its own, for itself. One definition, so every WebSocket of the toolkit agrees.
 */
export function defineReadyStateConstants(target: object): void {
  for (const [index, name] of NAMES.entries()) {
    Object.defineProperty(target, name, { value: index, enumerable: true, writable: false, configurable: false });
  }
}
