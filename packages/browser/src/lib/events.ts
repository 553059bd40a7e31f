/**
 * The events the socket dispatches. Browsers and Node 20 share `Event` and `EventTarget` but not
 * `CloseEvent`/`ErrorEvent`, so each event here is a small `Event` subclass carrying its fields.
 */
import type { WebSocketError } from '@rfc6455/codes';

/** `message`: one message, as the browser delivered it or (in `parse: 'json'` mode) parsed. */
export class WebSocketMessageEvent<T = unknown> extends Event {
  /** A string, an ArrayBuffer or a Blob (per `binaryType`), or the parsed JSON value. */
  readonly data: T;
  constructor(data: T) {
    super('message');
    this.data = data;
  }
}

/**
 * `close`: the connection closed. It fires for every connection the socket opens; `willReconnect`
 * says whether another attempt follows. The last event a socket ever dispatches is a `close` with
 * `willReconnect: false`.
 */
export class WebSocketCloseEvent extends Event {
  /** The close code (RFC 6455 §7.1.5); 1006 when the connection dropped without a close frame. */
  readonly code: number;
  /** The close reason (RFC 6455 §7.1.6); empty when there was none. */
  readonly reason: string;
  /** True when the closing handshake completed. */
  readonly wasClean: boolean;
  /** True when the socket is going to reconnect. */
  readonly willReconnect: boolean;
  constructor(code: number, reason: string, wasClean: boolean, willReconnect: boolean) {
    super('close');
    this.code = code;
    this.reason = reason;
    this.wasClean = wasClean;
    this.willReconnect = willReconnect;
  }
}

/** `error`: something went wrong; `error.code` says what. The connection may well stay open. */
export class WebSocketErrorEvent extends Event {
  /** The typed error (`code`, `message`, optional `closeCode`). */
  readonly error: WebSocketError;
  /** The error's message, as on a WHATWG `ErrorEvent`. */
  readonly message: string;
  constructor(error: WebSocketError) {
    super('error');
    this.error = error;
    this.message = error.message;
  }
}

/** `reconnect`: a reconnect attempt is scheduled to start in `delayMs`. */
export class ReconnectEvent extends Event {
  /** Which retry this is, from 1, counting failed attempts since the last open. */
  readonly attempt: number;
  /** How long until the attempt starts, in ms (0 when the browser just came back online). */
  readonly delayMs: number;
  constructor(attempt: number, delayMs: number) {
    super('reconnect');
    this.attempt = attempt;
    this.delayMs = delayMs;
  }
}

/** `reconnected`: a reconnect attempt opened the connection (fires right after `open`). */
export class ReconnectedEvent extends Event {
  /** How many retries it took. */
  readonly attempt: number;
  constructor(attempt: number) {
    super('reconnected');
    this.attempt = attempt;
  }
}

/** `giveup`: `maxRetries` attempts failed in a row; the socket closes for good next. */
export class GiveUpEvent extends Event {
  /** How many retries were made. */
  readonly attempts: number;
  /** The code of the last close. */
  readonly code: number;
  /** The reason of the last close. */
  readonly reason: string;
  constructor(attempts: number, code: number, reason: string) {
    super('giveup');
    this.attempts = attempts;
    this.code = code;
    this.reason = reason;
  }
}

/** The events by type, for typed `addEventListener`. */
export interface WebSocketEventMap<T = unknown> {
  open: Event;
  message: WebSocketMessageEvent<T>;
  close: WebSocketCloseEvent;
  error: WebSocketErrorEvent;
  reconnect: ReconnectEvent;
  reconnected: ReconnectedEvent;
  giveup: GiveUpEvent;
}
