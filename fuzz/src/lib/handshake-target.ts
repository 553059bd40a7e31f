/**
 * Fuzz targets for @rfc6455/handshake: the `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`
 * parsers over strings from a token/quote/comma/semicolon alphabet, and the two validators over
 * structured requests and responses. Invariants: only `HandshakeError`s with documented codes and
 * statuses escape (never a TypeError or RangeError for peer input); successful results are well
 * formed (tokens, null-prototype parameter records); the protocol list equals a plain reference
 * split; a parsed extension list survives formatExtensions → parseExtensionsHeader unchanged.
 */
import {
  buildClientRequest,
  createAcceptKey,
  formatExtensions,
  isToken,
  parseExtensionsHeader,
  parseProtocolHeader,
  validateClientRequest,
  validateServerResponse,
} from '@rfc6455/handshake';
import fc from 'fast-check';

/** The pieces header strings are made of: tokens (some named after Object.prototype), separators, quotes, escapes, OWS. */
const PIECES = [
  'permessage-deflate',
  'x-webkit-deflate-frame',
  'client_max_window_bits',
  'server_no_context_takeover',
  '15',
  '8',
  'chat',
  'v2.json',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  ',',
  ',',
  ';',
  ';',
  '=',
  '"',
  '\\',
  ' ',
  ' ',
  '\t',
  '',
];

/** Header-like strings: mostly the alphabet above, sometimes any character (controls, non-ASCII, CR/LF). */
export const headerStringArb: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...PIECES) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) }), {
    maxLength: 30,
  })
  .map((parts) => parts.join(''));

function expectHandshakeError(err: unknown, codes: Readonly<Record<string, number>>, where: string): void {
  const e = err as { name?: unknown; code?: unknown; status?: unknown };
  if (!(err instanceof Error) || typeof e.code !== 'string' || !(e.code in codes)) {
    throw new Error(`${where}: unexpected throw ${String((err as Error)?.name)}: ${String((err as Error)?.message)} (code ${String(e.code)})`, {
      cause: err,
    });
  }
  if (e.status !== codes[e.code]) throw new Error(`${where}: ${e.code} with status ${String(e.status)}, documented ${String(codes[e.code])}`);
}

/** Reference for Sec-WebSocket-Protocol: split on commas, trim OWS, drop empty elements. */
function referenceProtocols(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((s) => s !== '');
}

/** parseProtocolHeader: the reference list when every element is a token, else WS_ERR_INVALID_PROTOCOL_HEADER (400). */
export function checkProtocolHeader(value: string): void {
  const expected = referenceProtocols(value);
  let got: string[];
  try {
    got = parseProtocolHeader(value);
  } catch (err) {
    expectHandshakeError(err, { WS_ERR_INVALID_PROTOCOL_HEADER: 400 }, 'parseProtocolHeader');
    if (expected.every(isToken)) throw new Error(`parseProtocolHeader refused ${JSON.stringify(value)}, a list of tokens`);
    return;
  }
  if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`parseProtocolHeader gave ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
}

/** parseExtensionsHeader: well-formed results that round-trip, or WS_ERR_INVALID_EXTENSION_HEADER (400). */
export function checkExtensionsHeader(value: string): void {
  let offers: ReturnType<typeof parseExtensionsHeader>;
  try {
    offers = parseExtensionsHeader(value);
  } catch (err) {
    expectHandshakeError(err, { WS_ERR_INVALID_EXTENSION_HEADER: 400 }, 'parseExtensionsHeader');
    return;
  }
  for (const offer of offers) {
    if (!isToken(offer.name)) throw new Error(`extension name ${JSON.stringify(offer.name)} is not a token`);
    if (Object.getPrototypeOf(offer.params) !== null) throw new Error('params record has a prototype');
    for (const [k, v] of Object.entries(offer.params)) {
      if (!isToken(k)) throw new Error(`parameter name ${JSON.stringify(k)} is not a token`);
      if (v !== true && typeof v !== 'string') throw new Error(`parameter ${k} has value ${String(v)}`);
    }
    for (const [k, v] of offer.entries ?? []) {
      if (!Object.hasOwn(offer.params, k)) throw new Error(`entry ${k} missing from params`);
      if (v !== true && typeof v !== 'string') throw new Error(`entry ${k} has value ${String(v)}`);
    }
  }
  // Round trip (repeated parameters aside: params keeps the first value, formatting writes one).
  const simple = offers.filter((o) => !o.repeated);
  let text: string;
  try {
    text = formatExtensions(simple);
  } catch (err) {
    // Only a control character inside a quoted value may make a parsed header unformattable.
    const isControl = (c: number): boolean => (c < 0x20 && c !== 0x09) || c === 0x7f;
    const hasControl = simple.some((o) =>
      Object.values(o.params).some((v) => typeof v === 'string' && [...v].some((ch) => isControl(ch.charCodeAt(0)))),
    );
    if (err instanceof TypeError && hasControl) return;
    throw new Error(`formatExtensions refused a parsed header: ${(err as Error).message}`, { cause: err });
  }
  const again = parseExtensionsHeader(text);
  const strip = (list: typeof offers): unknown => list.map((o) => [o.name, Object.entries(o.params)]);
  if (JSON.stringify(strip(again)) !== JSON.stringify(strip(simple))) {
    throw new Error(`round trip changed ${JSON.stringify(strip(simple))} into ${JSON.stringify(strip(again))} via ${JSON.stringify(text)}`);
  }
}

/** Server-side codes of validateClientRequest and their statuses. */
const REQUEST_ERRORS: Readonly<Record<string, number>> = {
  WS_ERR_INVALID_METHOD: 405,
  WS_ERR_INVALID_HTTP_VERSION: 400,
  WS_ERR_MISSING_HOST: 400,
  WS_ERR_INVALID_UPGRADE_HEADER: 400,
  WS_ERR_INVALID_CONNECTION_HEADER: 400,
  WS_ERR_INVALID_KEY: 400,
  WS_ERR_INVALID_PROTOCOL_HEADER: 400,
  WS_ERR_INVALID_EXTENSION_HEADER: 400,
  WS_ERR_UNSUPPORTED_VERSION: 426,
};

const GOOD_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A structured client request: each header picked from good, bad, absent and repeated values. */
export interface RequestInput {
  method: string;
  httpVersion: string;
  url: string;
  headers: Array<[string, string]>;
}

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 5 });

export const requestInputArb: fc.Arbitrary<RequestInput> = fc
  .record({
    method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'get', 'HEAD', ''),
    httpVersion: fc.constantFrom('1.1', '1.1', '1.0', '2.0', 'HTTP/1.1', '0.9', 'x', ''),
    url: fc.constantFrom('/', '/chat?x=1', '', '*', '//evil'),
    host: maybe(fc.constantFrom('example.com', '', ' ', 'a, b')),
    upgrade: maybe(fc.constantFrom('websocket', 'WebSocket', 'h2c, websocket', 'web socket', '')),
    connection: maybe(fc.constantFrom('Upgrade', 'keep-alive, upgrade', 'close', 'upgrade,upgrade', '')),
    key: maybe(fc.constantFrom(GOOD_KEY, 'AAAAAAAAAAAAAAAAAAAAAA==', 'short', `${GOOD_KEY}, ${GOOD_KEY}`, '', 'dGhlIHNhbXBsZSBub25jZQ')),
    version: maybe(fc.constantFrom('13', '8', '12', '', '13, 8', ' 13 ', '0013')),
    protocol: maybe(headerStringArb),
    extensions: maybe(headerStringArb),
    origin: maybe(fc.constantFrom('https://a.example', 'null', '')),
    repeat: fc.array(fc.constantFrom('host', 'sec-websocket-key', 'sec-websocket-version', 'upgrade', 'sec-websocket-protocol'), { maxLength: 2 }),
    junk: fc.array(fc.tuple(fc.constantFrom('x-a', '__proto__', 'constructor', 'toString'), headerStringArb), { maxLength: 3 }),
  })
  .map((r) => {
    const headers: Array<[string, string]> = [];
    const add = (name: string, value: string | undefined): void => {
      if (value !== undefined) headers.push([name, value]);
    };
    add('Host', r.host);
    add('Upgrade', r.upgrade);
    add('Connection', r.connection);
    add('Sec-WebSocket-Key', r.key);
    add('Sec-WebSocket-Version', r.version);
    add('Sec-WebSocket-Protocol', r.protocol);
    add('Sec-WebSocket-Extensions', r.extensions);
    add('Origin', r.origin);
    for (const name of r.repeat) {
      const first = headers.find(([n]) => n.toLowerCase() === name);
      if (first) headers.push([first[0], first[1]]);
    }
    headers.push(...r.junk);
    return { method: r.method, httpVersion: r.httpVersion, url: r.url, headers };
  });

/** validateClientRequest: documented HandshakeErrors only; a success has the key, a version of 8 or 13, token lists. */
export function checkClientRequest(input: RequestInput): void {
  // Node's shape: a joined record (repeats joined with ", ") plus rawHeaders.
  const record: Record<string, string> = Object.create(null) as Record<string, string>;
  const rawHeaders: string[] = [];
  for (const [name, value] of input.headers) {
    const lower = name.toLowerCase();
    record[lower] = lower in record ? `${record[lower]}, ${value}` : value;
    rawHeaders.push(name, value);
  }
  for (const shape of [{ headers: record, rawHeaders }, { headers: input.headers }]) {
    let result: ReturnType<typeof validateClientRequest>;
    try {
      result = validateClientRequest({ method: input.method, httpVersion: input.httpVersion, url: input.url, ...shape });
    } catch (err) {
      expectHandshakeError(err, REQUEST_ERRORS, 'validateClientRequest');
      continue;
    }
    if (input.method !== 'GET') throw new Error(`accepted method ${JSON.stringify(input.method)}`);
    if (result.version !== 13 && result.version !== 8) throw new Error(`version ${String(result.version)}`);
    if (Buffer.from(result.key, 'base64').length !== 16) throw new Error(`accepted key ${JSON.stringify(result.key)}`);
    if (!result.protocols.every(isToken)) throw new Error('a protocol is not a token');
    if (!result.extensions.every((e) => isToken(e.name))) throw new Error('an extension name is not a token');
  }
}

/** Client-side codes of validateServerResponse (status is the response's). */
const RESPONSE_CODES = new Set([
  'WS_ERR_UNEXPECTED_STATUS',
  'WS_ERR_INVALID_UPGRADE_HEADER',
  'WS_ERR_INVALID_CONNECTION_HEADER',
  'WS_ERR_INVALID_ACCEPT',
  'WS_ERR_INVALID_PROTOCOL_HEADER',
  'WS_ERR_UNEXPECTED_SUBPROTOCOL',
  'WS_ERR_INVALID_EXTENSION_HEADER',
  'WS_ERR_UNEXPECTED_EXTENSION',
]);

/** A structured server response to a request offering `chat`/`v2.json` and permessage-deflate. */
export interface ResponseInput {
  status: number;
  headers: Array<[string, string]>;
  acceptRight: boolean;
}

export const responseInputArb: fc.Arbitrary<ResponseInput> = fc
  .record({
    status: fc.constantFrom(101, 101, 101, 200, 302, 400),
    upgrade: maybe(fc.constantFrom('websocket', 'WEBSOCKET', 'h2c', '')),
    connection: maybe(fc.constantFrom('Upgrade', 'upgrade, keep-alive', 'close', '')),
    accept: fc.constantFrom('right', 'right', 'right', 'wrong', 'absent', 'twice'),
    protocol: maybe(fc.oneof(fc.constantFrom('chat', 'v2.json', 'other', 'chat, v2.json', '__proto__'), headerStringArb)),
    extensions: maybe(
      fc.oneof(
        fc.constantFrom('permessage-deflate', 'permessage-deflate; server_no_context_takeover', 'permessage-deflate, permessage-deflate', 'x-unknown', '__proto__'),
        headerStringArb,
      ),
    ),
  })
  .map((r) => {
    const headers: Array<[string, string]> = [];
    if (r.upgrade !== undefined) headers.push(['Upgrade', r.upgrade]);
    if (r.connection !== undefined) headers.push(['Connection', r.connection]);
    if (r.protocol !== undefined) headers.push(['Sec-WebSocket-Protocol', r.protocol]);
    if (r.extensions !== undefined) headers.push(['Sec-WebSocket-Extensions', r.extensions]);
    if (r.accept === 'wrong') headers.push(['Sec-WebSocket-Accept', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=']);
    if (r.accept === 'right' || r.accept === 'twice') headers.push(['Sec-WebSocket-Accept', '@accept']);
    if (r.accept === 'twice') headers.push(['Sec-WebSocket-Accept', '@accept']);
    return { status: r.status, headers, acceptRight: r.accept === 'right' };
  });

/** validateServerResponse: documented HandshakeErrors only; a success needs 101, the right accept and offered choices. */
export function checkServerResponse(input: ResponseInput): void {
  const request = buildClientRequest('ws://example.com/chat', {
    protocols: ['chat', 'v2.json'],
    extensions: [{ name: 'permessage-deflate', params: { client_max_window_bits: true } }],
    random: (bytes: Uint8Array) => bytes.fill(7),
  });
  const accept = createAcceptKey(request.key);
  const headers = input.headers.map(([n, v]): [string, string] => [n, v === '@accept' ? accept : v]);
  const deflate = { name: 'permessage-deflate', acceptResponse: (params: object) => Object.keys(params).every((k) => k === 'server_no_context_takeover') };
  let result: ReturnType<typeof validateServerResponse>;
  try {
    result = validateServerResponse(request, { status: input.status, headers }, { extensions: [deflate] });
  } catch (err) {
    const e = err as { code?: unknown; status?: unknown };
    if (!(err instanceof Error) || typeof e.code !== 'string' || !RESPONSE_CODES.has(e.code)) {
      throw new Error(`validateServerResponse: unexpected throw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
    }
    if (e.status !== input.status) throw new Error(`${e.code} carried status ${String(e.status)}, not the response's ${input.status}`);
    return;
  }
  if (input.status !== 101) throw new Error(`accepted status ${input.status}`);
  if (!input.acceptRight) throw new Error('accepted a missing, wrong or repeated Sec-WebSocket-Accept');
  if (result.protocol !== undefined && result.protocol !== 'chat' && result.protocol !== 'v2.json') throw new Error(`accepted protocol ${result.protocol}`);
  if (!result.extensions.every((e) => e.name === 'permessage-deflate')) throw new Error('accepted an extension that was not offered');
  if (result.extensions.length > 1) throw new Error('accepted permessage-deflate twice');
}
