/**
 * permessage-deflate as negotiation objects, shaped like @rfc6455/handshake's `ServerExtension`
 * and `ClientExtension` (structurally: this package does not import handshake: docs/architecture.md layering).
 */
import {
  PERMESSAGE_DEFLATE,
  acceptDeflateOffer,
  acceptDeflateResponse,
  createDeflateOffer,
  deflateConfigFromResponse,
  type DeflateConfig,
  type DeflateOfferOptions,
  type DeflateParams,
  type DeflateParamsInput,
  type DeflateServerOptions,
} from './negotiation.ts';
import type { DeflateError } from './deflate-error.ts';

/** A server-side negotiator: pass it to handshake's `negotiateExtensions`. Stateless, share it. */
export interface DeflateServerNegotiator {
  /** `permessage-deflate`. */
  readonly name: string;
  /** The response parameters for the first acceptable offer, or `undefined` to decline all. */
  acceptOffer(offers: ReadonlyArray<DeflateParamsInput>): DeflateParams | undefined;
  /** The configuration the response returned by `acceptOffer` sets up. */
  configure(response: DeflateParamsInput): DeflateConfig;
}

/**
 * A server negotiator with fixed options. One object serves every connection: `acceptOffer` keeps
 * no state, and `configure(acceptedParams)` rebuilds the configuration from the response.
 */
export function createDeflateServerNegotiator(options: DeflateServerOptions = {}): DeflateServerNegotiator {
  // Validate once, at construction, so misuse surfaces before the first connection.
  acceptDeflateOffer([], options);
  return {
    name: PERMESSAGE_DEFLATE,
    acceptOffer: (offers) => acceptDeflateOffer(offers, options)?.params,
    configure: (response) => deflateConfigFromResponse(response),
  };
}

/** A client-side negotiator for one connection: its offers, then the server's answer. */
export interface DeflateClientNegotiator {
  /** `permessage-deflate`. */
  readonly name: string;
  /** The parameters of each offer, most preferred first (for handshake's `formatExtensions`). */
  readonly offers: DeflateParams[];
  /** The configuration after a successful `acceptResponse`, else `undefined`. */
  readonly config: DeflateConfig | undefined;
  /** Why the last `acceptResponse` returned `false` (`WS_ERR_INVALID_DEFLATE_RESPONSE`). */
  readonly error: DeflateError | undefined;
  /** Check the server's response parameters; `true` and `config` set, or `false` and `error` set. */
  acceptResponse(params: DeflateParamsInput): boolean;
}

/**
 * A client negotiator for one connection (it remembers the answer). `offers` defaults to one
 * offer with `client_max_window_bits` and no value, as browsers send.
 *
 * @throws {RangeError} / {TypeError} for invalid offers (caller misuse).
 */
export function createDeflateClientNegotiator(
  offers: DeflateOfferOptions | ReadonlyArray<DeflateOfferOptions> = {},
): DeflateClientNegotiator {
  const params = createDeflateOffer(offers);
  let config: DeflateConfig | undefined;
  let error: DeflateError | undefined;
  return {
    name: PERMESSAGE_DEFLATE,
    offers: params,
    get config() {
      return config;
    },
    get error() {
      return error;
    },
    acceptResponse(response) {
      try {
        config = acceptDeflateResponse(response, offers);
        error = undefined;
        return true;
      } catch (err) {
        config = undefined;
        error = err as DeflateError;
        return false;
      }
    },
  };
}
