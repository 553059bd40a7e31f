/**
 * The life of one connection, from the constructor to the `close` event: its WHATWG ready state,
 * the bounded wait for the end of TCP after the closing handshake (RFC 6455 §7.1.1) and the one
 * close report, with the code ws would give (the peer's, or the one we failed the connection
 * with). The socket is only ended or destroyed here; reading and writing are connection.ts's.
 */
import type { Duplex } from 'node:stream';
import { CLOSED, CLOSING, CONNECTING, OPEN, WS_CLOSED_ABNORMALLY } from '@rfc6455/codes';
import type { ReadyState, WebSocketError } from '@rfc6455/codes';
import { destroyTransport } from './h2-stream.ts';

/**
 * Called once, when the connection is CLOSED, with the `close` event's code, reason and wasClean,
 * and with the lifecycle's owner as `this` (so one function serves every connection).
 */
export type CloseReport = (this: unknown, code: number, reason: string, wasClean: boolean) => void;

/** One connection's ready state, close wait and close report. */
export class Lifecycle {
  readonly #isServer: boolean;
  readonly #closeTimeoutMs: number;
  readonly #report: CloseReport;
  readonly #owner: unknown;
  #state: ReadyState = CONNECTING;
  #code = WS_CLOSED_ABNORMALLY;
  #reason = '';
  #wasClean = false;
  #failure: WebSocketError | undefined;
  #reported = false;
  #timer: NodeJS.Timeout | undefined;
  // Whether our close frame began the closing handshake (the peer's reply then proves it read ours).
  #began = false;

  /** The life of a client-role (`isServer` false) or server-role connection, CONNECTING; `report` is called with `owner` as `this`. */
  constructor(isServer: boolean, closeTimeoutMs: number, report: CloseReport, owner?: unknown) {
    this.#isServer = isServer;
    this.#closeTimeoutMs = closeTimeoutMs;
    this.#report = report;
    this.#owner = owner;
  }

  /** CONNECTING (0), OPEN (1), CLOSING (2) or CLOSED (3). */
  get readyState(): ReadyState {
    return this.#state;
  }

  /** The error the connection was failed with (the peer broke the protocol, a heartbeat timed out), if any. */
  get failure(): WebSocketError | undefined {
    return this.#failure;
  }

  /** The opening handshake is done. */
  open(): void {
    this.#state = OPEN;
  }

  /**
   * `close()` while CONNECTING or while sends still wait behind a Blob, or `terminate()`: CLOSING
   * until the attempt, the close frame or the socket is gone.
   */
  stop(): void {
    this.#state = CLOSING;
  }

  /** Record the error the connection is failed with; its close code is reported unless the peer's close frame came first. */
  fail(err: WebSocketError): void {
    this.#failure = err;
  }

  /** Our close frame began the closing handshake. */
  began(): void {
    this.#began = true;
  }

  /** The closing handshake began (our close frame or the peer's): do not wait forever for the rest. */
  closing(socket: Duplex): void {
    if (this.#state === OPEN) this.#state = CLOSING;
    // RFC 6455 §7.1.1 and ws: the peer's close frame and FIN are awaited for closeTimeoutMs at most.
    this.#armCloseTimer(socket);
  }

  /**
   * The protocol is done (`closeReceived`: the peer's close frame arrived). Keep the report, then
   * end TCP: RFC 6455 §7.1.1, the server closes first; a client waits for it (bounded by the close
   * timer), except after a failure, when it closes too.
   */
  protocolClosed(socket: Duplex, code: number, reason: string, wasClean: boolean, closeReceived: boolean): void {
    if (this.#state === OPEN) this.#state = CLOSING;
    const failure = this.#failure;
    // The code of a failure we detected (1002, 1007, 1009 …), the one our close frame carried,
    // rather than 1006 (what ws and WHATWG report): it says which rule ended the connection.
    this.#code = failure?.closeCode !== undefined && !closeReceived ? failure.closeCode : code;
    this.#reason = reason;
    this.#wasClean = wasClean;
    if (socket.destroyed) return;
    // Nothing more is processed; read on to the peer's FIN even if the application paused reading.
    socket.resume();
    if (this.#isServer || !wasClean || socket.readableEnded) socket.end();
    this.#armCloseTimer(socket);
  }

  /**
   * The socket closed, or the attempt failed: CLOSED, then the close report (once). `before` runs
   * between the two, with the state already CLOSED (a failed attempt's `error` event).
   * `peerEnded`: the peer's FIN was read before the socket closed.
   */
  closed(before?: () => void, peerEnded = false): void {
    // Clean means the closing handshake completed AND the peer is known to have read everything we
    // sent before our close frame: its reply proves it when we began the handshake; when we only
    // answered, only its FIN does. A socket cut by the close timer or terminate() before that FIN,
    // or reset by a peer that discarded unread data, may have lost messages whose send callbacks
    // had succeeded (they reached the kernel, not the peer).
    if (!this.#began && !peerEnded) this.#wasClean = false;
    this.#state = CLOSED;
    clearTimeout(this.#timer);
    before?.();
    if (this.#reported) return;
    this.#reported = true;
    this.#report.call(this.#owner, this.#code, this.#reason, this.#wasClean);
  }

  #armCloseTimer(socket: Duplex): void {
    this.#timer ??= setTimeout(() => destroyTransport(socket), this.#closeTimeoutMs);
  }
}
