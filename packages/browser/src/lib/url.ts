/** Socket URLs, resolved and checked the way the WHATWG WebSocket constructor does it. */
import type { BrowserEnvironment } from './native.ts';

/**
 * Resolves a socket URL like the WHATWG constructor: relative to the page, `http:`→`ws:`,
 * `https:`→`wss:`. Throws a `SyntaxError` DOMException, as the constructor does, for a URL that
 * does not parse, has another scheme, or has a fragment (`#…`, even an empty one); a TypeError
 * for a value that is neither a string nor a URL.
 */
export function normalizeUrl(value: unknown, env: BrowserEnvironment = {}): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new TypeError(`A socket URL must be a string or a URL, got ${value === null ? 'null' : typeof value}`);
  }
  let url: URL;
  try {
    url = new URL(String(value), env.location?.href);
  } catch {
    throw new DOMException(`Not a valid URL: ${String(value)}`, 'SyntaxError');
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new DOMException(`A socket URL must use ws:, wss:, http: or https:, got ${url.protocol} in ${url.href}`, 'SyntaxError');
  }
  // The serialization has a `#` exactly when the fragment is non-null; `url.hash` is '' for `#` alone.
  if (url.href.includes('#')) {
    throw new DOMException(`A socket URL cannot have a fragment: ${url.href}`, 'SyntaxError');
  }
  return url;
}
