/** Socket URLs, resolved the way the WHATWG WebSocket constructor resolves them. */
import type { BrowserEnvironment } from './native.ts';

/**
 * Resolves a socket URL like the WHATWG constructor: relative to the page, `http:`→`ws:`,
 * `https:`→`wss:`, fragment dropped. Throws TypeError for anything else.
 */
export function normalizeUrl(value: unknown, env: BrowserEnvironment = {}): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new TypeError(`A socket URL must be a string or a URL, got ${value === null ? 'null' : typeof value}`);
  }
  let url: URL;
  try {
    url = new URL(String(value), env.location?.href);
  } catch (cause) {
    throw new TypeError(`Not a valid URL: ${String(value)}`, { cause });
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`A socket URL must use ws:, wss:, http: or https:, got ${url.protocol} in ${url.href}`);
  }
  url.hash = '';
  return url;
}
