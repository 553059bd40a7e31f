/**
 * The server's whole decision in one call: validate the request, apply the origin policy, choose
 * a subprotocol, negotiate extensions, and build the 101 response.
 */
import { HandshakeError } from './errors.ts';
import { negotiateExtensions } from './extensions.ts';
import type { AcceptedExtension, ServerExtension } from './extensions.ts';
import { isOriginAllowed } from './origin.ts';
import type { OriginPolicy } from './origin.ts';
import { buildServerResponse } from './server-response.ts';
import type { ExtraHeaders } from './server-response.ts';
import type { Sha1 } from './sha1.ts';
import { negotiateSubprotocol } from './subprotocol.ts';
import type { SubprotocolSelector } from './subprotocol.ts';
import { describeValue } from './tokens.ts';
import { validateClientRequest } from './validate-request.ts';
import type { ClientRequestInput, ValidClientRequest } from './validate-request.ts';

/** Options of {@link acceptClientRequest}. */
export interface AcceptClientRequestOptions {
  /** Subprotocols the server speaks, or a selector; omitted: select none. */
  protocols?: readonly string[] | SubprotocolSelector | undefined;
  /** Extension objects the server supports; omitted: accept none. */
  extensions?: ReadonlyArray<ServerExtension> | undefined;
  /** Which origins may connect; omitted: any (and none). */
  origin?: OriginPolicy | undefined;
  /** Extra headers for the 101 response. */
  headers?: ExtraHeaders | undefined;
  /** The SHA-1 for the accept value; defaults to the built-in one. */
  sha1?: Sha1 | undefined;
}

/** An accepted handshake: what was agreed, and the response that says so. */
export interface AcceptedClientRequest {
  /** The validated request. */
  readonly request: ValidClientRequest;
  /** The selected subprotocol, or `undefined`. */
  readonly protocol: string | undefined;
  /** The accepted extensions, in the order they apply. */
  readonly extensions: AcceptedExtension[];
  /** The complete `HTTP/1.1 101 Switching Protocols` response to write. */
  readonly response: string;
}

/**
 * Validate `request` ({@link validateClientRequest}), check its origin against `options.origin`,
 * select a subprotocol ({@link negotiateSubprotocol}) and extensions ({@link negotiateExtensions}),
 * and build the 101 response ({@link buildServerResponse}).
 *
 * @throws {HandshakeError} with the HTTP status to answer: the codes of
 *   {@link validateClientRequest}, and `WS_ERR_FORBIDDEN_ORIGIN` (403) when the origin policy
 *   refuses. `buildErrorResponse(err.status, err.message, err.headers)` writes the answer.
 */
export function acceptClientRequest(request: ClientRequestInput, options: AcceptClientRequestOptions = {}): AcceptedClientRequest {
  const valid = validateClientRequest(request);
  if (options.origin !== undefined && !isOriginAllowed(valid.origin, options.origin)) {
    throw new HandshakeError(
      'WS_ERR_FORBIDDEN_ORIGIN',
      valid.origin === undefined ? 'The request has no Origin header, and this server requires one.' : `Origin ${describeValue(valid.origin)} is not allowed.`,
      { status: 403 },
    );
  }
  const protocol = options.protocols === undefined ? undefined : negotiateSubprotocol(valid.protocols, options.protocols, valid);
  const extensions = options.extensions === undefined ? [] : negotiateExtensions(valid.extensions, options.extensions);
  const response = buildServerResponse({ key: valid.key, protocol, extensions, headers: options.headers }, options.sha1);
  return { request: valid, protocol, extensions, response };
}
