/**
 * The server's check of the client's opening handshake (RFC 6455 §4.2.1).
 */
import { PROTOCOL_VERSION } from '@rfc6455/codes';
import { isBase64Of16Bytes } from './base64.ts';
import { HandshakeError, HandshakeErrorCode } from './errors.ts';
import { parseExtensionsHeader } from './extensions.ts';
import type { ExtensionOffer } from './extensions.ts';
import { normalizeHeaders } from './headers.ts';
import type { HandshakeHeaders, HeadersInput } from './headers.ts';
import { describeValue, listHasToken, parseProtocolHeader } from './tokens.ts';

/** The parts of an HTTP request the handshake looks at, such as Node's `IncomingMessage`. */
export interface ClientRequestInput {
  /** The request method. */
  readonly method?: string | undefined;
  /** The HTTP version, such as `'1.1'` (Node's `httpVersion`); omitted means 1.1. */
  readonly httpVersion?: string | undefined;
  /** The request target (path and query). */
  readonly url?: string | undefined;
  /** The request headers, in any {@link HeadersInput} shape. */
  readonly headers: HeadersInput;
  /**
   * Node's `rawHeaders` (name, value, name, value …), when `headers` is Node's joined record: it
   * tells a repeated `Sec-WebSocket-Key` (which Node joins into `"a, b"`) from a malformed one.
   */
  readonly rawHeaders?: readonly string[] | undefined;
}

/** How many times `name` (lower case) appears in a Node `rawHeaders` list; 0 when not a list. */
function countRaw(rawHeaders: readonly string[] | undefined, name: string): number {
  if (!Array.isArray(rawHeaders)) return 0;
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const field = rawHeaders[i];
    if (typeof field === 'string' && field.toLowerCase() === name) count++;
  }
  return count;
}

/** A valid opening handshake request, as the server needs it to answer. */
export interface ValidClientRequest {
  /** The `Sec-WebSocket-Key`, for `Sec-WebSocket-Accept`. */
  readonly key: string;
  /** The protocol version the client asked for: 13, or 8 (accepted as ws does). */
  readonly version: 8 | 13;
  /** The subprotocols offered, in the client's order of preference. */
  readonly protocols: string[];
  /** The extension offers, in the client's order of preference. */
  readonly extensions: ExtensionOffer[];
  /** The `Origin` (or, for version 8, `Sec-WebSocket-Origin`) header, when sent. */
  readonly origin: string | undefined;
  /** The request target, `/` when none was given. */
  readonly url: string;
  /** The request headers, normalised. */
  readonly headers: HandshakeHeaders;
}

/** Whether the HTTP version string is 1.1 or later (`'1.1'`, `'2.0'`, `'HTTP/1.1'`). */
function isHttp11OrLater(version: string): boolean {
  const text = version.startsWith('HTTP/') ? version.slice(5) : version;
  const dot = text.indexOf('.');
  const major = Number(dot === -1 ? text : text.slice(0, dot));
  const minor = dot === -1 ? 0 : Number(text.slice(dot + 1));
  if (!Number.isInteger(major) || !Number.isInteger(minor) || text === '') return false;
  return major > 1 || (major === 1 && minor >= 1);
}

/**
 * Check a client's opening handshake (RFC 6455 §4.2.1): method `GET`, HTTP/1.1 or later, exactly
 * one non-blank `Host` header, `Upgrade` listing `websocket` and `Connection` listing `upgrade` (case-insensitive), a
 * `Sec-WebSocket-Key` that is base64 of exactly 16 bytes, `Sec-WebSocket-Version` 13 (or 8, as ws
 * accepts), and well-formed `Sec-WebSocket-Protocol` / `Sec-WebSocket-Extensions` when present.
 *
 * @returns the key, version, offered subprotocols and extensions, and the origin.
 * @throws {HandshakeError} whose `status` and `headers` are the HTTP error to answer with:
 *   405 (with `Allow: GET`) for another method, 426 (with `Sec-WebSocket-Version: 13`) for a
 *   missing or unsupported version, 400 for everything else malformed.
 */
export function validateClientRequest(request: ClientRequestInput): ValidClientRequest {
  if (request === null || typeof request !== 'object') {
    throw new TypeError('validateClientRequest(request): request must be { method, httpVersion, url, headers }.');
  }
  const headers = normalizeHeaders(request.headers);
  const fail = (code: HandshakeErrorCode, message: string, status = 400, extra?: Record<string, string>, cause?: unknown) =>
    new HandshakeError(code, message, { status, headers: extra, cause });

  // §4.1: "The method of the request MUST be GET". ws answers 405, and RFC 9110 §15.5.6 makes a
  // 405 name the allowed methods.
  const method = typeof request.method === 'string' ? request.method : 'GET';
  if (method !== 'GET') {
    throw fail(HandshakeErrorCode.InvalidMethod, `Invalid request method ${describeValue(method)}: a WebSocket handshake is a GET.`, 405, { Allow: 'GET' });
  }
  // §4.1: "the HTTP version MUST be at least 1.1".
  const httpVersion = typeof request.httpVersion === 'string' ? request.httpVersion : '1.1';
  if (!isHttp11OrLater(httpVersion)) {
    throw fail(HandshakeErrorCode.InvalidHttpVersion, `Invalid HTTP version ${describeValue(httpVersion)}: a WebSocket handshake needs HTTP/1.1 or later.`);
  }
  // RFC 7230 §5.4: a request without Host, or with more than one, gets a 400.
  const host = headers.getSingle('host');
  if (host === null) throw fail(HandshakeErrorCode.MissingHost, 'The request has more than one Host header; it must have exactly one.');
  if (host === undefined || host.trim() === '') throw fail(HandshakeErrorCode.MissingHost, 'The request has no Host header.');

  if (!listHasToken(headers.getAll('upgrade'), 'websocket')) {
    const got = headers.get('upgrade');
    throw fail(
      HandshakeErrorCode.InvalidUpgradeHeader,
      got === undefined ? 'The request has no Upgrade header.' : `The request's Upgrade header ${describeValue(got)} does not list "websocket".`,
    );
  }
  if (!listHasToken(headers.getAll('connection'), 'upgrade')) {
    const got = headers.get('connection');
    throw fail(
      HandshakeErrorCode.InvalidConnectionHeader,
      got === undefined ? 'The request has no Connection header.' : `The request's Connection header ${describeValue(got)} has no "upgrade" token.`,
    );
  }

  // §4.2.2 and §4.4: an unsupported version gets 426 and the versions we speak. A missing one is
  // answered the same way, so the client learns what to send.
  const versionField = headers.getSingle('sec-websocket-version');
  const versionText = typeof versionField === 'string' ? versionField.trim() : '';
  if (versionText !== '13' && versionText !== '8') {
    throw fail(
      HandshakeErrorCode.UnsupportedVersion,
      versionField === undefined
        ? 'The request has no Sec-WebSocket-Version header; this server speaks version 13.'
        : `Unsupported Sec-WebSocket-Version ${describeValue(headers.get('sec-websocket-version') ?? '')}; this server speaks version 13.`,
      426,
      { 'Sec-WebSocket-Version': String(PROTOCOL_VERSION) },
    );
  }
  const version: 8 | 13 = versionText === '8' ? 8 : 13;

  // §11.3.1: the key appears once, and is base64 of a 16-byte nonce (§4.1 step 7).
  const key = headers.getSingle('sec-websocket-key');
  if (key === undefined) throw fail(HandshakeErrorCode.InvalidKey, 'The request has no Sec-WebSocket-Key header.');
  if (key === null) throw fail(HandshakeErrorCode.InvalidKey, 'The request has more than one Sec-WebSocket-Key header.');
  const trimmedKey = key.trim();
  const keyFields = countRaw(request.rawHeaders, 'sec-websocket-key');
  if (keyFields > 1) {
    // Node joined the repeated fields into one "a, b" value: say what really happened.
    throw fail(HandshakeErrorCode.InvalidKey, `The request has ${keyFields} Sec-WebSocket-Key headers; it must have exactly one.`);
  }
  if (!isBase64Of16Bytes(trimmedKey)) {
    throw fail(HandshakeErrorCode.InvalidKey, `Invalid Sec-WebSocket-Key ${describeValue(key)}: it must be base64 of exactly 16 bytes.`);
  }

  let protocols: string[];
  try {
    protocols = parseProtocolHeader(headers.getAll('sec-websocket-protocol'));
  } catch (err) {
    throw fail(HandshakeErrorCode.InvalidProtocolHeader, (err as Error).message, 400, undefined, err);
  }
  let extensions: ExtensionOffer[];
  try {
    extensions = parseExtensionsHeader(headers.getAll('sec-websocket-extensions'));
  } catch (err) {
    throw fail(HandshakeErrorCode.InvalidExtensionHeader, (err as Error).message, 400, undefined, err);
  }

  // hybi-08 clients sent their origin in Sec-WebSocket-Origin; version 13 uses Origin (§4.1 step 8).
  const origin = headers.get(version === 8 ? 'sec-websocket-origin' : 'origin');
  const url = typeof request.url === 'string' && request.url !== '' ? request.url : '/';
  return { key: trimmedKey, version, protocols, extensions, origin, url, headers };
}
