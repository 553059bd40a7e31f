/** The options of the browser `WebSocket`, their types, and the checks that reject bad ones at once. */
import { resolveBackoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { defaultEnvironment, globalWebSocket } from './native.ts';
import { ENVIRONMENT_KEYS, HINTS, RECONNECT_OPTION_KEYS, SOCKET_OPTION_KEYS, checkKeys } from './option-keys.ts';
import type { BrowserEnvironment, NativeWebSocketConstructor } from './native.ts';
import type { ReconnectPolicy } from './reconnect.ts';

/** A URL, or a function (sync or async) called before EACH connection attempt to produce one. */
export type UrlSource = string | URL | (() => string | URL | PromiseLike<string | URL>);

/** Subprotocols to offer, or a function (sync or async) called before EACH attempt to produce them. */
export type ProtocolsSource =
  | string
  | readonly string[]
  | (() => string | readonly string[] | null | undefined | PromiseLike<string | readonly string[] | null | undefined>);

/** What a message's `data` is when `parse` is not `'json'`. */
export type MessageData = string | ArrayBuffer | Blob;

/** Reconnect settings. Every field is optional; see the defaults on each. */
export interface ReconnectOptions extends Partial<BackoffOptions> {
  /**
   * How many failed attempts in a row before giving up (`giveup` event, then a final `close`).
   * Default `Infinity`. A connection that stays open `minUptimeMs` resets the count.
   */
  maxRetries?: number | undefined;
  /**
   * How long a connection must stay open before the retry count and the backoff start over
   * (reconnecting-websocket's `minUptime`): a server that accepts and closes at once sees growing
   * delays, not a storm. Default 5000; 0 resets at every open.
   */
  minUptimeMs?: number | undefined;
  /**
   * Close codes after which the socket does not reconnect: a list, or a predicate. Default none
   * (`[]`): as with reconnecting-websocket and partysocket, every close the client did not ask
   * for is followed by a retry (with backoff). List your server's "do not come back" codes.
   */
  finalCloseCodes?: readonly number[] | ((code: number, reason: string) => boolean) | undefined;
}

/** Options of {@link WebSocket} and {@link connect}. */
export interface WebSocketOptions {
  /** Subprotocols to offer (Sec-WebSocket-Protocol), or a provider of them; the constructor's second argument wins. */
  protocols?: ProtocolsSource | undefined;
  /** The native WebSocket constructor. Default `globalThis.WebSocket`; pass one in Node < 22 or tests. */
  WebSocket?: NativeWebSocketConstructor | undefined;
  /** How binary messages arrive. Default `'arraybuffer'` (synchronous access, unlike the native `'blob'`). */
  binaryType?: 'arraybuffer' | 'blob' | undefined;
  /** `'json'`: text messages are parsed, and a parse failure is an `error` event with the raw text. Default `'none'`. */
  parse?: 'none' | 'json' | undefined;
  /** `false` turns reconnecting off; `true` or an object turns it on. Default `true`. */
  reconnect?: boolean | ReconnectOptions | undefined;
  /** Do not connect yet: `readyState` is `CLOSED` until `reconnect()` is called. Default `false`. */
  startClosed?: boolean | undefined;
  /** Messages that may wait while (re)connecting; 0 makes a send while not open throw. Default 100. */
  maxQueuedMessages?: number | undefined;
  /** Bytes (UTF-8 for text) that may wait while (re)connecting. Default 1 MiB. */
  maxQueuedBytes?: number | undefined;
  /** An attempt that has not opened after this long is abandoned (and retried). 0 = never. Default 10 000. */
  connectTimeoutMs?: number | undefined;
  /** Close (1000, "page hidden") while the page is hidden, reconnect when it is visible again. Default `false`. */
  closeOnHidden?: boolean | undefined;
  /** Close (1000, "page unloaded") on `pagehide`, reconnect on a `pageshow` from the back/forward cache. Default `true`. */
  closeOnPageHide?: boolean | undefined;
  /** Where to watch the page; default: the global `window`, `document`, `navigator`, `location`. */
  environment?: BrowserEnvironment | undefined;
  /** The random source of the backoff jitter, returning [0, 1). Default `Math.random`. */
  random?: (() => number) | undefined;
}

/** The options checked, with their defaults filled in. */
export interface ResolvedOptions {
  readonly Native: NativeWebSocketConstructor;
  readonly protocols: string | string[] | ProtocolsSource | undefined;
  readonly environment: BrowserEnvironment;
  readonly parseJson: boolean;
  readonly binaryType: 'arraybuffer' | 'blob';
  readonly reconnect: ReconnectPolicy;
  readonly startClosed: boolean;
  readonly connectTimeoutMs: number;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  readonly closeOnHidden: boolean;
  readonly closeOnPageHide: boolean;
}

/**
 * Checks the constructor's `protocols` and `options` and fills in the defaults. Throws a
 * TypeError or RangeError naming the first bad option.
 */
export function resolveOptions(protocols: ProtocolsSource | undefined, options: WebSocketOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  checkKeys('options', options, SOCKET_OPTION_KEYS, HINTS.socket);
  const Native = options.WebSocket ?? globalWebSocket();
  if (typeof Native !== 'function') {
    throw new TypeError('There is no global WebSocket here (Node < 22?): pass the constructor as options.WebSocket');
  }
  const offered = protocols ?? options.protocols;
  const isList = Array.isArray(offered) && (offered as readonly unknown[]).every((item) => typeof item === 'string');
  if (offered !== undefined && typeof offered !== 'string' && typeof offered !== 'function' && !isList) {
    throw new TypeError('protocols must be a string, a list of strings, or a function returning one (or a promise of one)');
  }
  const reconnect = options.reconnect ?? true;
  if (typeof reconnect !== 'boolean' && (typeof reconnect !== 'object' || reconnect === null)) {
    throw new TypeError('reconnect must be true, false or an object of reconnect settings');
  }
  const settings: ReconnectOptions = typeof reconnect === 'object' ? reconnect : {};
  checkKeys('options.reconnect', settings, RECONNECT_OPTION_KEYS, HINTS.reconnect);
  const environment = options.environment ?? defaultEnvironment();
  if (options.environment !== undefined) checkKeys('options.environment', environment, ENVIRONMENT_KEYS, HINTS.environment);
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new TypeError('random must be a function returning a number in [0, 1)');
  return {
    Native,
    protocols: Array.isArray(offered) ? [...(offered as readonly string[])] : (offered as string | ProtocolsSource | undefined),
    environment,
    parseJson: checkChoice('parse', options.parse ?? 'none', ['none', 'json']) === 'json',
    binaryType: checkChoice('binaryType', options.binaryType ?? 'arraybuffer', ['arraybuffer', 'blob']),
    reconnect: {
      enabled: reconnect !== false,
      backoff: resolveBackoff(settings),
      maxRetries: checkCount('reconnect.maxRetries', settings.maxRetries ?? Infinity, true),
      minUptimeMs: checkCount('reconnect.minUptimeMs', settings.minUptimeMs ?? 5000, false),
      isFinalCode: finalCodePredicate(settings.finalCloseCodes),
      random,
    },
    startClosed: checkFlag('startClosed', options.startClosed ?? false),
    connectTimeoutMs: checkCount('connectTimeoutMs', options.connectTimeoutMs ?? 10_000, false),
    maxQueuedMessages: checkCount('maxQueuedMessages', options.maxQueuedMessages ?? 100, false),
    maxQueuedBytes: checkCount('maxQueuedBytes', options.maxQueuedBytes ?? 1024 * 1024, false),
    closeOnHidden: checkFlag('closeOnHidden', options.closeOnHidden ?? false),
    closeOnPageHide: checkFlag('closeOnPageHide', options.closeOnPageHide ?? true),
  };
}

/** The predicate behind `reconnect.finalCloseCodes`, with its default. */
export function finalCodePredicate(option: ReconnectOptions['finalCloseCodes']): (code: number, reason: string) => boolean {
  if (option === undefined) return () => false;
  if (typeof option === 'function') return option;
  if (!Array.isArray(option)) throw new TypeError('reconnect.finalCloseCodes must be an array of close codes or a function (code, reason) => boolean');
  const codes = new Set<number>(option);
  return (code) => codes.has(code);
}

/** Checks a whole-number option; throws TypeError/RangeError naming it. */
export function checkCount(name: string, value: unknown, allowInfinity: boolean): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (value < 0 || (!Number.isInteger(value) && !(allowInfinity && value === Infinity))) {
    throw new RangeError(`${name} must be a whole number ≥ 0${allowInfinity ? ' or Infinity' : ''}, got ${value}`);
  }
  return value;
}

/** Checks a boolean option; throws TypeError naming it. */
export function checkFlag(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be true or false, got ${typeof value}`);
  return value;
}

/** Checks an option that takes one of a few strings; throws TypeError naming it. */
export function checkChoice<C extends string>(name: string, value: unknown, choices: readonly C[]): C {
  if (!choices.includes(value as C)) throw new TypeError(`${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${String(value)}`);
  return value as C;
}
