/**
 * No option is silently ignored: every key of every options object must be one this package
 * knows, and the names that users of reconnecting-websocket, partysocket and ws reach for get
 * a message that says what to write instead.
 */

/** The keys of `WebSocketOptions`. */
export const SOCKET_OPTION_KEYS: readonly string[] = [
  'protocols',
  'WebSocket',
  'binaryType',
  'parse',
  'reconnect',
  'startClosed',
  'maxQueuedMessages',
  'maxQueuedBytes',
  'connectTimeoutMs',
  'closeOnHidden',
  'closeOnPageHide',
  'environment',
  'random',
];

/** The keys of `ReconnectOptions`. */
export const RECONNECT_OPTION_KEYS: readonly string[] = ['minDelayMs', 'maxDelayMs', 'factor', 'maxRetries', 'minUptimeMs', 'finalCloseCodes'];

/** The keys of `BrowserEnvironment`. */
export const ENVIRONMENT_KEYS: readonly string[] = ['window', 'document', 'navigator', 'location'];

const TO_RECONNECT = 'belongs in the reconnect object';
const URL_INSTEAD = 'a URL (or a URL provider) carries it: pass the whole socket URL, e.g. () => `wss://${host}/parties/${party}/${room}?id=${id}`';

/** What to write instead of a top-level key we do not have. */
const SOCKET_HINTS: Readonly<Record<string, string>> = {
  // reconnecting-websocket and partysocket
  maxRetries: `${TO_RECONNECT}: { reconnect: { maxRetries } }`,
  minReconnectionDelay: `use { reconnect: { minDelayMs } } (the ceiling of the first retry's jittered delay)`,
  maxReconnectionDelay: 'use { reconnect: { maxDelayMs } }',
  reconnectionDelayGrowFactor: 'use { reconnect: { factor } }',
  minUptime: 'use { reconnect: { minUptimeMs } }',
  connectionTimeout: 'use connectTimeoutMs',
  maxEnqueuedMessages: 'use maxQueuedMessages (and maxQueuedBytes)',
  debug: 'there is no debug output: listen to the open, close, error, reconnect, reconnected and giveup events',
  protocol: 'use protocols (a string, a list, or a function returning one)',
  host: URL_INSTEAD,
  room: URL_INSTEAD,
  party: URL_INSTEAD,
  query: URL_INSTEAD,
  id: URL_INSTEAD,
  // ours, one level too high
  minDelayMs: `${TO_RECONNECT}: { reconnect: { minDelayMs } }`,
  maxDelayMs: `${TO_RECONNECT}: { reconnect: { maxDelayMs } }`,
  factor: `${TO_RECONNECT}: { reconnect: { factor } }`,
  minUptimeMs: `${TO_RECONNECT}: { reconnect: { minUptimeMs } }`,
  finalCloseCodes: `${TO_RECONNECT}: { reconnect: { finalCloseCodes } }`,
  // the Node client's (ws) options a browser does not let script set
  headers: 'a browser does not let script set handshake headers: put a token in the URL (a URL provider is called before every attempt)',
  handshakeTimeout: 'use connectTimeoutMs',
  perMessageDeflate: 'the browser negotiates permessage-deflate itself',
  maxPayload: 'the browser sets its own message limits',
  origin: 'the browser sends the page origin itself',
  followRedirects: 'a browser does not follow redirects for WebSockets',
};

/** What to write instead of a key of the reconnect object we do not have. */
const RECONNECT_HINTS: Readonly<Record<string, string>> = {
  minReconnectionDelay: 'use minDelayMs',
  maxReconnectionDelay: 'use maxDelayMs',
  reconnectionDelayGrowFactor: 'use factor',
  minUptime: 'use minUptimeMs',
  maxAttempts: 'use maxRetries',
  retries: 'use maxRetries',
};

/** The hint tables by options object. */
export const HINTS = { socket: SOCKET_HINTS, reconnect: RECONNECT_HINTS, environment: {} } as const;

/**
 * Throws a TypeError naming the first own key of `options` that is not in `known`, with what to
 * write instead when `hints` knows it. `where` is how the message names the object (`options`,
 * `options.reconnect` …).
 */
export function checkKeys(where: string, options: object, known: readonly string[], hints: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = Object.hasOwn(hints, key) ? hints[key] : `the known ones are ${known.join(', ')}`;
    throw new TypeError(`Unknown option ${where}.${key}: ${hint}`);
  }
}
