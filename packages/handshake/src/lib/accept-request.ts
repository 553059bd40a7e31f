/**
 * The server's whole decision in one call: validate the request, apply the origin policy,
 * negotiate extensions, choose a subprotocol, and build the 101 response; or its first three
 * steps alone, for a server with hooks of its own between them and the 101.
 */
import { checkOptionKeys } from '@rfc6455/codes';
import type { OptionHints } from '@rfc6455/codes';
import { HandshakeError, HandshakeErrorCode } from './errors.ts';
import { negotiateExtensions } from './extensions.ts';
import type { AcceptedExtension, ServerExtension } from './extensions.ts';
import { isOriginAllowed } from './origin.ts';
import { buildServerResponse } from './server-response.ts';
import type { ExtraHeaders } from './server-response.ts';
import type { Sha1 } from './sha1.ts';
import { negotiateSubprotocol } from './subprotocol.ts';
import type { SubprotocolSelector } from './subprotocol.ts';
import { validateClientRequest } from './validate-request.ts';
import type { ClientRequestInput, ValidClientRequest } from './validate-request.ts';

/**
 * Options of {@link acceptClientRequest}. `Request` is the type of the request you pass (Node's
 * `IncomingMessage`, say): the callbacks receive it as it is.
 */
export interface AcceptClientRequestOptions<Request extends ClientRequestInput = ClientRequestInput> {
  /** Subprotocols the server speaks (the client's most preferred one of them wins), or a selector; omitted: select none. */
  protocols?: readonly string[] | SubprotocolSelector | undefined;
  /**
   * ws's `handleProtocols`: choose one of the offered subprotocols (a `Set`, in the client's order)
   * for this request, or `false` for none. Called only when the client offered some. Not together
   * with `protocols`.
   */
  handleProtocols?: ((protocols: Set<string>, request: Request) => string | false | undefined) | undefined;
  /** Extension objects the server supports, such as @rfc6455/deflate's negotiator; omitted: accept none. */
  extensions?: ReadonlyArray<ServerExtension> | undefined;
  /**
   * Which origins may connect: a list of exact origins (a request without `Origin` is refused), or
   * a callback that admits with exactly `true` and also receives the request; omitted: any (and none).
   */
  origin?: readonly string[] | ((origin: string | undefined, request: Request) => boolean) | undefined;
  /** Extra headers for the 101 response, or a function of the request returning them (called once the request is accepted). */
  headers?: ExtraHeaders | ((request: Request) => ExtraHeaders | undefined) | undefined;
  /** The SHA-1 for the accept value; defaults to the built-in one (Node: pass `nodeSha1` from `./node`). */
  sha1?: Sha1 | undefined;
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['protocols', 'handleProtocols', 'extensions', 'origin', 'headers', 'sha1']);
const ADMIT_OPTION_NAMES: ReadonlySet<string> = new Set(['extensions', 'origin']);

/** Options of {@link admitClientRequest}: the part of {@link AcceptClientRequestOptions} it applies. */
export type AdmitClientRequestOptions<Request extends ClientRequestInput = ClientRequestInput> = Pick<
  AcceptClientRequestOptions<Request>,
  'extensions' | 'origin'
>;

/** A request that passed validation and the origin policy, with the extensions agreed on. */
export interface AdmittedClientRequest {
  /** The validated request. */
  readonly request: ValidClientRequest;
  /** The accepted extensions, in the order they apply. */
  readonly extensions: AcceptedExtension[];
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
 * The first steps of {@link acceptClientRequest}: validate `request` ({@link validateClientRequest}),
 * check its origin against `options.origin` and negotiate extensions ({@link negotiateExtensions}),
 * in that order. For a server that runs hooks of its own (ws's `verifyClient`, say) before it
 * chooses the subprotocol and writes the 101 with {@link buildServerResponse}.
 *
 * @throws {HandshakeError} as {@link acceptClientRequest} does.
 * @throws {TypeError} for an unknown option. An error thrown by the origin callback passes through.
 */
export function admitClientRequest<Request extends ClientRequestInput>(
  request: Request,
  options: AdmitClientRequestOptions<Request> = {},
): AdmittedClientRequest {
  checkOptions('admitClientRequest', options, ADMIT_OPTION_NAMES);
  return admit(request, options);
}

/**
 * Validate `request` ({@link validateClientRequest}), check its origin against `options.origin`,
 * negotiate extensions ({@link negotiateExtensions}), select a subprotocol
 * ({@link negotiateSubprotocol}) and build the 101 response ({@link buildServerResponse}), in that
 * order.
 *
 * @throws {HandshakeError} with the HTTP status to answer: the codes of
 *   {@link validateClientRequest}, and `WS_ERR_FORBIDDEN_ORIGIN` (403) when the origin policy
 *   refuses. `buildErrorResponse(err.status, err.message, err.headers)` writes the answer.
 * @throws {TypeError} for an unknown option, `protocols` together with `handleProtocols`, a
 *   selector that chose a subprotocol that was not offered, or unusable extra headers. An error
 *   thrown by a callback passes through as it is: the request was fine, the server was not (500).
 */
export function acceptClientRequest<Request extends ClientRequestInput>(
  request: Request,
  options: AcceptClientRequestOptions<Request> = {},
): AcceptedClientRequest {
  checkOptions('acceptClientRequest', options, OPTION_NAMES);
  const { handleProtocols } = options;
  if (options.protocols !== undefined && handleProtocols !== undefined) {
    throw new TypeError('acceptClientRequest: pass protocols or handleProtocols, not both.');
  }
  const { request: valid, extensions } = admit(request, options);
  const selector =
    handleProtocols === undefined
      ? options.protocols
      : (offered: readonly string[]) => (offered.length === 0 ? undefined : handleProtocols(new Set(offered), request));
  const protocol = selector === undefined ? undefined : negotiateSubprotocol(valid.protocols, selector, valid);
  const headers = typeof options.headers === 'function' ? options.headers(request) : options.headers;
  const response = buildServerResponse({ key: valid.key, protocol, extensions, headers }, options.sha1);
  return { request: valid, protocol, extensions, response };
}

// What admitClientRequest stops before: the options of the steps it leaves to its caller.
const ADMIT_HINTS: OptionHints = Object.fromEntries(
  ['protocols', 'handleProtocols', 'headers', 'sha1'].map((name) => [
    name,
    `admitClientRequest stops before the subprotocol and the response: pass ${name} to acceptClientRequest, or apply it yourself.`,
  ]),
);

function checkOptions(caller: string, options: object, names: ReadonlySet<string>): void {
  if (options === null || typeof options !== 'object') throw new TypeError(`${caller}(request, options): options must be an object.`);
  // The toolkit's one rule for unknown keys (codes' checkOptionKeys): named, with what to write instead.
  checkOptionKeys(caller, options, names, caller === 'admitClientRequest' ? ADMIT_HINTS : {});
}

function admit<Request extends ClientRequestInput>(request: Request, options: AdmitClientRequestOptions<Request>): AdmittedClientRequest {
  const { origin } = options;
  const valid = validateClientRequest(request);
  if (origin !== undefined) {
    const allowed = isOriginAllowed(valid.origin, typeof origin === 'function' ? (value) => origin(value, request) : origin);
    if (!allowed) {
      // RFC 6455 §4.2.2 step 4 / §10.2: a refused origin gets 403.
      throw new HandshakeError(HandshakeErrorCode.ForbiddenOrigin, valid.origin === undefined ? 'An Origin header is required.' : 'Origin not allowed.', {
        status: 403,
      });
    }
  }
  const extensions = options.extensions === undefined ? [] : negotiateExtensions(valid.extensions, options.extensions);
  return { request: valid, extensions };
}
