/**
 * The reconnect state machine: what happens after each connection ends, and when the next attempt
 * starts. It does no I/O itself — it asks its host to connect, to hang up and to dispatch events —
 * and its only clock is the injected {@link Timers}, so every schedule is tested without real time.
 *
 * ```
 *   start() ─▶ connecting ──── opened() ───▶ open
 *                 ▲    │                       │
 *   retry timer,  │    │ disconnected()        │ disconnected()
 *   online()      │    ▼                       │
 *               waiting ◀──────────────────────┘
 *                 ▲    │ offline(), suspend()
 *   online(),     │    ▼
 *   resume()    suspended ◀── disconnected() while suspended
 *
 *   closed (for good): after close(), a final close code, reconnect off, or maxRetries reached;
 *   restart() (the socket's reconnect()) leaves any phase for an attempt at once.
 * ```
 *
 * The retry count (and with it the backoff) starts over only once a connection has stayed open
 * `minUptimeMs`, as reconnecting-websocket's `minUptime` does: a server that accepts and then
 * closes at once sees growing delays instead of a reconnect storm.
 */
import { backoffDelay } from './backoff.ts';
import { BrowserError, BrowserErrorCode } from './errors.ts';
import type { BackoffOptions } from './backoff.ts';
import type { PageListener, PageSuspendReason } from './page-lifecycle.ts';
import type { Timers } from './timers.ts';

/** Where the socket is between connections. */
export type Phase = 'connecting' | 'open' | 'waiting' | 'suspended' | 'closed';

/** Why the socket is suspended: no attempts start until this clears. */
export type SuspendReason = 'offline' | PageSuspendReason;

/** The reconnect settings, checked and with their defaults filled in. */
export interface ReconnectPolicy {
  /** `false` closes for good after the first connection ends. */
  readonly enabled: boolean;
  readonly backoff: BackoffOptions;
  /** Failed attempts in a row before giving up. */
  readonly maxRetries: number;
  /** How long a connection must stay open before the retry count starts over. */
  readonly minUptimeMs: number;
  /** Whether a close with this code and reason ends the socket for good. */
  readonly isFinalCode: (code: number, reason: string) => boolean;
  /** The jitter source, returning [0, 1). */
  readonly random: () => number;
}

/** What the machine asks of the socket around it. */
export interface ReconnectHost {
  /** Start one connection attempt; `disconnected()` must follow when it ends, however it ends. */
  connect(): void;
  /** Whether an attempt or connection is live, so that `disconnected()` is still to come. */
  connected(): boolean;
  /** Close the live connection for a page-lifecycle reason (or drop an attempt not yet dialing). */
  hangUp(reason: PageSuspendReason): void;
  /** Whether the browser knows it is offline (an attempt would fail and burn a retry). */
  isOffline(): boolean;
  /** A connection ended and the socket will reconnect (a `close` event with `willReconnect`). */
  connectionClosed(code: number, reason: string, wasClean: boolean): void;
  /** Retry number `attempt` starts in `delayMs` (a `reconnect` event). */
  scheduled(attempt: number, delayMs: number): void;
  /** `maxRetries` attempts failed in a row; `finished()` follows at once. */
  gaveUp(attempts: number, code: number, reason: string): void;
  /**
   * Closed for good: nothing more will be attempted. `error` says why when it was not a clean
   * close: `WS_ERR_CLOSED` after `close()`, `WS_ERR_GAVE_UP`, `WS_ERR_CONNECTION_FAILED` (it never
   * opened) or `WS_ERR_CLOSED_ABNORMALLY`.
   */
  finished(code: number, reason: string, wasClean: boolean, error: BrowserError | undefined): void;
}

/** The reconnect state machine of one socket. */
export class Reconnector implements PageListener {
  readonly #policy: ReconnectPolicy;
  readonly #host: ReconnectHost;
  readonly #timers: Timers;
  #phase: Phase = 'connecting';
  #suspended: SuspendReason | undefined;
  #resumeOnClose = false;
  #closeRequested = false;
  #retries = 0;
  #everOpened = false;
  #retryTimer: unknown;
  #uptimeTimer: unknown;
  #lastClose = { code: 1006, reason: '' };

  constructor(policy: ReconnectPolicy, host: ReconnectHost, timers: Timers) {
    this.#policy = policy;
    this.#host = host;
    this.#timers = timers;
  }

  /** The current phase. */
  get phase(): Phase {
    return this.#phase;
  }

  /** Failed attempts since a connection last stayed open `minUptimeMs`. */
  get retries(): number {
    return this.#retries;
  }

  /** True once `requestClose()` was called. */
  get closeRequested(): boolean {
    return this.#closeRequested;
  }

  /** True once closed for good or closing for good: nothing more may be sent. */
  get ended(): boolean {
    return this.#phase === 'closed' || this.#closeRequested;
  }

  /** Starts the first attempt. */
  start(): void {
    this.#connect();
  }

  /** Stays closed (`startClosed`): nothing is attempted until `restart()`. */
  startClosed(): void {
    this.#phase = 'closed';
  }

  /**
   * The current attempt opened. Returns how many retries it took (0 for a first connection); the
   * count starts over once the connection has stayed open `minUptimeMs`.
   */
  opened(): number {
    this.#phase = 'open';
    this.#everOpened = true;
    const attempts = this.#retries;
    if (this.#policy.minUptimeMs === 0) {
      this.#retries = 0;
    } else {
      this.#uptimeTimer = this.#timers.setTimeout(() => {
        this.#uptimeTimer = undefined;
        this.#retries = 0;
      }, this.#policy.minUptimeMs);
    }
    return attempts;
  }

  /**
   * An attempt now, whatever the phase (the socket's `reconnect()`): the retry count starts over
   * (this attempt is not a retry, as in reconnecting-websocket), and `close()`, a suspension or
   * giving up are forgotten. The socket has already hung up.
   */
  restart(): void {
    // A socket reopened after closing for good starts a new life: "never opened" counts again.
    if (this.#phase === 'closed') this.#everOpened = false;
    this.#clearRetryTimer();
    this.#clearUptimeTimer();
    this.#closeRequested = false;
    this.#suspended = undefined;
    this.#resumeOnClose = false;
    this.#retries = 0;
    this.#phase = 'waiting';
    this.#connect();
  }

  /** The current attempt or connection ended: close for good, stay suspended, or schedule a retry. */
  disconnected(code: number, reason: string, wasClean: boolean): void {
    if (this.#phase === 'closed') return;
    this.#clearUptimeTimer();
    this.#lastClose = { code, reason };
    if (this.#closeRequested) {
      this.#finish(code, reason, wasClean);
      return;
    }
    if (this.#suspended !== undefined) {
      this.#phase = 'suspended';
      this.#host.connectionClosed(code, reason, wasClean);
      return;
    }
    if (!this.#policy.enabled || this.#policy.isFinalCode(code, reason)) {
      this.#finish(code, reason, wasClean);
      return;
    }
    if (this.#retries >= this.#policy.maxRetries) {
      this.#giveUp();
      return;
    }
    this.#phase = 'waiting';
    this.#host.connectionClosed(code, reason, wasClean);
    if (this.#resumeOnClose) {
      this.#resumeOnClose = false;
      this.#retryNow();
    } else {
      this.#scheduleRetry();
    }
  }

  /** `close()` was called: no attempt follows. Returns false when it was already closed or closing. */
  requestClose(): boolean {
    if (this.ended) return false;
    this.#closeRequested = true;
    this.#clearRetryTimer();
    this.#clearUptimeTimer();
    return true;
  }

  /** The browser came back online: a suspended socket or a waiting retry starts at once. */
  online(): void {
    if (this.ended) return;
    if (this.#phase === 'suspended' && this.#suspended === 'offline') {
      this.#suspended = undefined;
      this.#phase = 'waiting';
      this.#retryNow();
    } else if (this.#phase === 'waiting' && this.#retryTimer !== undefined) {
      this.#clearRetryTimer();
      this.#connect();
    }
  }

  /** The browser went offline: the scheduled attempt would fail for sure, so cancel it and give the retry back. */
  offline(): void {
    if (this.#phase !== 'waiting' || this.#retryTimer === undefined) return;
    this.#clearRetryTimer();
    this.#retries = Math.max(0, this.#retries - 1);
    this.#phase = 'suspended';
    this.#suspended = 'offline';
  }

  /** The page was hidden (with `closeOnHidden`) or unloaded: hang up and attempt nothing until `resume()`. */
  suspend(reason: PageSuspendReason): void {
    if (this.ended) return;
    this.#suspended = reason;
    this.#resumeOnClose = false;
    if (this.#phase === 'waiting') {
      this.#clearRetryTimer();
      this.#retries = Math.max(0, this.#retries - 1);
    }
    this.#phase = 'suspended';
    this.#host.hangUp(reason);
  }

  /** The page is visible again, or back from the back/forward cache: reconnect at once. */
  resume(reason: PageSuspendReason): void {
    if (this.ended || this.#suspended !== reason) return;
    this.#suspended = undefined;
    this.#retries = 0;
    if (this.#host.connected()) {
      // The page-lifecycle close is still in flight: reconnect as soon as it completes.
      this.#resumeOnClose = true;
      return;
    }
    this.#phase = 'waiting';
    if (this.#host.isOffline()) {
      this.#phase = 'suspended';
      this.#suspended = 'offline';
      return;
    }
    this.#retryNow();
  }

  #connect(): void {
    if (this.ended) return;
    this.#phase = 'connecting';
    this.#host.connect();
  }

  #scheduleRetry(): void {
    if (this.#phase !== 'waiting' || this.#closeRequested) return;
    if (this.#host.isOffline()) {
      // Offline: an attempt would fail and burn a retry; `online` restarts at once.
      this.#phase = 'suspended';
      this.#suspended = 'offline';
      return;
    }
    this.#retries++;
    const delayMs = backoffDelay(this.#retries, this.#policy.backoff, this.#policy.random);
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delayMs);
    this.#host.scheduled(this.#retries, delayMs);
  }

  /** Starts a retry without delay (back online, page visible again). */
  #retryNow(): void {
    if (this.#retries >= this.#policy.maxRetries) {
      this.#giveUp();
      return;
    }
    this.#retries++;
    this.#host.scheduled(this.#retries, 0);
    this.#connect();
  }

  #giveUp(): void {
    const { code, reason } = this.#lastClose;
    const attempts = this.#retries;
    this.#phase = 'closed';
    this.#host.gaveUp(attempts, code, reason);
    const error = new BrowserError(BrowserErrorCode.GaveUp, `Gave up reconnecting after ${attempts} failed attempts (last close code ${code})`, {
      closeCode: code,
    });
    this.#finish(code, reason, false, error);
  }

  #finish(code: number, reason: string, wasClean: boolean, error = this.#finalError(code, reason, wasClean)): void {
    this.#phase = 'closed';
    this.#clearRetryTimer();
    this.#clearUptimeTimer();
    this.#host.finished(code, reason, wasClean, error);
  }

  /** Why the socket closed for good, unless it was a clean close after it had opened. */
  #finalError(code: number, reason: string, wasClean: boolean): BrowserError | undefined {
    if (this.#closeRequested) return new BrowserError(BrowserErrorCode.Closed, 'close() was called', { closeCode: code });
    if (this.#everOpened && wasClean) return undefined;
    return new BrowserError(
      this.#everOpened ? BrowserErrorCode.ClosedAbnormally : BrowserErrorCode.ConnectionFailed,
      `The connection closed${wasClean ? '' : ' abnormally'} with code ${code}${reason === '' ? '' : ` (${reason})`}`,
      { closeCode: code },
    );
  }

  #clearRetryTimer(): void {
    if (this.#retryTimer !== undefined) this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #clearUptimeTimer(): void {
    if (this.#uptimeTimer !== undefined) this.#timers.clearTimeout(this.#uptimeTimer);
    this.#uptimeTimer = undefined;
  }
}
