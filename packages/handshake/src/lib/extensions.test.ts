import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catchHandshakeError } from '../../test/catch-handshake-error.ts';
import { HandshakeError } from './errors.ts';
import { formatExtensions, negotiateExtensions, parseExtensionsHeader } from './extensions.ts';
import type { AcceptedExtension, ExtensionOfferParams, ServerExtension } from './extensions.ts';

/** The parsed list as plain data (params are null-prototype objects; compare their entries). */
const plain = (list: AcceptedExtension[]) => list.map(({ name, params }) => [name, Object.entries(params)]);

/** A parameter of an offer in either form (record, or pair list for an offer with a repeat). */
const paramOf = (offer: ExtensionOfferParams, name: string): string | true | undefined =>
  Array.isArray(offer) ? (offer as ReadonlyArray<readonly [string, string | true]>).find(([key]) => key === name)?.[1] : (offer as Record<string, string | true>)[name];

const errorOf = catchHandshakeError;

describe('parseExtensionsHeader', () => {
  it('parses names, bare parameters and token values', () => {
    const parsed = parseExtensionsHeader('permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-foo');
    expect(plain(parsed)).toEqual([
      ['permessage-deflate', [['client_max_window_bits', true], ['server_max_window_bits', '10']]],
      ['x-foo', []],
    ]);
  });

  it('gives null-prototype params', () => {
    const [first] = parseExtensionsHeader('a; b=1');
    expect(Object.getPrototypeOf(first?.params)).toBeNull();
  });

  it('tolerates OWS around ";", "=" and ",", and empty list elements', () => {
    expect(plain(parseExtensionsHeader(' , a ;\tb = 1 ;c ,, ,d , '))).toEqual([
      ['a', [['b', '1'], ['c', true]]],
      ['d', []],
    ]);
  });

  it('unescapes quoted strings, with escaped quotes, backslashes, commas and semicolons inside', () => {
    const parsed = parseExtensionsHeader('a; b="x\\"y,z;w\\\\"; c="10", d');
    expect(plain(parsed)).toEqual([
      ['a', [['b', 'x"y,z;w\\'], ['c', '10']]],
      ['d', []],
    ]);
    expect(plain(parseExtensionsHeader('a; b=""'))).toEqual([['a', [['b', '']]]]);
  });

  it('combines repeated fields as one list (RFC 7230 §3.2.2)', () => {
    expect(plain(parseExtensionsHeader(['a; x=1', 'b', '']))).toEqual([
      ['a', [['x', '1']]],
      ['b', []],
    ]);
  });

  it('keeps a parameter repeated within one element (first value in params, all in entries), no 400', () => {
    const [offer] = parseExtensionsHeader('permessage-deflate; client_max_window_bits=10; client_max_window_bits; x');
    expect(offer?.repeated).toBe(true);
    expect(Object.entries(offer?.params ?? {})).toEqual([
      ['client_max_window_bits', '10'],
      ['x', true],
    ]);
    expect(offer?.entries).toEqual([
      ['client_max_window_bits', '10'],
      ['client_max_window_bits', true],
      ['x', true],
    ]);
    const [single] = parseExtensionsHeader('a; b=1; c');
    expect([single?.repeated, single?.entries]).toEqual([false, [['b', '1'], ['c', true]]]);
  });

  it('keeps repeated extension names, in order, for the negotiator', () => {
    expect(plain(parseExtensionsHeader('a; x=1, a; x=2'))).toEqual([
      ['a', [['x', '1']]],
      ['a', [['x', '2']]],
    ]);
  });

  it('treats __proto__ and constructor as plain names and parameters', () => {
    const [first] = parseExtensionsHeader('__proto__; constructor=1; __proto__="x"; toString');
    expect(first?.name).toBe('__proto__');
    expect(Object.entries(first?.params ?? {})).toEqual([
      ['constructor', '1'],
      ['__proto__', 'x'],
      ['toString', true],
    ]);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('gives [] for absent, empty, whitespace or comma-only values', () => {
    for (const value of [undefined, null, '', '   ', ',', ' , ,\t,', []]) expect(parseExtensionsHeader(value)).toEqual([]);
  });

  it('refuses malformed values with WS_ERR_INVALID_EXTENSION_HEADER (400) and says where', () => {
    const cases: Array<[string, RegExp]> = [
      ['a b', /expected ";" or ","/],
      [';a', /expected an extension name/],
      ['a;', /expected a parameter name/],
      ['a; =1', /expected a parameter name/],
      ['a; b=', /expected a value/],
      ['a; b=,', /expected a value/],
      ['a; b="x', /unterminated quoted string/],
      ['a; b="x\\', /bad escape|unterminated/],
      ['a; b="x\u0000"', /control/],
      ['a; b=1 2', /expected ";" or ","/],
      ['"a"', /expected an extension name/],
      ['a; b="1"x', /expected ";" or ","/],
      ['é', /expected an extension name/],
    ];
    for (const [value, message] of cases) {
      const err = errorOf(() => parseExtensionsHeader(value));
      expect(err.code).toBe('WS_ERR_INVALID_EXTENSION_HEADER');
      expect(err.status).toBe(400);
      expect(err.message).toMatch(message);
    }
  });

  it('only ever throws the typed error, whatever the input', () => {
    const alphabet = fc.constantFrom('a', 'b', '=', ';', ',', ' ', '\t', '"', '\\', 'x', '\r', '\u00e9', '\u0000', '1');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: alphabet, maxLength: 80 })), (value) => {
        try {
          const list = parseExtensionsHeader(value);
          expect(Array.isArray(list)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(HandshakeError);
          expect((err as HandshakeError).code).toBe('WS_ERR_INVALID_EXTENSION_HEADER');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('handles a 64 KiB header of commas and spaces, and 64 KiB of parameters, in one pass', () => {
    expect(parseExtensionsHeader(', '.repeat(32 * 1024))).toEqual([]);
    const params = Array.from({ length: 6000 }, (_, i) => `p${i}=${i}`).join('; ');
    const [only] = parseExtensionsHeader(`a; ${params}`);
    expect(Object.keys(only?.params ?? {})).toHaveLength(6000);
    // A long run of the characters a backtracking regex chokes on: one error, at once.
    const err = errorOf(() => parseExtensionsHeader(`a${' ;'.repeat(32 * 1024)}`));
    expect(err.code).toBe('WS_ERR_INVALID_EXTENSION_HEADER');
  });
});

describe('formatExtensions', () => {
  it('writes names, bare parameters, token values and numbers', () => {
    expect(
      formatExtensions([
        { name: 'permessage-deflate', params: { client_max_window_bits: true, server_max_window_bits: 10 } },
        { name: 'x-foo' },
      ]),
    ).toBe('permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-foo');
    expect(formatExtensions([])).toBe('');
  });

  it('quotes values that are not tokens, escaping quotes and backslashes, and reads back the same', () => {
    const text = formatExtensions([{ name: 'a', params: { b: 'x"y,z\\', c: '' } }]);
    expect(text).toBe('a; b="x\\"y,z\\\\"; c=""');
    expect(plain(parseExtensionsHeader(text))).toEqual([['a', [['b', 'x"y,z\\'], ['c', '']]]]);
  });

  it('round-trips with the parser for any token names and printable values', () => {
    const token = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.!~'), minLength: 1, maxLength: 8 });
    const value = fc.oneof(fc.constant(true as const), fc.string({ unit: fc.constantFrom(...'ab 1"\\,;=\t'), maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(fc.record({ name: token, params: fc.dictionary(token, value, { maxKeys: 4 }) }), { maxLength: 4 }), (list) => {
        const parsed = parseExtensionsHeader(formatExtensions(list));
        expect(plain(parsed)).toEqual(list.map(({ name, params }) => [name, Object.entries(params)]));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses names that are not tokens and values with CR/LF with a TypeError (no header injection)', () => {
    expect(() => formatExtensions([{ name: 'a b' }])).toThrow(TypeError);
    expect(() => formatExtensions([{ name: 'a', params: { 'b c': true } }])).toThrow(TypeError);
    expect(() => formatExtensions([{ name: 'a', params: { b: 'x\r\nSet-Cookie: y' } }])).toThrow(/control/);
    expect(() => formatExtensions([{ name: 'a', params: { b: null as unknown as string } }])).toThrow(TypeError);
    expect(() => formatExtensions('a' as never)).toThrow(TypeError);
  });
});

describe('negotiateExtensions', () => {
  /** A fake extension: accepts offers whose `level` is at most `max`, and echoes the level. */
  function fake(name: string, max: number, seen: Array<readonly ExtensionOfferParams[]> = []): ServerExtension {
    return {
      name,
      acceptOffer(offers) {
        seen.push(offers);
        for (const offer of offers) {
          if (Array.isArray(offer)) continue;
          const level = Number(paramOf(offer, 'level'));
          if (Number.isInteger(level) && level <= max) return { level: String(level) };
        }
        return undefined;
      },
    };
  }

  it('gives each extension all offers of its name in the client order; the first acceptable wins', () => {
    const seen: Array<readonly ExtensionOfferParams[]> = [];
    const offers = parseExtensionsHeader('x; level=9, x; level=3, x; level=1');
    const accepted = negotiateExtensions(offers, [fake('x', 5, seen)]);
    expect(seen.map((list) => list.map((p) => paramOf(p, 'level')))).toEqual([['9', '3', '1']]);
    expect(plain(accepted)).toEqual([['x', [['level', '3']]]]);
  });

  it('answers in the order the client offered, skips unknown and declined extensions', () => {
    const offers = parseExtensionsHeader('b; level=1, unknown, a; level=1, c; level=7');
    const accepted = negotiateExtensions(offers, [fake('a', 5), fake('b', 5), fake('c', 5)]);
    expect(accepted.map((e) => e.name)).toEqual(['b', 'a']);
    expect(negotiateExtensions(offers, [])).toEqual([]);
  });

  it('hands an offer that repeats a parameter over as its pair list, so the extension can decline it (RFC 7692 §7)', () => {
    const seen: Array<readonly ExtensionOfferParams[]> = [];
    const offers = parseExtensionsHeader('x; level=1; level=2, x; level=3');
    const accepted = negotiateExtensions(offers, [fake('x', 5, seen)]);
    expect(seen).toEqual([
      [
        [
          ['level', '1'],
          ['level', '2'],
        ],
        Object.assign(Object.create(null) as object, { level: '3' }),
      ],
    ]);
    // The fake declines pair lists: the second offer wins, and the handshake goes on.
    expect(plain(accepted)).toEqual([['x', [['level', '3']]]]);
  });

  it('refuses extension objects without a token name or acceptOffer', () => {
    expect(() => negotiateExtensions([], [{ name: 'a b', acceptOffer: () => undefined }])).toThrow(TypeError);
    expect(() => negotiateExtensions([], [{ name: 'a' } as never])).toThrow(TypeError);
  });
});
