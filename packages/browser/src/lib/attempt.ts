/**
 * One connection attempt: resolve the URL (calling the provider when there is one), construct the
 * native socket, relay its events while it is the current one, and abandon it when it has not
 * opened within the connect timeout. What follows an attempt is the reconnect machine's business.
 */
import { BrowserError, BrowserErrorCode } from './errors.ts';
import type { BrowserEnvironment, NativeWebSocket, NativeWebSocketConstructor } from './native.ts';
import type { ProtocolsSource, UrlSource } from './options.ts';
import type { Timers } from './timers.ts';
import { normalizeUrl } from './url.ts';

/** What an attempt needs to dial. */
export interface AttemptSettings {
  readonly Native: NativeWebSocketConstructor;
  readonly protocols: string | string[] | ProtocolsSource | undefined;
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
  /** The native socket fired `error` after it opened (a `close` follows). */
  error(error: BrowserError): void;
  /** The native socket closed. */
  close(code: number, reason: string, wasClean: boolean): void;
  /**
   * The attempt ended before it opened, without a native `close`: a provider failed, the URL was
   * refused, the native socket fired `error`, or it timed out.
   */
  failed(error: BrowserError): void;
}

/** One attempt to connect, and the native socket it produced. */
export class Attempt {
  readonly #settings: AttemptSettings;
  readonly #events: AttemptEvents;
  #native: NativeWebSocket | undefined;
  #timer: unknown;
  #active = true;
  #opened = false;

  constructor(settings: AttemptSettings, events: AttemptEvents) {
    this.#settings = settings;
    this.#events = events;
  }

  /** The native socket, once constructed (and until abandoned). */
  get native(): NativeWebSocket | undefined {
    return this.#native;
  }

  /**
   * Resolves the URL and the subprotocols (calling their providers) and dials. With `rethrow`, an
   * exception of the native constructor (such as a SyntaxError for a bad subprotocol) is thrown
   * to the caller, as the WHATWG constructor does; otherwise it fails the attempt.
   */
  start(source: UrlSource, rethrow: boolean): void {
    const { protocols } = this.#settings;
    let url: unknown;
    let offered: unknown;
    try {
      url = typeof source === 'function' ? source() : source;
    } catch (error) {
      this.#fail(new BrowserError(BrowserErrorCode.UrlProvider, 'The URL provider threw', { cause: error }));
      return;
    }
    try {
      offered = typeof protocols === 'function' ? protocols() : protocols;
    } catch (error) {
      this.#fail(new BrowserError(BrowserErrorCode.ProtocolsProvider, 'The subprotocols provider threw', { cause: error }));
      return;
    }
    if (!isThenable(url) && !isThenable(offered)) {
      this.#dial(url, offered, rethrow);
      return;
    }
    Promise.all([settled(url, BrowserErrorCode.UrlProvider, 'The URL provider'), settled(offered, BrowserErrorCode.ProtocolsProvider, 'The subprotocols provider')]).then(
      ([resolvedUrl, resolvedProtocols]) => {
        if (this.#active) this.#dial(resolvedUrl, resolvedProtocols, false);
      },
      (error: BrowserError) => {
        if (this.#active) this.#fail(error);
      },
    );
  }

  /**
   * Closes the native socket and keeps relaying until its `close`; returns true. Without a native
   * socket yet (a provider still running), abandons the attempt and returns false: no `close` follows.
   */
  close(code?: number, reason?: string): boolean {
    const native = this.#native;
    if (native === undefined) {
      this.abandon();
      return false;
    }
    native.close(code, reason);
    return true;
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

  #dial(value: unknown, offered: unknown, rethrow: boolean): void {
    const { Native, environment, connectTimeoutMs, timers } = this.#settings;
    let url: string;
    try {
      url = normalizeUrl(value, environment).href;
    } catch (error) {
      this.#fail(new BrowserError(BrowserErrorCode.InvalidUrl, (error as Error).message, { cause: error }));
      return;
    }
    const protocols = checkProtocols(offered);
    if (protocols instanceof BrowserError) {
      this.#fail(protocols);
      return;
    }
    this.#events.dialing(url);
    let native: NativeWebSocket;
    try {
      native = new Native(url, protocols);
    } catch (error) {
      if (rethrow) throw error;
      this.#fail(new BrowserError(BrowserErrorCode.InvalidUrl, `The browser refused to connect to ${url}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    native.binaryType = this.#settings.binaryType();
    native.onopen = () => {
      this.#clearTimer();
      this.#opened = true;
      this.#events.open(native);
    };
    native.onmessage = (event) => this.#events.message(event.data);
    native.onerror = () => this.#onError(native);
    native.onclose = (event) => {
      this.abandon();
      this.#events.close(event.code, event.reason, event.wasClean);
    };
    this.#native = native;
    if (connectTimeoutMs > 0) this.#timer = timers.setTimeout(() => this.#onTimeout(native), connectTimeoutMs);
  }

  #onError(native: NativeWebSocket): void {
    const error = new BrowserError(BrowserErrorCode.Network, 'The browser reported a WebSocket error (browsers give no detail)');
    if (this.#opened) {
      // An open connection that fails gets its `close` (1006) from every runtime: wait for it.
      this.#events.error(error);
      return;
    }
    // An attempt that fails: browsers follow `error` with `close` 1006, but undici (Node's global
    // WebSocket) has not always done so after a refused connection. End the attempt now either way
    // rather than wait for connectTimeoutMs; a `close` arriving later is no longer listened to.
    this.abandon();
    closeQuietly(native);
    this.#events.failed(error);
  }

  #onTimeout(native: NativeWebSocket): void {
    this.#timer = undefined;
    this.abandon();
    closeQuietly(native);
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** A provider's result as a promise that rejects with a BrowserError of `code` naming `what`. */
function settled(value: unknown, code: BrowserErrorCode, what: string): Promise<unknown> {
  return Promise.resolve(value).catch((cause: unknown) => {
    throw new BrowserError(code, `${what} rejected`, { cause });
  });
}

/** The subprotocols to offer (undefined for none), or the error saying why a provider's result is unusable. */
function checkProtocols(value: unknown): string | string[] | undefined | BrowserError {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return [...(value as string[])];
  return new BrowserError(BrowserErrorCode.ProtocolsProvider, `Subprotocols must be a string or a list of strings, got ${Array.isArray(value) ? 'a list with a non-string' : typeof value}`);
}

function closeQuietly(native: NativeWebSocket): void {
  try {
    native.close();
  } catch {
    // The attempt is abandoned either way; a failing close() changes nothing.
  }
}
