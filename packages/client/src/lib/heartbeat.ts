/**
 * The heartbeat of an OPEN connection: a ping every `intervalMs`, and the connection ended when
 * its pong does not come back within `timeoutMs` (a vanished peer never sends a FIN, so without
 * this a dead connection would hold its socket forever). RFC 6455 §5.5.3: a pong echoes the
 * ping's payload, which is how ours is told apart from an unsolicited one.
 */
import { ClientError, ClientErrorCode } from './client-error.ts';

/**
 * Send a ping frame with `payload`; false, sending nothing, when the connection is no longer OPEN
 * (after `terminate()` the timer runs until the socket has closed).
 */
export type SendHeartbeatPing = (payload: Uint8Array) => boolean;

/** No pong came in time: report `err` and end the connection. */
export type HeartbeatTimeout = (err: ClientError) => void;

/** One connection's heartbeat timers and its last round-trip time. Created only when a heartbeat is configured. */
export class Heartbeat {
  // Two functions rather than a host object: a heartbeat lives as long as its connection, so every
  // object it keeps costs each connection.
  readonly #ping: SendHeartbeatPing;
  readonly #onTimeout: HeartbeatTimeout;
  readonly #timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  #payload: Buffer | undefined;
  #sentAt = 0;
  #latency: number | undefined;

  /** Start pinging every `intervalMs`; each ping waits `timeoutMs` for its pong. */
  constructor(intervalMs: number, timeoutMs: number, ping: SendHeartbeatPing, onTimeout: HeartbeatTimeout) {
    this.#ping = ping;
    this.#onTimeout = onTimeout;
    this.#timeoutMs = timeoutMs;
    this.#timer = setInterval(() => this.#beat(), intervalMs);
  }

  /** The last round-trip time in milliseconds (undefined before the first pong). */
  get latency(): number | undefined {
    return this.#latency;
  }

  #beat(): void {
    // One ping in flight at a time: its own pong timer decides.
    if (this.#payload !== undefined) return;
    const payload = Buffer.allocUnsafe(8);
    payload.writeDoubleBE(Math.random());
    this.#sentAt = performance.now();
    if (!this.#ping(payload)) return;
    this.#payload = payload;
    const timeoutMs = this.#timeoutMs;
    this.#pongTimer = setTimeout(() => {
      this.#onTimeout(
        new ClientError(ClientErrorCode.HeartbeatTimeout, `No pong within heartbeat.timeoutMs (${timeoutMs} ms) of a ping; the connection was terminated`),
      );
    }, timeoutMs);
  }

  /** A pong arrived: when it answers our ping, record the latency and stop waiting. */
  onPong(payload: Uint8Array): void {
    const expected = this.#payload;
    if (expected !== undefined && expected.equals(payload)) {
      this.#latency = performance.now() - this.#sentAt;
      this.#payload = undefined;
      clearTimeout(this.#pongTimer);
    }
  }

  /** Stop for good (the connection is closing); `latency` keeps its last value. */
  stop(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#pongTimer);
    this.#timer = undefined;
    this.#payload = undefined;
  }
}
