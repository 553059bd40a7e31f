/**
 * The server's answers: the 101 that completes the handshake (RFC 6455 §4.2.2 step 5) and the
 * plain-text HTTP error responses that refuse it.
 */
import { PROTOCOL_VERSION, utf8ByteLength } from '@rfc6455/codes';
import { createAcceptKey } from './accept-key.ts';
import { isSafeHeaderValue } from './client-request.ts';
import { formatExtensions } from './extensions.ts';
import type { ExtensionInput } from './extensions.ts';
import type { Sha1 } from './sha1.ts';
import { isToken } from './tokens.ts';

/** Extra response headers: name → value (arrays write one line per value). */
export type ExtraHeaders = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** What the server agreed to, for {@link buildServerResponse}. */
export interface AcceptedHandshake {
  /** The client's `Sec-WebSocket-Key`. */
  readonly key: string;
  /** The selected subprotocol; omitted or `undefined` for none. */
  readonly protocol?: string | undefined;
  /** The accepted extensions, as a list or a ready header value; omitted or empty for none. */
  readonly extensions?: string | ReadonlyArray<ExtensionInput> | undefined;
  /** Extra headers, such as `Set-Cookie`; the handshake's own headers cannot be overridden. */
  readonly headers?: ExtraHeaders | undefined;
}

const REASONS: ReadonlyMap<number, string> = new Map([
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [408, 'Request Timeout'],
  [409, 'Conflict'],
  [410, 'Gone'],
  [413, 'Content Too Large'],
  [414, 'URI Too Long'],
  [426, 'Upgrade Required'],
  [429, 'Too Many Requests'],
  [431, 'Request Header Fields Too Large'],
  [500, 'Internal Server Error'],
  [501, 'Not Implemented'],
  [502, 'Bad Gateway'],
  [503, 'Service Unavailable'],
  [504, 'Gateway Timeout'],
  [505, 'HTTP Version Not Supported'],
]);

/** The reason phrase for an HTTP status (RFC 9110 §15), or `Error` for one without a common phrase. */
export function reasonPhrase(status: number): string {
  return REASONS.get(status) ?? 'Error';
}

/**
 * Append `headers` as `Name: value\r\n` lines, refusing names in `reserved` (lower-case), names
 * that are not tokens and values with control characters: a CR or LF in either would let a caller's
 * input inject headers or a whole response.
 */
function formatExtraHeaders(caller: string, headers: ExtraHeaders | undefined, reserved: ReadonlySet<string>): string {
  if (headers === undefined) return '';
  if (headers === null || typeof headers !== 'object') throw new TypeError(`${caller}: headers must be an object of name → value.`);
  let out = '';
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!isToken(name)) throw new TypeError(`${caller}: header name ${JSON.stringify(name)} is not an RFC 7230 token.`);
    if (reserved.has(name.toLowerCase())) throw new TypeError(`${caller}: header ${JSON.stringify(name)} is set by the handshake and cannot be overridden.`);
    const values = Array.isArray(value) ? (value as readonly unknown[]) : [value];
    for (const item of values) {
      const text = String(item);
      if (!isSafeHeaderValue(text)) throw new TypeError(`${caller}: the value of ${JSON.stringify(name)} has a CR, LF or other control character.`);
      out += `${name}: ${text}\r\n`;
    }
  }
  return out;
}

function hasHeader(headers: ExtraHeaders | undefined, wanted: string): boolean {
  if (headers === undefined || headers === null) return false;
  return Object.keys(headers).some((name) => name.toLowerCase() === wanted && headers[name] !== undefined);
}

const RESERVED_101 = new Set(['upgrade', 'connection', 'sec-websocket-accept', 'sec-websocket-protocol', 'sec-websocket-extensions']);

/**
 * The complete `HTTP/1.1 101 Switching Protocols` response that accepts the handshake:
 * `Upgrade: websocket`, `Connection: Upgrade`, `Sec-WebSocket-Accept`, then
 * `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions` when given, the extra headers, and the
 * empty line. Write it to the socket as is (it is ASCII unless an extra header value is not).
 *
 * @throws {TypeError} for a key that is not a string, a protocol that is not a token, a reserved or
 *   malformed extra header.
 */
export function buildServerResponse(accepted: AcceptedHandshake, sha1?: Sha1): string {
  if (accepted === null || typeof accepted !== 'object') throw new TypeError('buildServerResponse(accepted): pass { key, protocol?, extensions?, headers? }.');
  let out = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
  out += `Sec-WebSocket-Accept: ${createAcceptKey(accepted.key, sha1)}\r\n`;
  if (accepted.protocol !== undefined) {
    if (!isToken(accepted.protocol)) throw new TypeError(`buildServerResponse: subprotocol ${JSON.stringify(accepted.protocol)} is not an RFC 7230 token.`);
    out += `Sec-WebSocket-Protocol: ${accepted.protocol}\r\n`;
  }
  if (accepted.extensions !== undefined) {
    const value = typeof accepted.extensions === 'string' ? accepted.extensions.trim() : formatExtensions(accepted.extensions);
    if (!isSafeHeaderValue(value)) throw new TypeError('buildServerResponse: the extensions header has a CR, LF or other control character.');
    if (value !== '') out += `Sec-WebSocket-Extensions: ${value}\r\n`;
  }
  out += formatExtraHeaders('buildServerResponse', accepted.headers, RESERVED_101);
  return `${out}\r\n`;
}

const RESERVED_ERROR = new Set(['connection', 'content-length', 'transfer-encoding']);

/**
 * A complete HTTP/1.1 error response refusing the handshake, with `Connection: close`,
 * `Content-Type: text/plain; charset=utf-8`, `Content-Length` and a short body: `message`, or the
 * reason phrase when no message is given. A 426 carries `Sec-WebSocket-Version: 13` and a 405
 * `Allow: GET` unless `headers` sets them; pass `Retry-After` in `headers` with a 429 or 503.
 *
 * For a {@link HandshakeError} from {@link validateClientRequest}:
 * `buildErrorResponse(err.status, err.message, err.headers)`.
 *
 * @throws {RangeError} for a status outside 400–599.
 * @throws {TypeError} for a reserved or malformed extra header.
 */
export function buildErrorResponse(status: number, message?: string, headers?: ExtraHeaders): string {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError(`buildErrorResponse: status ${String(status)} is not an HTTP error status (400–599).`);
  }
  const reason = reasonPhrase(status);
  const body = message === undefined || message === '' ? reason : String(message);
  let out = `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n`;
  out += `Content-Length: ${utf8ByteLength(body)}\r\n`;
  // RFC 6455 §4.4: a 426 tells the client which versions the server speaks.
  if (status === 426 && !hasHeader(headers, 'sec-websocket-version')) out += `Sec-WebSocket-Version: ${PROTOCOL_VERSION}\r\n`;
  // RFC 9110 §15.5.6: a 405 lists the allowed methods.
  if (status === 405 && !hasHeader(headers, 'allow')) out += 'Allow: GET\r\n';
  out += formatExtraHeaders('buildErrorResponse', headers, RESERVED_ERROR);
  return `${out}\r\n${body}`;
}
