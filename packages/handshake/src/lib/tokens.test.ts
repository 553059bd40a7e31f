import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catchHandshakeError } from '../../test/catch-handshake-error.ts';
import { HandshakeError } from './errors.ts';
import { isToken, listHasToken, parseProtocolHeader, splitHeaderList } from './tokens.ts';

describe('isToken', () => {
  it('accepts RFC 7230 tchars only', () => {
    expect(isToken("chat.v2!#$%&'*+-^_`|~09AZaz")).toBe(true);
    for (const bad of ['', 'a b', 'a,b', 'a;b', 'a"b', 'a/b', 'a=b', 'é', 'a\tb', 'a\r\n', '(x)', '[x]', '{x}', 'a:b', 'a@b']) {
      expect(isToken(bad)).toBe(false);
    }
    expect(isToken(undefined as unknown as string)).toBe(false);
  });
});

describe('splitHeaderList and listHasToken', () => {
  it('splits on commas, trims OWS, drops empty elements, combines repeated fields', () => {
    expect(splitHeaderList(' keep-alive ,\tUpgrade,, ')).toEqual(['keep-alive', 'Upgrade']);
    expect(splitHeaderList(['a', 'b, c'])).toEqual(['a', 'b', 'c']);
    expect(splitHeaderList(undefined)).toEqual([]);
    expect(splitHeaderList(',,, ,')).toEqual([]);
  });

  it('finds tokens case-insensitively, never as substrings', () => {
    expect(listHasToken('keep-alive, UPGRADE', 'upgrade')).toBe(true);
    expect(listHasToken('upgraded', 'upgrade')).toBe(false);
    expect(listHasToken('keep-alive upgrade', 'upgrade')).toBe(false);
    expect(listHasToken(undefined, 'upgrade')).toBe(false);
  });
});

describe('parseProtocolHeader', () => {
  it('parses a comma list of tokens, repeated fields combined, OWS and empty elements skipped', () => {
    expect(parseProtocolHeader('chat, superchat')).toEqual(['chat', 'superchat']);
    expect(parseProtocolHeader(['chat', ' v2.json ,, mqtt'])).toEqual(['chat', 'v2.json', 'mqtt']);
    expect(parseProtocolHeader('')).toEqual([]);
    expect(parseProtocolHeader(undefined)).toEqual([]);
    expect(parseProtocolHeader('__proto__, constructor')).toEqual(['__proto__', 'constructor']);
  });

  it('refuses non-token elements with WS_ERR_INVALID_PROTOCOL_HEADER (400)', () => {
    for (const bad of ['chat superchat', 'a/b', '"chat"', 'chat;q=1', 'é']) {
      const err = catchHandshakeError(() => parseProtocolHeader(bad));
      expect([err.code, err.status]).toEqual(['WS_ERR_INVALID_PROTOCOL_HEADER', 400]);
    }
  });

  it('only ever throws the typed error, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 })), (value) => {
        try {
          const list = parseProtocolHeader(value);
          for (const item of list) expect(isToken(item)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(HandshakeError);
          expect((err as HandshakeError).code).toBe('WS_ERR_INVALID_PROTOCOL_HEADER');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('handles 64 KiB of commas and spaces in one pass, returning []', () => {
    expect(parseProtocolHeader(', '.repeat(32 * 1024))).toEqual([]);
    const many = Array.from({ length: 8000 }, (_, i) => `p${i}`).join(',');
    expect(parseProtocolHeader(many)).toHaveLength(8000);
  });
});
