/**
 * The opening handshake written and read by hand (RFC 6455 §4): keys, the accept value, the upgrade
 * request, and the pieces of a raw HTTP/1.1 head. The accept value is computed here with node:crypto,
 * not with @rfc6455/handshake, because it is what checks that package.
 */
import { createHash, randomBytes } from 'node:crypto';

/** RFC 6455 §1.3: the GUID appended to Sec-WebSocket-Key before hashing. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The sample nonce of RFC 6455 §1.3; its accept value is `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`. */
export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A fresh Sec-WebSocket-Key: 16 random bytes, base64 (RFC 6455 §4.1). */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}

/** The Sec-WebSocket-Accept value for `key` (RFC 6455 §4.2.2, step 5.4). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** Header lines to add to a head: a name with one value, or with several (one line each). */
export type HeaderLines = Readonly<Record<string, string | readonly string[]>>;

/**
 * A valid upgrade request for `path` (RFC 6455 §4.1) with `headers` appended after the standard
 * ones, so a header given again appears twice, as a misbehaving client would send it.
 */
export function upgradeRequest(path = '/', headers: HeaderLines = {}, key = SAMPLE_KEY): string {
  let text = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    for (const one of typeof value === 'string' ? [value] : value) text += `${name}: ${one}\r\n`;
  }
  return `${text}\r\n`;
}

/** The status code of a raw HTTP response (`HTTP/1.1 101 …` → 101); NaN when there is none. */
export function statusOf(response: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(response);
  return match === null ? Number.NaN : Number(match[1]);
}

/**
 * The header fields of a raw HTTP head (request or response): lower-cased names; a field given
 * more than once has its values joined with ", " (RFC 9110 §5.3).
 */
export function headersOf(head: string): Record<string, string> {
  const end = head.indexOf('\r\n\r\n');
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const line of head.slice(0, end === -1 ? head.length : end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/** The value of header `name` in a raw HTTP head (case-insensitive), or undefined. */
export function headerOf(head: string, name: string): string | undefined {
  return headersOf(head)[name.toLowerCase()];
}

/** The body of a raw HTTP response: everything after the head. */
export function bodyOf(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}
