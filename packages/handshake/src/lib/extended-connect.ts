/**
 * The opening handshake over HTTP/2 (RFC 8441): the client's extended CONNECT request, the
 * server's check of it and its 200 answer, and the client's check of that answer. Sans-I/O: header
 * records in, header records out, in the lower-case shape HTTP/2 uses (RFC 9113 §8.2.1), ready for
 * Node's `stream.respond()` and `session.request()`. The key/accept exchange of RFC 6455 §4 does
 * not exist here: `:protocol = websocket` proves the server speaks WebSocket (RFC 8441 §5).
 */
import { PROTOCOL_VERSION, WS_CLOSED_ABNORMALLY } from '@rfc6455/codes';
import { buildClientRequest, isSafeHeaderValue } from './client-request.ts';
import type { ClientRequestOptions } from './client-request.ts';
import { HandshakeError, HandshakeErrorCode } from './errors.ts';
import { formatExtensions, negotiateExtensions, parseExtensionsHeader } from './extensions.ts';
import type { AcceptedExtension, ClientExtension, ExtensionInput, ExtensionOffer, ServerExtension } from './extensions.ts';
import { normalizeHeaders } from './headers.ts';
import type { HandshakeHeaders, HeadersInput } from './headers.ts';
import { isOriginAllowed } from './origin.ts';
import type { ExtraHeaders } from './server-response.ts';
import { negotiateSubprotocol } from './subprotocol.ts';
import type { SubprotocolSelector } from './subprotocol.ts';
import { describeValue, isToken, parseProtocolHeader } from './tokens.ts';

/** HTTP/2 headers as Node's http2 module takes and gives them: lower-case names, pseudo-headers first. */
export type Http2Headers = Record<string, string | number | string[] | undefined>;

/** The extended CONNECT request a client sends (RFC 8441 §4–§5). */
export interface ExtendedConnectRequest {
  /** The URL as parsed, in ws:/wss: form. */
  readonly url: string;
  /** The host to connect to, without IPv6 brackets. */
  readonly host: string;
  /** The port to connect to. */
  readonly port: number;
  /** Whether the connection uses TLS (wss:/https:). */
  readonly secure: boolean;
  /** The request headers, pseudo-headers first, for `session.request(headers)`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The subprotocols offered. */
  readonly protocols: readonly string[];
  /** The extensions offered. */
  readonly extensions: readonly ExtensionOffer[];
}

/** Options of {@link buildExtendedConnectRequest}: those of `buildClientRequest` but for the key source. */
export type ExtendedConnectRequestOptions = Omit<ClientRequestOptions, 'random'>;

// RFC 9113 §8.2.2: connection-specific fields are malformed in HTTP/2; Host becomes :authority.
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
// RFC 8441 §5: the key/accept exchange of RFC 6455 is not used over HTTP/2.
const HTTP1_ONLY = new Set([...CONNECTION_SPECIFIC, 'host', 'sec-websocket-key']);

/**
 * Build the extended CONNECT request for `url` (RFC 8441 §4–§5): `:method = CONNECT`,
 * `:protocol = websocket`, `:scheme` `https` for wss and `http` for ws, `:authority` (the URL's
 * host, or a `Host` given in `headers`), `:path` (path and query), `sec-websocket-version: 13`, then
 * `origin`, `sec-websocket-protocol`, `sec-websocket-extensions`, `authorization` from the URL's
 * userinfo and the extra headers, all with lower-case names. No `Sec-WebSocket-Key`: RFC 8441 §5
 * replaces it with `:protocol`.
 *
 * @throws {SyntaxError} and {TypeError} as `buildClientRequest` does, and a TypeError for an extra
 *   header that HTTP/2 forbids (`Connection`, `Keep-Alive`, `Transfer-Encoding` …, RFC 9113 §8.2.2).
 */
export function buildExtendedConnectRequest(url: string | { readonly href: string }, options: ExtendedConnectRequestOptions = {}): ExtendedConnectRequest {
  if (options === null || typeof options !== 'object') throw new TypeError('buildExtendedConnectRequest(url, options): options must be an object.');
  for (const name of Object.keys(options.headers ?? {})) {
    const lower = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(lower) || lower === 'te') {
      throw new TypeError(`buildExtendedConnectRequest: header ${JSON.stringify(name)} is connection-specific and forbidden in HTTP/2 (RFC 9113 §8.2.2).`);
    }
  }
  // The HTTP/1.1 request carries every check of the URL, subprotocols, extensions and headers.
  const http1 = buildClientRequest(url, options);
  const headers = Object.create(null) as Record<string, string>;
  let authority = '';
  for (const name of Object.keys(http1.headers)) {
    if (name.toLowerCase() === 'host') authority = http1.headers[name] as string;
  }
  headers[':method'] = 'CONNECT';
  headers[':protocol'] = 'websocket';
  headers[':scheme'] = http1.secure ? 'https' : 'http';
  headers[':authority'] = authority;
  headers[':path'] = http1.path;
  for (const name of Object.keys(http1.headers)) {
    const lower = name.toLowerCase();
    if (!HTTP1_ONLY.has(lower)) headers[lower] = http1.headers[name] as string;
  }
  return {
    url: http1.url,
    host: http1.host,
    port: http1.port,
    secure: http1.secure,
    headers,
    protocols: http1.protocols,
    extensions: http1.extensions,
  };
}

/** A valid extended CONNECT request, as the server needs it to answer. */
export interface ValidExtendedConnect {
  /** Always 13: RFC 8441 bootstraps RFC 6455's version only. */
  readonly version: 13;
  /** The subprotocols offered, in the client's order of preference. */
  readonly protocols: string[];
  /** The extension offers, in the client's order of preference. */
  readonly extensions: ExtensionOffer[];
  /** The `origin` header, when sent. */
  readonly origin: string | undefined;
  /** The request target (`:path`). */
  readonly url: string;
  /** `:authority`. */
  readonly authority: string;
  /** `:scheme`: `https` (wss) or `http` (ws). */
  readonly scheme: 'http' | 'https';
  /** The request headers, normalised (pseudo-headers included). */
  readonly headers: HandshakeHeaders;
}

/**
 * Check an HTTP/2 extended CONNECT request (RFC 8441 §4–§5): `:method` CONNECT; `:protocol`
 * `websocket`; `:scheme` `http` or `https`; non-empty `:path` and `:authority`;
 * `sec-websocket-version` 13; well-formed `sec-websocket-protocol` / `sec-websocket-extensions`.
 * A `sec-websocket-key`, if sent, is ignored (RFC 8441 §5).
 *
 * @param headers the request's headers with its pseudo-headers, such as Node's `stream` event's.
 * @throws {HandshakeError} whose `status` and `headers` are the answer:
 *   405 (`allow: CONNECT`) for another method (`WS_ERR_INVALID_METHOD`); 400 for a missing
 *   `:protocol` or a bad `:scheme`, `:path` or `:authority` (`WS_ERR_INVALID_PSEUDO_HEADER`);
 *   501 for a `:protocol` other than `websocket` (`WS_ERR_UNSUPPORTED_CONNECT_PROTOCOL`, RFC 9220
 *   §3); 400 with `sec-websocket-version: 13` for a missing or other version
 *   (`WS_ERR_UNSUPPORTED_VERSION`: 426 needs an `Upgrade` header, which HTTP/2 forbids, RFC 9113
 *   §8.2.2); 400 for malformed subprotocol or extension headers.
 */
export function validateExtendedConnect(headers: HeadersInput): ValidExtendedConnect {
  if (headers === null || typeof headers !== 'object') throw new TypeError('validateExtendedConnect(headers): headers must be the request headers.');
  const fields = normalizeHeaders(headers);
  const fail = (code: HandshakeErrorCode, message: string, status = 400, extra?: Record<string, string>, cause?: unknown) =>
    new HandshakeError(code, message, { status, headers: extra, cause });
  const pseudo = (name: string): string | undefined => {
    const value = fields.getSingle(name);
    if (value === null) throw fail(HandshakeErrorCode.InvalidPseudoHeader, `The request has more than one ${name} pseudo-header.`);
    return value;
  };

  const method = pseudo(':method');
  if (method !== 'CONNECT') {
    throw fail(HandshakeErrorCode.InvalidMethod, `Invalid request method ${describeValue(method ?? '')}: a WebSocket over HTTP/2 is an extended CONNECT (RFC 8441 §4).`, 405, {
      allow: 'CONNECT',
    });
  }
  const protocol = pseudo(':protocol');
  if (protocol === undefined) throw fail(HandshakeErrorCode.InvalidPseudoHeader, 'The CONNECT request has no :protocol pseudo-header (RFC 8441 §4).');
  // RFC 8441 §5: ":protocol" is "websocket"; RFC 9220 §3: an unknown protocol gets 501.
  if (protocol !== 'websocket') {
    throw fail(HandshakeErrorCode.UnsupportedConnectProtocol, `Unsupported :protocol ${describeValue(protocol)}: this server speaks "websocket".`, 501);
  }
  const scheme = pseudo(':scheme');
  if (scheme !== 'http' && scheme !== 'https') {
    throw fail(
      HandshakeErrorCode.InvalidPseudoHeader,
      scheme === undefined ? 'The request has no :scheme pseudo-header (RFC 8441 §4).' : `Invalid :scheme ${describeValue(scheme)}: it must be "https" (wss) or "http" (ws).`,
    );
  }
  const path = pseudo(':path');
  if (path === undefined || path === '') throw fail(HandshakeErrorCode.InvalidPseudoHeader, 'The request has no :path pseudo-header (RFC 8441 §4).');
  const authority = pseudo(':authority');
  if (authority === undefined || authority.trim() === '') {
    throw fail(HandshakeErrorCode.InvalidPseudoHeader, 'The request has no :authority pseudo-header (RFC 8441 §4).');
  }

  const versionField = fields.getSingle('sec-websocket-version');
  if (typeof versionField !== 'string' || versionField.trim() !== String(PROTOCOL_VERSION)) {
    throw fail(
      HandshakeErrorCode.UnsupportedVersion,
      versionField === undefined
        ? 'The request has no sec-websocket-version header; this server speaks version 13.'
        : `Unsupported sec-websocket-version ${describeValue(fields.get('sec-websocket-version') ?? '')}; this server speaks version 13.`,
      400,
      { 'sec-websocket-version': String(PROTOCOL_VERSION) },
    );
  }

  let protocols: string[];
  try {
    protocols = parseProtocolHeader(fields.getAll('sec-websocket-protocol'));
  } catch (err) {
    throw fail(HandshakeErrorCode.InvalidProtocolHeader, (err as Error).message, 400, undefined, err);
  }
  let extensions: ExtensionOffer[];
  try {
    extensions = parseExtensionsHeader(fields.getAll('sec-websocket-extensions'));
  } catch (err) {
    throw fail(HandshakeErrorCode.InvalidExtensionHeader, (err as Error).message, 400, undefined, err);
  }
  return { version: 13, protocols, extensions, origin: fields.get('origin'), url: path, authority, scheme, headers: fields };
}

/** Options of {@link acceptExtendedConnect}; `Request` is what the callbacks receive (Node's request or stream). */
export interface AcceptExtendedConnectOptions<Request = ValidExtendedConnect> {
  /** Subprotocols the server speaks (the client's most preferred one of them wins), or a selector. */
  protocols?: readonly string[] | SubprotocolSelector | undefined;
  /** ws's `handleProtocols`: choose one of the offered subprotocols, or `false` for none. Not with `protocols`. */
  handleProtocols?: ((protocols: Set<string>, request: Request) => string | false | undefined) | undefined;
  /** Extension objects the server supports, such as @rfc6455/deflate's negotiator. */
  extensions?: ReadonlyArray<ServerExtension> | undefined;
  /** Which origins may connect: a list of exact origins, or a callback that admits with exactly `true`. */
  origin?: readonly string[] | ((origin: string | undefined, request: Request) => boolean) | undefined;
  /** Extra response headers, or a function of the request returning them. */
  headers?: ExtraHeaders | ((request: Request) => ExtraHeaders | undefined) | undefined;
  /** The object handed to the callbacks; default: the validated request. */
  request?: Request | undefined;
}

/** An accepted extended CONNECT: what was agreed, and the response headers that say so. */
export interface AcceptedExtendedConnect {
  /** The validated request. */
  readonly request: ValidExtendedConnect;
  /** The selected subprotocol, or `undefined`. */
  readonly protocol: string | undefined;
  /** The accepted extensions, in the order they apply. */
  readonly extensions: AcceptedExtension[];
  /** The response headers (`:status` 200 …) for `stream.respond()`. */
  readonly response: Record<string, string | number | string[]>;
}

const ACCEPT_OPTIONS = new Set(['protocols', 'handleProtocols', 'extensions', 'origin', 'headers', 'request']);

/**
 * The server's decision on an extended CONNECT in one call: {@link validateExtendedConnect}, the
 * origin policy (403), extension negotiation, the subprotocol, and the 200 response headers
 * ({@link buildExtendedConnectResponse}), in that order — `acceptClientRequest`'s steps over HTTP/2.
 *
 * @throws {HandshakeError} as {@link validateExtendedConnect} does, and `WS_ERR_FORBIDDEN_ORIGIN` (403).
 * @throws {TypeError} for an unknown option, `protocols` with `handleProtocols`, a selector that
 *   chose what was not offered, or unusable extra headers. A callback's own error passes through.
 */
export function acceptExtendedConnect<Request = ValidExtendedConnect>(
  headers: HeadersInput,
  options: AcceptExtendedConnectOptions<Request> = {},
): AcceptedExtendedConnect {
  if (options === null || typeof options !== 'object') throw new TypeError('acceptExtendedConnect(headers, options): options must be an object.');
  for (const name of Object.keys(options)) {
    if (!ACCEPT_OPTIONS.has(name)) throw new TypeError(`acceptExtendedConnect: unknown option ${JSON.stringify(name)}.`);
  }
  if (options.protocols !== undefined && options.handleProtocols !== undefined) {
    throw new TypeError('acceptExtendedConnect: pass protocols or handleProtocols, not both.');
  }
  const valid = validateExtendedConnect(headers);
  const request = (options.request ?? valid) as Request;
  const { origin, handleProtocols } = options;
  if (origin !== undefined) {
    const allowed = isOriginAllowed(valid.origin, typeof origin === 'function' ? (value) => origin(value, request) : origin);
    // RFC 6455 §10.2, which RFC 8441 keeps: a refused origin gets 403.
    if (!allowed) {
      throw new HandshakeError(HandshakeErrorCode.ForbiddenOrigin, valid.origin === undefined ? 'An Origin header is required.' : 'Origin not allowed.', { status: 403 });
    }
  }
  const extensions = options.extensions === undefined ? [] : negotiateExtensions(valid.extensions, options.extensions);
  const selector =
    handleProtocols === undefined
      ? options.protocols
      : (offered: readonly string[]) => (offered.length === 0 ? undefined : handleProtocols(new Set(offered), request));
  const protocol = selector === undefined ? undefined : negotiateSubprotocol(valid.protocols, selector);
  const extra = typeof options.headers === 'function' ? options.headers(request) : options.headers;
  const response = buildExtendedConnectResponse({ protocol, extensions, headers: extra });
  return { request: valid, protocol, extensions, response };
}

/** What the server agreed to, for {@link buildExtendedConnectResponse}. */
export interface AcceptedExtendedConnectAnswer {
  /** The selected subprotocol; omitted or `undefined` for none. */
  readonly protocol?: string | undefined;
  /** The accepted extensions, as a list or a ready header value. */
  readonly extensions?: string | ReadonlyArray<ExtensionInput> | undefined;
  /** Extra headers; names are lower-cased, the handshake's own cannot be overridden. */
  readonly headers?: ExtraHeaders | undefined;
}

const RESERVED_200 = new Set(['sec-websocket-protocol', 'sec-websocket-extensions', 'sec-websocket-accept', 'content-length']);

/**
 * The response headers that accept an extended CONNECT (RFC 8441 §5: a 200, where HTTP/1.1 has
 * a 101): `:status` 200, `sec-websocket-protocol` and `sec-websocket-extensions` when given, then
 * the extra headers under lower-case names.
 *
 * @throws {TypeError} for a protocol that is not a token, or an extra header that is reserved,
 *   connection-specific (RFC 9113 §8.2.2), a pseudo-header, or has a control character.
 */
export function buildExtendedConnectResponse(accepted: AcceptedExtendedConnectAnswer = {}): Record<string, string | number | string[]> {
  if (accepted === null || typeof accepted !== 'object') throw new TypeError('buildExtendedConnectResponse(accepted): pass { protocol?, extensions?, headers? }.');
  const out = Object.create(null) as Record<string, string | number | string[]>;
  out[':status'] = 200;
  if (accepted.protocol !== undefined) {
    if (!isToken(accepted.protocol)) throw new TypeError(`buildExtendedConnectResponse: subprotocol ${JSON.stringify(accepted.protocol)} is not an RFC 7230 token.`);
    out['sec-websocket-protocol'] = accepted.protocol;
  }
  if (accepted.extensions !== undefined) {
    const value = typeof accepted.extensions === 'string' ? accepted.extensions.trim() : formatExtensions(accepted.extensions);
    if (!isSafeHeaderValue(value)) throw new TypeError('buildExtendedConnectResponse: the extensions header has a control character.');
    if (value !== '') out['sec-websocket-extensions'] = value;
  }
  addExtraHeaders('buildExtendedConnectResponse', out, accepted.headers, RESERVED_200);
  return out;
}

const RESERVED_ERROR = new Set(['content-length']);

/**
 * The response headers refusing an extended CONNECT with `status` (400–599), for
 * `stream.respond()` followed by `stream.end(body)`: `content-type: text/plain; charset=utf-8`,
 * `content-length` of `body` and the extra headers (a {@link HandshakeError}'s `headers`, such as
 * `sec-websocket-version: 13` or `allow: CONNECT`; `retry-after` with a 503).
 *
 * @throws {RangeError} for a status outside 400–599. @throws {TypeError} for a bad extra header.
 */
export function buildExtendedConnectRefusal(status: number, body: string, headers?: ExtraHeaders): Record<string, string | number | string[]> {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError(`buildExtendedConnectRefusal: status ${String(status)} is not an HTTP error status (400–599).`);
  }
  const out = Object.create(null) as Record<string, string | number | string[]>;
  out[':status'] = status;
  out['content-type'] = 'text/plain; charset=utf-8';
  out['content-length'] = new TextEncoder().encode(String(body)).length;
  addExtraHeaders('buildExtendedConnectRefusal', out, headers, RESERVED_ERROR);
  return out;
}

function addExtraHeaders(caller: string, out: Record<string, string | number | string[]>, headers: ExtraHeaders | undefined, reserved: ReadonlySet<string>): void {
  if (headers === undefined) return;
  if (headers === null || typeof headers !== 'object') throw new TypeError(`${caller}: headers must be an object of name → value.`);
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (!isToken(name)) throw new TypeError(`${caller}: header name ${JSON.stringify(name)} is not an RFC 7230 token.`);
    if (reserved.has(lower) || lower in out) throw new TypeError(`${caller}: header ${JSON.stringify(name)} is set by the handshake and cannot be overridden.`);
    if (CONNECTION_SPECIFIC.has(lower)) throw new TypeError(`${caller}: header ${JSON.stringify(name)} is connection-specific and forbidden in HTTP/2 (RFC 9113 §8.2.2).`);
    const values = (Array.isArray(value) ? (value as readonly unknown[]) : [value]).map(String);
    for (const text of values) {
      if (!isSafeHeaderValue(text)) throw new TypeError(`${caller}: the value of ${JSON.stringify(name)} has a CR, LF or other control character.`);
    }
    out[lower] = values.length === 1 ? (values[0] as string) : values;
  }
}

/** Options of {@link validateExtendedConnectResponse}. */
export interface ValidateExtendedConnectResponseOptions {
  /** Extension objects for the extensions offered; each may refuse the server's parameters. */
  extensions?: ReadonlyArray<ClientExtension> | undefined;
}

/** What the server agreed to over HTTP/2. */
export interface ExtendedConnectResult {
  /** The subprotocol the server selected, or `undefined`. */
  readonly protocol: string | undefined;
  /** The extensions the server accepted, in the order they apply. */
  readonly extensions: AcceptedExtension[];
}

/**
 * Check the server's answer to an extended CONNECT (RFC 8441 §5): a 2xx `:status` (any other fails
 * with `WS_ERR_UNEXPECTED_STATUS`); a subprotocol only if offered, at most one; extensions only
 * from those offered, each once, acceptable to their extension objects. No accept value to check.
 *
 * @throws {HandshakeError} with the response's `status` and `headers`, and `closeCode` 1006.
 */
export function validateExtendedConnectResponse(
  request: Pick<ExtendedConnectRequest, 'protocols' | 'extensions'>,
  response: { readonly status: number; readonly headers: HeadersInput },
  options: ValidateExtendedConnectResponseOptions = {},
): ExtendedConnectResult {
  if (request === null || typeof request !== 'object' || !Array.isArray(request.protocols)) {
    throw new TypeError('validateExtendedConnectResponse(request, response): request must be what buildExtendedConnectRequest returned.');
  }
  if (response === null || typeof response !== 'object') throw new TypeError('validateExtendedConnectResponse(request, response): response must be { status, headers }.');
  const headers = normalizeHeaders(response.headers);
  const status = typeof response.status === 'number' ? response.status : Number.NaN;
  const fail = (code: HandshakeErrorCode, message: string, cause?: unknown): HandshakeError =>
    new HandshakeError(code, message, { status, headers: headers.toRecord(), closeCode: WS_CLOSED_ABNORMALLY, cause });
  // RFC 8441 §5 answers with 200; RFC 9110 §15.3 makes any 2xx a success.
  if (!(status >= 200 && status < 300)) throw fail(HandshakeErrorCode.UnexpectedStatus, `Unexpected server response: ${String(response.status)} (expected 200 to the extended CONNECT).`);

  let protocol: string | undefined;
  const protocolFields = headers.getAll('sec-websocket-protocol');
  if (protocolFields.length > 0) {
    let selected: string[];
    try {
      selected = parseProtocolHeader(protocolFields);
    } catch (err) {
      throw fail(HandshakeErrorCode.InvalidProtocolHeader, (err as Error).message, err);
    }
    if (selected.length > 1) throw fail(HandshakeErrorCode.UnexpectedSubprotocol, 'The server selected more than one subprotocol.');
    protocol = selected[0];
    if (protocol !== undefined && !request.protocols.includes(protocol)) {
      throw fail(HandshakeErrorCode.UnexpectedSubprotocol, `The server selected subprotocol ${describeValue(protocol)}, which was not offered.`);
    }
  }
  let accepted: AcceptedExtension[] = [];
  const extensionFields = headers.getAll('sec-websocket-extensions');
  if (extensionFields.length > 0) {
    try {
      accepted = parseExtensionsHeader(extensionFields);
    } catch (err) {
      throw fail(HandshakeErrorCode.InvalidExtensionHeader, (err as Error).message, err);
    }
  }
  const offered = new Set(request.extensions.map((offer) => offer.name));
  const seen = new Set<string>();
  for (const extension of accepted) {
    if (!offered.has(extension.name) || seen.has(extension.name)) {
      throw fail(HandshakeErrorCode.UnexpectedExtension, `The server accepted extension ${describeValue(extension.name)}, which was not offered or was accepted twice.`);
    }
    seen.add(extension.name);
    const handler = options.extensions?.find((candidate) => candidate.name === extension.name);
    if (options.extensions !== undefined && (handler === undefined || !handler.acceptResponse(extension.params))) {
      throw fail(HandshakeErrorCode.UnexpectedExtension, `The server's parameters for extension ${describeValue(extension.name)} were refused by the client.`);
    }
  }
  return { protocol, extensions: accepted };
}
