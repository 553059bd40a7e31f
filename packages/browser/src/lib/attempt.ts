/**
 * One connection attempt: resolve the URL (calling the provider when there is one), construct the
 * native socket, relay its events while it is the current one, and abandon it when it has not
 * opened within the connect timeout. What follows an attempt is the reconnect machine's business.
 */
import { BrowserError, BrowserErrorCode } from './errors.ts';
import type { BrowserEnvironment, NativeWebSocket, NativeWebSocketConstructor } from './native.ts';
import type { UrlSource } from './options.ts';
import type { Timers } from './timers.ts';
import { normalizeUrl } from './url.ts';

/** What an attempt needs to dial. */
export interface AttemptSettings {
  readonly Native: NativeWebSocketConstructor;
  readonly protocols: string | string[] | undefined;
  readonly environment: BrowserEnvironment;
  /** 0 means no timeout. */
  readonly connectTimeoutMs: number;
  readonly timers: Timers;
  /** The socket's `binaryType` when the native socket is constructed. */
  binaryType(): 'arraybuffer' | 'blob';
}

/** Where an attempt reports. After `close` or `failed`, or once abandoned, it reports nothing more. */
export interface AttemptEvents {
  /** The URL is known and the native socket is about to be constructed. */
  dialing(url: string): void;
  /** The native socket opened. */
  open(native: NativeWebSocket): void;
  /** A message arrived. */
  message(data: unknown): void;
  /** The native socket fired `error`. */
  error(): void;
  /** The native socket closed. */
  close(code: number, reason: string, wasClean: boolean): void;
  /** The attempt ended before a native `close`: the provider failed, the URL was refused, or it timed out. */
  failed(error: BrowserError): void;
}

/** One attempt to connect, and the native socket it produced. */
export class Attempt {
  readonly #settings: AttemptSettings;
  readonly #events: AttemptEvents;
  #native: NativeWebSocket | undefined;
  #timer: unknown;
  #active = true;

  constructor(settings: AttemptSettings, events: AttemptEvents) {
    this.#settings = settings;
    this.#events = events;
  }

  /** The native socket, once constructed (and until abandoned). */
  get native(): NativeWebSocket | undefined {
    return this.#native;
  }

  /**
   * Resolves `source` and dials. With `rethrow`, an exception of the native constructor (such as
   * a SyntaxError for a bad subprotocol) is thrown to the caller, as the WHATWG constructor does;
   * otherwise it fails the attempt.
   */
  start(source: UrlSource, rethrow: boolean): void {
    if (typeof source !== 'function') {
      this.#dial(source, rethrow);
      return;
    }
    let result: string | URL | PromiseLike<string | URL>;
    try {
      result = source();
    } catch (error) {
      this.#fail(new BrowserError(BrowserErrorCode.UrlProvider, 'The URL provider threw', { cause: error }));
      return;
    }
    if (typeof result === 'string' || result instanceof URL) {
      this.#dial(result, rethrow);
      return;
    }
    Promise.resolve(result).then(
      (url) => {
        if (this.#active) this.#dial(url, false);
      },
      (error: unknown) => {
        if (this.#active) this.#fail(new BrowserError(BrowserErrorCode.UrlProvider, 'The URL provider rejected', { cause: error }));
      },
    );
  }

  /**
   * Stops relaying the native socket's events, cancels the timeout and forgets the socket, which
   * it does not close; a URL provider still running has its result dropped.
   */
  abandon(): void {
    this.#active = false;
    this.#clearTimer();
    const native = this.#native;
    this.#native = undefined;
    if (native === undefined) return;
    native.onopen = null;
    native.onmessage = null;
    native.onerror = null;
    native.onclose = null;
  }

  #dial(value: unknown, rethrow: boolean): void {
    const { Native, protocols, environment, connectTimeoutMs, timers } = this.#settings;
    let url: string;
    try {
      url = normalizeUrl(value, environment).href;
    } catch (error) {
      this.#fail(new BrowserError(BrowserErrorCode.InvalidUrl, (error as Error).message, { cause: error }));
      return;
    }
    this.#events.dialing(url);
    let native: NativeWebSocket;
    try {
      native = new Native(url, protocols);
    } catch (error) {
      if (rethrow) throw error;
      this.#fail(new BrowserError(BrowserErrorCode.InvalidUrl, `The browser refused to connect to ${url}`, { cause: error }));
      return;
    }
    native.binaryType = this.#settings.binaryType();
    native.onopen = () => {
      this.#clearTimer();
      this.#events.open(native);
    };
    native.onmessage = (event) => this.#events.message(event.data);
    native.onerror = () => this.#events.error();
    native.onclose = (event) => {
      this.abandon();
      this.#events.close(event.code, event.reason, event.wasClean);
    };
    this.#native = native;
    if (connectTimeoutMs > 0) this.#timer = timers.setTimeout(() => this.#onTimeout(native), connectTimeoutMs);
  }

  #onTimeout(native: NativeWebSocket): void {
    this.#timer = undefined;
    this.abandon();
    try {
      native.close();
    } catch {
      // The attempt is abandoned either way; a failing close() changes nothing.
    }
    this.#events.failed(new BrowserError(BrowserErrorCode.ConnectTimeout, `The connection did not open within ${this.#settings.connectTimeoutMs} ms`));
  }

  #fail(error: BrowserError): void {
    this.abandon();
    this.#events.failed(error);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#settings.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
