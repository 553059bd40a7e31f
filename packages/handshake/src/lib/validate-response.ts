/**
 * The client's check of the server's handshake response (RFC 6455 §4.1, "the client MUST validate
 * the server's response as follows").
 */
import { WS_CLOSED_ABNORMALLY } from '@rfc6455/codes';
import { createAcceptKey } from './accept-key.ts';
import type { ClientRequest } from './client-request.ts';
import { HandshakeError, HandshakeErrorCode } from './errors.ts';
import { parseExtensionsHeader } from './extensions.ts';
import type { AcceptedExtension, ClientExtension } from './extensions.ts';
import { normalizeHeaders } from './headers.ts';
import type { HeadersInput } from './headers.ts';
import { describeValue, listHasToken, parseProtocolHeader, splitHeaderList } from './tokens.ts';
import type { Sha1 } from './sha1.ts';

/** The server's response as received: its status code and headers in any {@link HeadersInput} shape. */
export interface ServerResponse {
  /** The HTTP status code. */
  readonly status: number;
  /** The response headers. */
  readonly headers: HeadersInput;
}

/** Options of {@link validateServerResponse}. */
export interface ValidateServerResponseOptions {
  /**
   * Extension objects for the extensions offered; each accepted extension's parameters go to the
   * object of that name, which may refuse them.
   */
  extensions?: ReadonlyArray<ClientExtension> | undefined;
  /** The SHA-1 to compute the expected accept value with; defaults to the built-in one. */
  sha1?: Sha1 | undefined;
}

/** What the server agreed to. */
export interface HandshakeResult {
  /** The subprotocol the server selected, or `undefined` when it selected none. */
  readonly protocol: string | undefined;
  /** The extensions the server accepted, in the order they apply, to configure the connection. */
  readonly extensions: AcceptedExtension[];
}

/**
 * Check the server's response to `request` (RFC 6455 §4.1): status 101; `Upgrade: websocket` and
 * a `Connection` list containing `upgrade`, case-insensitively; `Sec-WebSocket-Accept` equal to
 * `createAcceptKey(request.key)`; a subprotocol only if offered (none is fine); extensions only
 * from those offered, each at most once, and acceptable to their extension objects.
 *
 * @returns the selected subprotocol and the accepted extensions.
 * @throws {HandshakeError} on the first failure, carrying the response's `status` and `headers`
 *   and `closeCode` 1006; its `code` names the failure (see {@link HandshakeErrorCode}).
 */
export function validateServerResponse(
  request: Pick<ClientRequest, 'key' | 'protocols' | 'extensions'>,
  response: ServerResponse,
  options: ValidateServerResponseOptions = {},
): HandshakeResult {
  if (request === null || typeof request !== 'object' || typeof request.key !== 'string') {
    throw new TypeError('validateServerResponse(request, response): request must be what buildClientRequest returned.');
  }
  if (response === null || typeof response !== 'object') {
    throw new TypeError('validateServerResponse(request, response): response must be { status, headers }.');
  }
  const headers = normalizeHeaders(response.headers);
  const status = typeof response.status === 'number' ? response.status : Number.NaN;
  const fail = (code: HandshakeErrorCode, message: string, cause?: unknown): HandshakeError =>
    new HandshakeError(code, message, { status, headers: headers.toRecord(), closeCode: WS_CLOSED_ABNORMALLY, cause });

  // §4.1: "If the status code received from the server is not 101, the client handles the
  // response per HTTP [RFC2616] procedures" — for a WebSocket client that means failing.
  if (status !== 101) throw fail(HandshakeErrorCode.UnexpectedStatus, `Unexpected server response: ${String(response.status)} (expected 101 Switching Protocols).`);

  const upgrade = splitHeaderList(headers.getAll('upgrade'));
  if (upgrade.length !== 1 || upgrade[0]?.toLowerCase() !== 'websocket') {
    const got = headers.get('upgrade');
    throw fail(
      HandshakeErrorCode.InvalidUpgradeHeader,
      got === undefined ? 'The server response has no Upgrade header.' : `The server response's Upgrade header is ${describeValue(got)}, not "websocket".`,
    );
  }
  if (!listHasToken(headers.getAll('connection'), 'upgrade')) {
    const got = headers.get('connection');
    throw fail(
      HandshakeErrorCode.InvalidConnectionHeader,
      got === undefined ? 'The server response has no Connection header.' : `The server response's Connection header ${describeValue(got)} has no "upgrade" token.`,
    );
  }

  const accept = headers.getSingle('sec-websocket-accept');
  if (accept === undefined) throw fail(HandshakeErrorCode.InvalidAccept, 'The server response has no Sec-WebSocket-Accept header.');
  if (accept === null) throw fail(HandshakeErrorCode.InvalidAccept, 'The server response has more than one Sec-WebSocket-Accept header.');
  if (accept.trim() !== createAcceptKey(request.key, options.sha1)) {
    throw fail(HandshakeErrorCode.InvalidAccept, `The server's Sec-WebSocket-Accept ${describeValue(accept)} does not match the key sent.`);
  }

  let protocol: string | undefined;
  const protocolFields = headers.getAll('sec-websocket-protocol');
  if (protocolFields.length > 0) {
    let selected: string[];
    try {
      selected = parseProtocolHeader(protocolFields);
    } catch (err) {
      throw fail(HandshakeErrorCode.InvalidProtocolHeader, (err as Error).message, err);
    }
    // §4.1 and §11.3.4: the server answers with at most one of the offered values.
    if (selected.length > 1) throw fail(HandshakeErrorCode.UnexpectedSubprotocol, 'The server selected more than one subprotocol.');
    protocol = selected[0];
    if (protocol !== undefined && !request.protocols.includes(protocol)) {
      throw fail(
        HandshakeErrorCode.UnexpectedSubprotocol,
        request.protocols.length === 0
          ? `The server selected subprotocol ${describeValue(protocol)} but none was offered.`
          : `The server selected subprotocol ${describeValue(protocol)}, which was not offered.`,
      );
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
    // §9.1: the server may only answer with extensions the client offered.
    if (!offered.has(extension.name)) {
      throw fail(HandshakeErrorCode.UnexpectedExtension, `The server accepted extension ${describeValue(extension.name)}, which was not offered.`);
    }
    if (seen.has(extension.name)) {
      throw fail(HandshakeErrorCode.UnexpectedExtension, `The server accepted extension ${describeValue(extension.name)} more than once.`);
    }
    seen.add(extension.name);
    const handler = options.extensions?.find((candidate) => candidate.name === extension.name);
    if (options.extensions !== undefined && (handler === undefined || !handler.acceptResponse(extension.params))) {
      throw fail(
        HandshakeErrorCode.UnexpectedExtension,
        `The server's parameters for extension ${describeValue(extension.name)} were refused by the client.`,
      );
    }
  }
  return { protocol, extensions: accepted };
}
