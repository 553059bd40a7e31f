/**
 * RFC 7230 tokens and comma-separated lists, scanned by hand in one linear pass: no regular
 * expression with backtracking ever sees peer input (ws's CVE-2021-32640 was a regex that took
 * quadratic time on a crafted `Sec-WebSocket-Protocol`).
 */
import { HandshakeError, HandshakeErrorCode } from './errors.ts';

// RFC 7230 §3.2.6: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_"
// / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

/** Whether the UTF-16 code unit `code` is an RFC 7230 `tchar`. */
export function isTokenChar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/** Whether `value` is a non-empty RFC 7230 token (§3.2.6), as header names and subprotocols must be. */
export function isToken(value: string): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isTokenChar(value.charCodeAt(i))) return false;
  return true;
}

/** Whether `code` is optional whitespace (RFC 7230 §3.2.3 OWS: SP or HTAB). */
export function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** The index of the first non-OWS character at or after `i`. */
export function skipOws(text: string, i: number): number {
  while (i < text.length && isOws(text.charCodeAt(i))) i++;
  return i;
}

/** The index just past the token that starts at `i` (`i` itself when there is none). */
export function scanToken(text: string, i: number): number {
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  return i;
}

/** Repeated fields combined into one comma list (RFC 7230 §3.2.2); non-strings are ignored. */
export function combineHeaderValues(value: string | readonly string[] | undefined | null): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  let out = '';
  for (const item of value as readonly unknown[]) {
    if (typeof item !== 'string') continue;
    out = out === '' ? item : `${out},${item}`;
  }
  return out;
}

/**
 * The elements of a comma-separated header list (RFC 7230 §7 `#rule`), trimmed of OWS, empty
 * elements dropped. Elements are not checked: this is for membership tests such as whether
 * `Connection` contains `upgrade`.
 */
export function splitHeaderList(value: string | readonly string[] | undefined | null): string[] {
  const text = combineHeaderValues(value);
  const items: string[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) !== 0x2c) continue;
    let a = start;
    let b = i;
    while (a < b && isOws(text.charCodeAt(a))) a++;
    while (b > a && isOws(text.charCodeAt(b - 1))) b--;
    if (b > a) items.push(text.slice(a, b));
    start = i + 1;
  }
  return items;
}

/** Whether the comma list `value` has an element equal to `token`, ASCII case-insensitively. */
export function listHasToken(value: string | readonly string[] | undefined | null, token: string): boolean {
  const wanted = token.toLowerCase();
  return splitHeaderList(value).some((item) => item.toLowerCase() === wanted);
}

/**
 * Parse `Sec-WebSocket-Protocol` (RFC 6455 §4.1, §11.3.4): a comma list of tokens. Repeated
 * fields combine as one list; empty elements and OWS are skipped. Absent or empty gives `[]`.
 *
 * @throws {HandshakeError} `WS_ERR_INVALID_PROTOCOL_HEADER` (status 400) when an element is not a
 *   token. Nothing else is ever thrown, whatever the input.
 */
export function parseProtocolHeader(value: string | readonly string[] | undefined | null): string[] {
  const items = splitHeaderList(value);
  for (const item of items) {
    if (!isToken(item)) {
      throw new HandshakeError(
        HandshakeErrorCode.InvalidProtocolHeader,
        `Invalid Sec-WebSocket-Protocol header: ${describeValue(item)} is not a token (RFC 7230 §3.2.6).`,
      );
    }
  }
  return items;
}

/** A short, printable rendering of peer input for error messages (never the whole of a long value). */
export function describeValue(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(shown);
}
