/**
 * The client's opening handshake request (RFC 6455 §4.1), built from a URL and options.
 */
import { PROTOCOL_VERSION } from '@rfc6455/codes';
import { generateKey } from './accept-key.ts';
import type { RandomSource } from './accept-key.ts';
import { encodeBase64 } from './base64.ts';
import { HandshakeError } from './errors.ts';
import { formatExtensions, parseExtensionsHeader } from './extensions.ts';
import type { ExtensionInput, ExtensionOffer } from './extensions.ts';
import { isToken } from './tokens.ts';
import { encodeUtf8 } from './utf8.ts';
import { parseUrl } from './web.ts';
import type { WhatwgUrl } from './web.ts';

/** Options of {@link buildClientRequest}. */
export interface ClientRequestOptions {
  /** Subprotocols to offer, most preferred first: RFC 7230 tokens, no duplicates. */
  protocols?: string | readonly string[] | undefined;
  /**
   * Extension offers: a ready `Sec-WebSocket-Extensions` value, or a list that
   * {@link formatExtensions} writes. Omitted or empty: no header.
   */
  extensions?: string | ReadonlyArray<ExtensionInput> | undefined;
  /** The `Origin` header to send (browsers always send one; Node clients usually do not). */
  origin?: string | undefined;
  /**
   * Extra headers. They may set `Host`, `Origin` or `Authorization`, which then replace the
   * computed ones; `Upgrade`, `Connection` and `Sec-WebSocket-*` belong to the handshake and are
   * refused (use `protocols` and `extensions` instead).
   */
  headers?: Readonly<Record<string, string | number | readonly string[] | undefined>> | undefined;
  /** Random bytes for the key; defaults to `crypto.getRandomValues`. */
  random?: RandomSource | undefined;
}

/** The request a client sends, ready to write with any HTTP/1.1 client or raw socket. */
export interface ClientRequest {
  /** Always `GET` (RFC 6455 §4.1). */
  readonly method: 'GET';
  /** The URL as parsed, with `http:`/`https:` turned into `ws:`/`wss:`. */
  readonly url: string;
  /** The request target: path and query, `/` when empty. */
  readonly path: string;
  /** The host to connect to, without IPv6 brackets (`::1`), as `net.connect` wants it. */
  readonly host: string;
  /** The port to connect to: the URL's, or 80 for ws/http and 443 for wss/https. */
  readonly port: number;
  /** Whether the connection uses TLS (`wss:`/`https:`). */
  readonly secure: boolean;
  /** The request headers, handshake headers first (null-prototype record). */
  readonly headers: Readonly<Record<string, string>>;
  /** The `Sec-WebSocket-Key` sent; {@link validateServerResponse} checks the accept value against it. */
  readonly key: string;
  /** The subprotocols offered. */
  readonly protocols: readonly string[];
  /** The extensions offered, as parsed from the header sent. */
  readonly extensions: readonly ExtensionOffer[];
}

// RFC 6455 §4.1 and §11.3: these belong to the handshake and are computed here.
const RESERVED = new Set([
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);

/** Whether `value` may be written as a header value: no CR, LF, NUL or other control character. */
export function isSafeHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

/** Percent-decode a WHATWG URL userinfo component into bytes; `%` not followed by two hex digits stays. */
function percentDecode(component: string): Uint8Array {
  const raw = encodeUtf8(component);
  const out = new Uint8Array(raw.length);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b === 0x25 && i + 2 < raw.length && isHex(raw[i + 1] as number) && isHex(raw[i + 2] as number)) {
      out[o++] = (hexValue(raw[i + 1] as number) << 4) | hexValue(raw[i + 2] as number);
      i += 2;
    } else {
      out[o++] = b;
    }
  }
  return out.subarray(0, o);
}

function isHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

function hexValue(b: number): number {
  return b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10;
}

function normaliseProtocols(protocols: ClientRequestOptions['protocols']): string[] {
  if (protocols === undefined) return [];
  const list = typeof protocols === 'string' ? [protocols] : protocols;
  if (!Array.isArray(list)) throw new TypeError('buildClientRequest: protocols must be a string or an array of strings.');
  const seen = new Set<string>();
  for (const protocol of list as readonly unknown[]) {
    // WHATWG WebSocket constructor: a protocol that is not a token, or a repeated one, is a SyntaxError.
    if (typeof protocol !== 'string' || !isToken(protocol)) {
      throw new SyntaxError(`Invalid subprotocol ${JSON.stringify(protocol)}: a subprotocol must be an RFC 7230 token.`);
    }
    if (seen.has(protocol)) throw new SyntaxError(`Subprotocol ${JSON.stringify(protocol)} is offered more than once.`);
    seen.add(protocol);
  }
  return [...seen];
}

function normaliseExtensions(extensions: ClientRequestOptions['extensions']): { header: string; offers: ExtensionOffer[] } {
  if (extensions === undefined) return { header: '', offers: [] };
  const header = typeof extensions === 'string' ? extensions : formatExtensions(extensions);
  if (!isSafeHeaderValue(header)) throw new TypeError('buildClientRequest: the extensions header has a control character.');
  try {
    return { header: header.trim(), offers: parseExtensionsHeader(header) };
  } catch (err) {
    if (err instanceof HandshakeError) throw new TypeError(`buildClientRequest: ${err.message}`, { cause: err });
    throw err;
  }
}

function parseWebSocketUrl(input: string | { readonly href: string }): { url: WhatwgUrl; scheme: 'ws:' | 'wss:' } {
  const href = typeof input === 'string' ? input : input?.href;
  if (typeof href !== 'string') throw new TypeError('buildClientRequest(url): url must be a string or a URL.');
  let url: WhatwgUrl;
  try {
    url = parseUrl(href);
  } catch (err) {
    throw new SyntaxError(`Invalid URL ${JSON.stringify(href)}: it must be an absolute ws:, wss:, http: or https: URL.`, { cause: err });
  }
  let scheme: 'ws:' | 'wss:';
  // WHATWG WebSockets: http: and https: URLs are accepted and mean ws: and wss:.
  if (url.protocol === 'ws:' || url.protocol === 'http:') scheme = 'ws:';
  else if (url.protocol === 'wss:' || url.protocol === 'https:') scheme = 'wss:';
  else throw new SyntaxError(`Unsupported URL scheme ${JSON.stringify(url.protocol)}: use ws:, wss:, http: or https:.`);
  // WHATWG WebSockets: a URL with a fragment (even an empty one) is a SyntaxError.
  if (url.href.includes('#')) throw new SyntaxError(`Invalid URL ${JSON.stringify(href)}: WebSocket URLs must not have a fragment.`);
  return { url, scheme };
}

/**
 * Build the opening handshake request for `url` (RFC 6455 §4.1): `GET` of the path and query,
 * `Host` (default ports omitted, IPv6 literals bracketed), `Upgrade: websocket`,
 * `Connection: Upgrade`, a fresh `Sec-WebSocket-Key`, `Sec-WebSocket-Version: 13`, then `Origin`,
 * `Sec-WebSocket-Protocol`, `Sec-WebSocket-Extensions`, `Authorization: Basic …` from the URL's
 * userinfo (percent-decoded) and the extra headers, when given.
 *
 * @throws {SyntaxError} for an invalid URL, a scheme other than ws/wss/http/https, a fragment, or
 *   a subprotocol that is not a token or is repeated (as the WHATWG constructor does).
 * @throws {TypeError} for other bad options: a reserved or malformed extra header, a bad origin.
 */
export function buildClientRequest(url: string | { readonly href: string }, options: ClientRequestOptions = {}): ClientRequest {
  const { url: parsed, scheme } = parseWebSocketUrl(url);
  const secure = scheme === 'wss:';
  const protocols = normaliseProtocols(options.protocols);
  const extensions = normaliseExtensions(options.extensions);
  const key = generateKey(options.random);

  const headers = Object.create(null) as Record<string, string>;
  const names = new Map<string, string>();
  const set = (name: string, value: string): void => {
    const lower = name.toLowerCase();
    const previous = names.get(lower);
    if (previous !== undefined) delete headers[previous];
    names.set(lower, name);
    headers[name] = value;
  };

  // WHATWG URL serialisation already omits a scheme's default port and brackets IPv6 literals;
  // http/ws share port 80 and https/wss share 443, so the host needs no rewriting.
  set('Host', parsed.host);
  set('Upgrade', 'websocket');
  set('Connection', 'Upgrade');
  set('Sec-WebSocket-Key', key);
  set('Sec-WebSocket-Version', String(PROTOCOL_VERSION));
  if (options.origin !== undefined) {
    if (typeof options.origin !== 'string' || !isSafeHeaderValue(options.origin)) {
      throw new TypeError('buildClientRequest: origin must be a string without control characters.');
    }
    set('Origin', options.origin);
  }
  if (protocols.length > 0) set('Sec-WebSocket-Protocol', protocols.join(', '));
  if (extensions.header !== '') set('Sec-WebSocket-Extensions', extensions.header);
  if (parsed.username !== '' || parsed.password !== '') {
    const user = percentDecode(parsed.username);
    const password = percentDecode(parsed.password);
    const credentials = new Uint8Array(user.length + 1 + password.length);
    credentials.set(user);
    credentials[user.length] = 0x3a;
    credentials.set(password, user.length + 1);
    set('Authorization', `Basic ${encodeBase64(credentials)}`);
  }
  if (options.headers !== undefined) {
    if (options.headers === null || typeof options.headers !== 'object') {
      throw new TypeError('buildClientRequest: headers must be an object of name → value.');
    }
    for (const name of Object.keys(options.headers)) {
      const value = options.headers[name];
      if (value === undefined) continue;
      if (!isToken(name)) throw new TypeError(`buildClientRequest: header name ${JSON.stringify(name)} is not an RFC 7230 token.`);
      if (RESERVED.has(name.toLowerCase())) {
        throw new TypeError(
          `buildClientRequest: header ${JSON.stringify(name)} belongs to the handshake; use the protocols or extensions option instead.`,
        );
      }
      const text = Array.isArray(value) ? value.join(', ') : String(value);
      if (!isSafeHeaderValue(text)) throw new TypeError(`buildClientRequest: the value of ${JSON.stringify(name)} has a CR, LF or other control character.`);
      set(name, text);
    }
  }

  const hostname = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const port = parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port);
  const wsUrl = parsed.protocol === scheme ? parsed.href : scheme + parsed.href.slice(parsed.protocol.length);
  return {
    method: 'GET',
    url: wsUrl,
    path: parsed.pathname + parsed.search || '/',
    host: hostname,
    port,
    secure,
    headers,
    key,
    protocols,
    extensions: extensions.offers,
  };
}

/**
 * The request as HTTP/1.1 text, `GET <path> HTTP/1.1\r\n` then each header and an empty line, for
 * callers that write to a raw socket.
 */
export function formatClientRequest(request: Pick<ClientRequest, 'path' | 'headers'>): string {
  let text = `GET ${request.path} HTTP/1.1\r\n`;
  for (const name of Object.keys(request.headers)) text += `${name}: ${request.headers[name] as string}\r\n`;
  return `${text}\r\n`;
}
