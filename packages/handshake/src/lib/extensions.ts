/**
 * `Sec-WebSocket-Extensions` (RFC 6455 §9.1): parsing, formatting and negotiation through
 * extension objects, so permessage-deflate (RFC 7692) or any other extension plugs in without
 * this package knowing its parameters.
 */
import { HandshakeError, HandshakeErrorCode } from './errors.ts';
import { combineHeaderValues, describeValue, isToken, scanToken, skipOws } from './tokens.ts';

/**
 * The parameters of one extension offer or response: name → value, `true` for a parameter given
 * without a value. Always a null-prototype object, so `__proto__` or `constructor` are plain keys.
 */
export type ExtensionParams = Record<string, string | true>;

/** Parameters as `[name, value]` pairs in header order, repeats included (`true`: no value). */
export type ExtensionParamList = ReadonlyArray<readonly [string, string | true]>;

/**
 * The parameters of one offer as a {@link ServerExtension} receives them: the record, or — for an
 * offer that repeats a parameter — the pair list, so the extension sees the repetition and can
 * decline that offer (RFC 7692 §7).
 */
export type ExtensionOfferParams = Readonly<ExtensionParams> | ExtensionParamList;

/** One element of a `Sec-WebSocket-Extensions` list: an extension name and its parameters. */
export interface ExtensionOffer {
  /** The extension token, such as `permessage-deflate`. */
  readonly name: string;
  /** Its parameters (null-prototype); a repeated parameter keeps its first value here. */
  readonly params: Readonly<ExtensionParams>;
  /** Every parameter in header order, repeats included (always set by {@link parseExtensionsHeader}). */
  readonly entries?: ExtensionParamList | undefined;
  /** Whether a parameter name appears more than once (always set by {@link parseExtensionsHeader}). */
  readonly repeated?: boolean | undefined;
}

/** An extension the server agreed to: the name and the parameters of its response. */
export interface AcceptedExtension {
  /** The extension token. */
  readonly name: string;
  /** The parameters of the response (null-prototype). */
  readonly params: Readonly<ExtensionParams>;
}

/** What {@link formatExtensions} takes: parameters may also be numbers, and may be omitted. */
export interface ExtensionInput {
  /** The extension token. */
  readonly name: string;
  /** Its parameters; `true` writes the name alone, other values are written as `name=value`. */
  readonly params?: Readonly<Record<string, string | number | true>> | undefined;
}

/**
 * A server-side extension (RFC 6455 §9.1). {@link negotiateExtensions} hands it every offer of its
 * name, in the client's order of preference; it answers with the parameters of its response for
 * the first offer it can accept, or `undefined` to decline them all (RFC 7692 §5: a server declines
 * an offer it cannot accept rather than failing the handshake). An offer is a parameter record,
 * or a `[name, value]` pair list when it repeats a parameter (see {@link ExtensionOfferParams}).
 */
export interface ServerExtension {
  /** The extension token it negotiates, such as `permessage-deflate`. */
  readonly name: string;
  /** The response parameters for the first acceptable offer, or `undefined` to decline. */
  acceptOffer(offers: ReadonlyArray<ExtensionOfferParams>): ExtensionParams | undefined;
}

/**
 * A client-side extension: {@link validateServerResponse} hands it the parameters the server
 * answered with; it configures itself and returns `true`, or returns `false` when it cannot work
 * with them (the handshake then fails with `WS_ERR_UNEXPECTED_EXTENSION`).
 */
export interface ClientExtension {
  /** The extension token it negotiates. */
  readonly name: string;
  /** Whether the server's response parameters are acceptable. */
  acceptResponse(params: Readonly<ExtensionParams>): boolean;
}

function invalid(message: string): HandshakeError {
  return new HandshakeError(HandshakeErrorCode.InvalidExtensionHeader, `Invalid Sec-WebSocket-Extensions header: ${message}`);
}

function describeAt(text: string, i: number): string {
  return i >= text.length ? 'the end of the value' : `${describeValue(text.charAt(i))} at position ${i}`;
}

/**
 * Read the quoted-string that starts at `text[i] === '"'` (RFC 7230 §3.2.6), unescaping
 * quoted-pairs. Returns the value and the index just past the closing quote.
 */
function readQuoted(text: string, i: number): { value: string; end: number } {
  let value = '';
  let chunkStart = i + 1;
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x22) return { value: value + text.slice(chunkStart, j), end: j + 1 };
    if (c === 0x5c) {
      // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
      const next = text.charCodeAt(j + 1);
      if (!(next === 0x09 || (next >= 0x20 && next !== 0x7f && next <= 0xff))) {
        throw invalid(`bad escape in a quoted string at position ${j}.`);
      }
      value += text.slice(chunkStart, j) + text.charAt(j + 1);
      j++;
      chunkStart = j + 1;
      continue;
    }
    // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
    if (!(c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff))) {
      throw invalid(`control or non-Latin-1 character in a quoted string at position ${j}.`);
    }
  }
  throw invalid(`unterminated quoted string starting at position ${i}.`);
}

/**
 * Parse `Sec-WebSocket-Extensions` (RFC 6455 §9.1) into its elements, in order:
 *
 * ```
 * extension       = extension-token *( OWS ";" OWS extension-param )
 * extension-param = token [ OWS "=" OWS ( token / quoted-string ) ]
 * ```
 *
 * Repeated fields combine as one list (RFC 7230 §3.2.2); empty elements and OWS are skipped, so an
 * absent, empty or all-comma value gives `[]`. Quoted values are unescaped and kept as they are;
 * RFC 6455 §9.1 asks senders to put only tokens inside them, which extension objects check for
 * the parameters they know. One linear pass, no regular expressions.
 *
 * A parameter repeated within one element is kept (`entries`, `repeated`): RFC 7692 §7 makes the
 * extension decline such an offer, which is not a reason to refuse the whole handshake.
 *
 * @throws {HandshakeError} `WS_ERR_INVALID_EXTENSION_HEADER` (status 400) on a syntax error.
 *   Nothing else is ever thrown, whatever the input.
 */
export function parseExtensionsHeader(value: string | readonly string[] | undefined | null): ExtensionOffer[] {
  const text = combineHeaderValues(value);
  const n = text.length;
  const result: ExtensionOffer[] = [];
  let i = 0;
  while (true) {
    i = skipOws(text, i);
    if (i >= n) break;
    if (text.charCodeAt(i) === 0x2c) {
      i++;
      continue;
    }
    const nameEnd = scanToken(text, i);
    if (nameEnd === i) throw invalid(`expected an extension name, found ${describeAt(text, i)}.`);
    const name = text.slice(i, nameEnd);
    const params = Object.create(null) as ExtensionParams;
    const entries: Array<readonly [string, string | true]> = [];
    let repeated = false;
    i = nameEnd;
    while (true) {
      i = skipOws(text, i);
      if (i >= n || text.charCodeAt(i) === 0x2c) break;
      if (text.charCodeAt(i) !== 0x3b) throw invalid(`expected ";" or "," after ${describeValue(name)}, found ${describeAt(text, i)}.`);
      i = skipOws(text, i + 1);
      const paramEnd = scanToken(text, i);
      if (paramEnd === i) throw invalid(`expected a parameter name of ${describeValue(name)}, found ${describeAt(text, i)}.`);
      const param = text.slice(i, paramEnd);
      let paramValue: string | true = true;
      i = skipOws(text, paramEnd);
      if (i < n && text.charCodeAt(i) === 0x3d) {
        i = skipOws(text, i + 1);
        if (i < n && text.charCodeAt(i) === 0x22) {
          const quoted = readQuoted(text, i);
          paramValue = quoted.value;
          i = quoted.end;
        } else {
          const valueEnd = scanToken(text, i);
          if (valueEnd === i) throw invalid(`expected a value for ${describeValue(param)}, found ${describeAt(text, i)}.`);
          paramValue = text.slice(i, valueEnd);
          i = valueEnd;
        }
      }
      // RFC 7692 §7: an offer repeating a parameter is declined by the extension, so keep it visible.
      if (param in params) repeated = true;
      else params[param] = paramValue;
      entries.push([param, paramValue]);
    }
    result.push({ name, params, entries, repeated });
  }
  return result;
}

/** A parameter value as it goes on the wire: a token as is, anything else as a quoted string. */
function formatValue(name: string, value: string): string {
  if (isToken(value)) return value;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) {
      throw new TypeError(`formatExtensions: the value of ${JSON.stringify(name)} has a control or non-Latin-1 character.`);
    }
    if (c === 0x22 || c === 0x5c) out += '\\';
    out += value.charAt(i);
  }
  return `${out}"`;
}

/**
 * The `Sec-WebSocket-Extensions` value for `extensions`, in order: `a; x=1; y, b`. Values that are
 * not tokens are written as quoted strings (RFC 7230 §3.2.6).
 *
 * @throws {TypeError} when a name is not a token or a value holds a control character: such a
 *   header could not be read back, and could smuggle other headers in.
 */
export function formatExtensions(extensions: ReadonlyArray<ExtensionInput>): string {
  if (!Array.isArray(extensions)) throw new TypeError('formatExtensions(extensions): pass an array of { name, params }.');
  const parts: string[] = [];
  for (const extension of extensions) {
    if (!isToken(extension?.name)) {
      throw new TypeError(`formatExtensions: extension name ${JSON.stringify(extension?.name)} is not an RFC 7230 token.`);
    }
    let part = extension.name;
    const params = extension.params ?? {};
    for (const param of Object.keys(params)) {
      if (!isToken(param)) throw new TypeError(`formatExtensions: parameter name ${JSON.stringify(param)} is not an RFC 7230 token.`);
      const value = params[param];
      if (value === true) part += `; ${param}`;
      else if (typeof value === 'string' || typeof value === 'number') part += `; ${param}=${formatValue(param, String(value))}`;
      else throw new TypeError(`formatExtensions: parameter ${JSON.stringify(param)} must be a string, a number or true.`);
    }
    parts.push(part);
  }
  return parts.join(', ');
}

/**
 * Server-side negotiation (RFC 6455 §9.1): for each extension name the client offered, in the
 * order of its first offer, the matching entry of `extensions` gets all offers of that name (in
 * the client's order of preference) and may accept one. The result is the list to answer with, in
 * the order the extensions apply, and to configure the connection with.
 */
export function negotiateExtensions(
  offers: ReadonlyArray<ExtensionOffer>,
  extensions: ReadonlyArray<ServerExtension>,
): AcceptedExtension[] {
  const byName = new Map<string, ServerExtension>();
  for (const extension of extensions) {
    if (!isToken(extension?.name) || typeof extension.acceptOffer !== 'function') {
      throw new TypeError('negotiateExtensions: each extension needs a token `name` and an `acceptOffer(offers)` method.');
    }
    if (!byName.has(extension.name)) byName.set(extension.name, extension);
  }
  const grouped = new Map<string, ExtensionOfferParams[]>();
  for (const offer of offers) {
    if (!byName.has(offer.name)) continue;
    // An offer repeating a parameter goes over as its pair list, so the extension can decline it.
    const params: ExtensionOfferParams = offer.repeated === true && Array.isArray(offer.entries) ? offer.entries : offer.params;
    const list = grouped.get(offer.name);
    if (list === undefined) grouped.set(offer.name, [params]);
    else list.push(params);
  }
  const accepted: AcceptedExtension[] = [];
  for (const [name, params] of grouped) {
    const response = (byName.get(name) as ServerExtension).acceptOffer(params);
    if (response === undefined) continue;
    const copy = Object.create(null) as ExtensionParams;
    for (const key of Object.keys(response)) copy[key] = response[key] as string | true;
    accepted.push({ name, params: copy });
  }
  return accepted;
}
