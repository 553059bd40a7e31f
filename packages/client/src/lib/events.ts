/**
 * The WHATWG event objects the `WebSocket` dispatches to `addEventListener` listeners and the
 * `on*` attributes. Node 20 has no global `CloseEvent`, and its `MessageEvent` belongs to
 * worker_threads, so the client defines small, dependency-free equivalents with the same fields.
 */

/** A plain event: `open`, or any event given to `dispatchEvent`. */
export class WebSocketEvent {
  /** The event type, e.g. `open`. */
  readonly type: string;
  /** The WebSocket that dispatched the event (set when dispatched). */
  target: unknown = null;

  constructor(type: string) {
    this.type = type;
  }

  /** The same as `target`, as in the DOM. */
  get currentTarget(): unknown {
    return this.target;
  }
}

/** The `message` event: `data` is a string for a text message, else per `binaryType`. */
export class MessageEvent extends WebSocketEvent {
  /** The message: a string (text) or a Buffer, ArrayBuffer or Blob (binary, per `binaryType`). */
  readonly data: unknown;

  constructor(type: string, init: { data: unknown }) {
    super(type);
    this.data = init.data;
  }
}

/** The `close` event (WHATWG): the close code and reason, and whether the closing handshake completed. */
export class CloseEvent extends WebSocketEvent {
  /** The close code: the peer's, 1005 when its close frame had none, 1006 when none arrived. */
  readonly code: number;
  /** The close reason ('' when none). */
  readonly reason: string;
  /** True when close frames went both ways and the TCP connection ended without failure. */
  readonly wasClean: boolean;

  constructor(type: string, init: { code: number; reason: string; wasClean: boolean }) {
    super(type);
    this.code = init.code;
    this.reason = init.reason;
    this.wasClean = init.wasClean;
  }
}

/** The `error` event: the error (with its stable `code`) and its message. */
export class ErrorEvent extends WebSocketEvent {
  /** The error that happened. */
  readonly error: unknown;
  /** The error's message. */
  readonly message: string;

  constructor(type: string, init: { error: unknown; message: string }) {
    super(type);
    this.error = init.error;
    this.message = init.message;
  }
}

/** A listener for `addEventListener`: a function, or an object with `handleEvent`. */
export type EventListenerLike<E> = ((event: E) => void) | { handleEvent(event: E): void };
