/**
 * permessage-deflate negotiation (RFC 7692 §5, §7.1): the client's offers, the server's choice
 * among them, and the client's check of the server's response. Pure functions over parameter
 * objects; no zlib, no I/O, any runtime.
 */
import { DeflateError, DeflateErrorCode } from './deflate-error.ts';

/** The extension token (RFC 7692 §7). */
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/**
 * Extension parameters as `Sec-WebSocket-Extensions` parsers hand them out: name → value, `true`
 * for a parameter without a value. A list of `[name, value]` pairs is accepted too, so a
 * repeated parameter can be seen (and the offer declined, RFC 7692 §7).
 */
export type DeflateParamsInput =
  | Readonly<Record<string, string | true>>
  | ReadonlyArray<readonly [string, string | true]>;

/** Parameters as this package writes them: name → value, `true` for a name without a value. */
export type DeflateParams = Record<string, string | true>;

/**
 * What both ends agreed on. Each window size is the one its sender compresses with (at most);
 * 15 when the parameter was absent (RFC 7692 §7.1.2).
 */
export interface DeflateConfig {
  /** The server resets its compression context after every message (RFC 7692 §7.1.1.1). */
  readonly serverNoContextTakeover: boolean;
  /** The client resets its compression context after every message (RFC 7692 §7.1.1.2). */
  readonly clientNoContextTakeover: boolean;
  /** Base-2 logarithm of the server's LZ77 window, 8–15 (RFC 7692 §7.1.2.1). */
  readonly serverMaxWindowBits: number;
  /** Base-2 logarithm of the client's LZ77 window, 8–15 (RFC 7692 §7.1.2.2). */
  readonly clientMaxWindowBits: number;
}

/** One offer a client makes. Every field is optional; an empty object offers plain deflate. */
export interface DeflateOfferOptions {
  /** Ask the server not to keep its context between messages. Default `false`. */
  serverNoContextTakeover?: boolean | undefined;
  /** Promise not to keep our own context between messages. Default `false`. */
  clientNoContextTakeover?: boolean | undefined;
  /** Ask the server to use a window of at most 2^n bytes, 8–15. Default: not sent. */
  serverMaxWindowBits?: number | undefined;
  /**
   * `true` (the default) sends `client_max_window_bits` without a value: the server may then choose
   * our window size. A number 8–15 also promises to use at most that window. `false` leaves it out.
   */
  clientMaxWindowBits?: number | boolean | undefined;
}

/** How a server answers offers. Every field is optional. */
export interface DeflateServerOptions {
  /** Always reset our context after each message (saves the deflate state per connection). Default `false`. */
  serverNoContextTakeover?: boolean | undefined;
  /** Ask every client to reset its context after each message. Default `false`. */
  clientNoContextTakeover?: boolean | undefined;
  /** Largest window we compress with, 8–15. Default 15. */
  serverMaxWindowBits?: number | undefined;
  /** Largest window we ask clients to compress with, 8–15, when they allow us to choose. Default 15. */
  clientMaxWindowBits?: number | undefined;
}

/** A parsed, valid parameter set. `clientMaxWindowBits: true` means "present without a value". */
interface ParsedParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  clientMaxWindowBits: number | true | undefined;
}

/** A parameter set that cannot be used, with the reason, for error messages. */
interface Invalid {
  invalid: string;
}

const SERVER_NO_CONTEXT_TAKEOVER = 'server_no_context_takeover';
const CLIENT_NO_CONTEXT_TAKEOVER = 'client_no_context_takeover';
const SERVER_MAX_WINDOW_BITS = 'server_max_window_bits';
const CLIENT_MAX_WINDOW_BITS = 'client_max_window_bits';

function entriesOf(params: DeflateParamsInput): ReadonlyArray<readonly [string, string | true]> {
  if (Array.isArray(params)) return params as ReadonlyArray<readonly [string, string | true]>;
  const record = params as Readonly<Record<string, string | true>>;
  return Object.keys(record).map((key) => [key, record[key] as string | true] as const);
}

/**
 * RFC 7692 §7.1.2: a window value is 1*DIGIT without leading zeros, 8–15. Only the exact strings
 * "8" … "15" qualify; "08", "+9", "9.0" and " 9" do not.
 */
function parseWindowBits(value: string | true): number | undefined {
  if (value === true) return undefined;
  if (value.length === 1) return value === '8' || value === '9' ? Number(value) : undefined;
  if (value.length === 2 && value.charCodeAt(0) === 0x31) {
    const d = value.charCodeAt(1) - 0x30;
    if (d >= 0 && d <= 5) return 10 + d;
  }
  return undefined;
}

function describe(value: string | true): string {
  return value === true ? 'no value' : JSON.stringify(value);
}

/**
 * Read one parameter set (RFC 7692 §7). `valuelessClientBits` allows `client_max_window_bits`
 * without a value, which only an offer may do (§7.1.2.2).
 */
function parseParams(params: DeflateParamsInput, valuelessClientBits: boolean): ParsedParams | Invalid {
  const parsed: ParsedParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen = new Set<string>();
  for (const [name, value] of entriesOf(params)) {
    if (seen.has(name)) return { invalid: `parameter ${name} is repeated` };
    seen.add(name);
    switch (name) {
      case SERVER_NO_CONTEXT_TAKEOVER:
      case CLIENT_NO_CONTEXT_TAKEOVER:
        // RFC 7692 §7.1.1: these two take no value.
        if (value !== true) return { invalid: `${name} takes no value, got ${describe(value)}` };
        if (name === SERVER_NO_CONTEXT_TAKEOVER) parsed.serverNoContextTakeover = true;
        else parsed.clientNoContextTakeover = true;
        break;
      case SERVER_MAX_WINDOW_BITS: {
        const bits = parseWindowBits(value);
        if (bits === undefined) return { invalid: `${name} must be 8 to 15, got ${describe(value)}` };
        parsed.serverMaxWindowBits = bits;
        break;
      }
      case CLIENT_MAX_WINDOW_BITS: {
        if (value === true && valuelessClientBits) {
          parsed.clientMaxWindowBits = true;
          break;
        }
        const bits = parseWindowBits(value);
        if (bits === undefined) return { invalid: `${name} must be 8 to 15, got ${describe(value)}` };
        parsed.clientMaxWindowBits = bits;
        break;
      }
      default:
        return { invalid: `unknown parameter ${JSON.stringify(name)}` };
    }
  }
  return parsed;
}

function checkBits(value: number | undefined, what: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 8 && value <= 15)) {
    throw new RangeError(`${what} must be an integer from 8 to 15, got ${String(value)}.`);
  }
}

function checkBoolean(value: unknown, what: string): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${what} must be a boolean, got ${typeof value}.`);
  }
}

/**
 * The parameters of each offer, in the order given (most preferred first), ready for a
 * `Sec-WebSocket-Extensions` formatter: `[{ client_max_window_bits: true }]` for the default.
 *
 * @throws {RangeError} for a window size outside 8–15. @throws {TypeError} for a non-boolean flag.
 */
export function createDeflateOffer(offers: DeflateOfferOptions | ReadonlyArray<DeflateOfferOptions> = {}): DeflateParams[] {
  const list: ReadonlyArray<DeflateOfferOptions> = Array.isArray(offers) ? offers : [offers as DeflateOfferOptions];
  if (list.length === 0) throw new RangeError('createDeflateOffer: pass at least one offer.');
  return list.map((offer, i) => {
    const what = `createDeflateOffer: offer ${i}`;
    checkBoolean(offer.serverNoContextTakeover, `${what}: serverNoContextTakeover`);
    checkBoolean(offer.clientNoContextTakeover, `${what}: clientNoContextTakeover`);
    checkBits(offer.serverMaxWindowBits, `${what}: serverMaxWindowBits`);
    const clientBits = offer.clientMaxWindowBits ?? true;
    if (typeof clientBits === 'number') checkBits(clientBits, `${what}: clientMaxWindowBits`);
    else checkBoolean(clientBits, `${what}: clientMaxWindowBits`);
    const params = Object.create(null) as DeflateParams;
    if (offer.serverNoContextTakeover === true) params[SERVER_NO_CONTEXT_TAKEOVER] = true;
    if (offer.clientNoContextTakeover === true) params[CLIENT_NO_CONTEXT_TAKEOVER] = true;
    if (offer.serverMaxWindowBits !== undefined) params[SERVER_MAX_WINDOW_BITS] = String(offer.serverMaxWindowBits);
    if (clientBits !== false) params[CLIENT_MAX_WINDOW_BITS] = clientBits === true ? true : String(clientBits);
    return params;
  });
}

/**
 * The `Sec-WebSocket-Extensions` value for {@link createDeflateOffer}'s offers, such as
 * `permessage-deflate; client_max_window_bits, permessage-deflate`. Every value is a token, so no
 * quoting is needed.
 */
export function formatDeflateOffer(offers: DeflateOfferOptions | ReadonlyArray<DeflateOfferOptions> = {}): string {
  return createDeflateOffer(offers)
    .map((params) => {
      let text = PERMESSAGE_DEFLATE;
      for (const name of Object.keys(params)) {
        const value = params[name] as string | true;
        text += value === true ? `; ${name}` : `; ${name}=${value}`;
      }
      return text;
    })
    .join(', ');
}

/** The configuration a response fully determines (the server builds its responses so that it does). */
function configOf(response: ParsedParams): DeflateConfig {
  return {
    serverNoContextTakeover: response.serverNoContextTakeover,
    clientNoContextTakeover: response.clientNoContextTakeover,
    serverMaxWindowBits: response.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: response.clientMaxWindowBits === true ? 15 : (response.clientMaxWindowBits ?? 15),
  };
}

function checkServerOptions(options: DeflateServerOptions): void {
  checkBoolean(options.serverNoContextTakeover, 'acceptDeflateOffer: serverNoContextTakeover');
  checkBoolean(options.clientNoContextTakeover, 'acceptDeflateOffer: clientNoContextTakeover');
  checkBits(options.serverMaxWindowBits, 'acceptDeflateOffer: serverMaxWindowBits');
  checkBits(options.clientMaxWindowBits, 'acceptDeflateOffer: clientMaxWindowBits');
}

/**
 * Server side (RFC 7692 §5, §7.1): the response to the first acceptable offer, in the client's
 * order of preference, and the configuration it sets up; `undefined` when none is acceptable.
 *
 * An offer is declined (never the whole handshake failed) when it has an unknown or repeated
 * parameter or a value out of range (§7.1). Every valid offer is acceptable: the server can always
 * honour `server_no_context_takeover` and any `server_max_window_bits` (a window of 8 is compressed
 * with zlib's 9, whose matches never reach past 250 bytes, so an 8-bit inflater reads it).
 *
 * The response always carries what the configuration depends on, so both ends can rebuild it from
 * the response alone ({@link deflateConfigFromResponse}).
 *
 * @throws {RangeError} / {TypeError} for invalid `options` (caller misuse).
 */
export function acceptDeflateOffer(
  offers: ReadonlyArray<DeflateParamsInput>,
  options: DeflateServerOptions = {},
): { params: DeflateParams; config: DeflateConfig } | undefined {
  checkServerOptions(options);
  const ourServerBits = options.serverMaxWindowBits ?? 15;
  const ourClientBits = options.clientMaxWindowBits ?? 15;
  for (const offer of offers) {
    const parsed = parseParams(offer, true);
    if ('invalid' in parsed) continue;
    const response: ParsedParams = {
      // §7.1.1.1: accepting server_no_context_takeover means echoing it; we may add it unasked.
      serverNoContextTakeover: parsed.serverNoContextTakeover || options.serverNoContextTakeover === true,
      // §7.1.1.2: the server may always ask the client not to take over context.
      clientNoContextTakeover: parsed.clientNoContextTakeover || options.clientNoContextTakeover === true,
      // §7.1.2.1: same or smaller than offered; we may also limit our window unasked.
      serverMaxWindowBits:
        parsed.serverMaxWindowBits !== undefined
          ? Math.min(parsed.serverMaxWindowBits, ourServerBits)
          : ourServerBits < 15
            ? ourServerBits
            : undefined,
      // §7.1.2.2: only when offered. With a value, the client already promised to stay at or
      // below it; we echo the smaller of that and ours so the response tells the whole story.
      clientMaxWindowBits:
        parsed.clientMaxWindowBits === undefined
          ? undefined
          : parsed.clientMaxWindowBits === true
            ? ourClientBits < 15
              ? ourClientBits
              : undefined
            : Math.min(parsed.clientMaxWindowBits, ourClientBits),
    };
    const params = Object.create(null) as DeflateParams;
    if (response.serverNoContextTakeover) params[SERVER_NO_CONTEXT_TAKEOVER] = true;
    if (response.clientNoContextTakeover) params[CLIENT_NO_CONTEXT_TAKEOVER] = true;
    if (response.serverMaxWindowBits !== undefined) params[SERVER_MAX_WINDOW_BITS] = String(response.serverMaxWindowBits);
    if (typeof response.clientMaxWindowBits === 'number') params[CLIENT_MAX_WINDOW_BITS] = String(response.clientMaxWindowBits);
    return { params, config: configOf(response) };
  }
  return undefined;
}

/**
 * The configuration a server's own response (from {@link acceptDeflateOffer}) sets up: for a
 * server that answered through a generic negotiator and kept only the response parameters.
 *
 * @throws {DeflateError} `WS_ERR_INVALID_DEFLATE_RESPONSE` if the parameters are not a valid response.
 */
export function deflateConfigFromResponse(params: DeflateParamsInput): DeflateConfig {
  const parsed = parseParams(params, false);
  if ('invalid' in parsed) {
    throw new DeflateError(DeflateErrorCode.InvalidDeflateResponse, `Invalid permessage-deflate response: ${parsed.invalid}.`);
  }
  return configOf(parsed);
}

/** Why `response` does not answer `offer`, or the configuration it sets up (RFC 7692 §7.1). */
function matchResponse(offer: ParsedParams, response: ParsedParams): DeflateConfig | string {
  // §7.1.1.1: a server that accepts server_no_context_takeover must say so.
  if (offer.serverNoContextTakeover && !response.serverNoContextTakeover) {
    return 'we asked for server_no_context_takeover and the server did not agree';
  }
  // §7.1.2.1: the server must answer with the same or a smaller window than we asked for.
  if (offer.serverMaxWindowBits !== undefined) {
    if (response.serverMaxWindowBits === undefined) return 'we asked for server_max_window_bits and the server did not answer it';
    if (response.serverMaxWindowBits > offer.serverMaxWindowBits) {
      return `server_max_window_bits=${response.serverMaxWindowBits} is larger than the ${offer.serverMaxWindowBits} we asked for`;
    }
  }
  // §7.1.2.2: client_max_window_bits only when we offered it, and not above our promise.
  let clientBits = 15;
  if (offer.clientMaxWindowBits === undefined) {
    if (response.clientMaxWindowBits !== undefined) return 'client_max_window_bits was not offered';
  } else {
    const promised = offer.clientMaxWindowBits === true ? 15 : offer.clientMaxWindowBits;
    const answered = response.clientMaxWindowBits === true ? undefined : response.clientMaxWindowBits;
    if (answered !== undefined && answered > promised) {
      return `client_max_window_bits=${answered} is larger than the ${promised} we offered`;
    }
    clientBits = answered ?? promised;
  }
  return {
    serverNoContextTakeover: response.serverNoContextTakeover,
    // §7.1.1.2: having offered it, we keep our promise even when the server did not echo it.
    clientNoContextTakeover: response.clientNoContextTakeover || offer.clientNoContextTakeover,
    serverMaxWindowBits: response.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: clientBits,
  };
}

/**
 * Client side (RFC 7692 §7.1): check the server's `permessage-deflate` response against the
 * offers we made (the same `offers` given to {@link createDeflateOffer}) and return the
 * configuration of the first offer it answers.
 *
 * @throws {DeflateError} `WS_ERR_INVALID_DEFLATE_RESPONSE` (closeCode 1006) when the response has
 *   an unknown, repeated or out-of-range parameter, or answers none of the offers: the client must
 *   then fail the connection.
 */
export function acceptDeflateResponse(
  params: DeflateParamsInput,
  offers: DeflateOfferOptions | ReadonlyArray<DeflateOfferOptions> = {},
): DeflateConfig {
  const response = parseParams(params, false);
  if ('invalid' in response) {
    throw new DeflateError(DeflateErrorCode.InvalidDeflateResponse, `Invalid permessage-deflate response: ${response.invalid}.`);
  }
  let firstReason = '';
  for (const offerParams of createDeflateOffer(offers)) {
    const offer = parseParams(offerParams, true) as ParsedParams;
    const result = matchResponse(offer, response);
    if (typeof result !== 'string') return result;
    if (firstReason === '') firstReason = result;
  }
  throw new DeflateError(DeflateErrorCode.InvalidDeflateResponse, `The permessage-deflate response answers none of our offers: ${firstReason}.`);
}
