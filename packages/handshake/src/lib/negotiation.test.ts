import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from './origin.ts';
import { negotiateSubprotocol } from './subprotocol.ts';

describe('negotiateSubprotocol', () => {
  it('picks the first offer, in the client order, that the server supports', () => {
    expect(negotiateSubprotocol(['b', 'a'], ['a', 'b'])).toBe('b');
    expect(negotiateSubprotocol(['x', 'a'], ['a', 'b'])).toBe('a');
    expect(negotiateSubprotocol(['x'], ['a'])).toBeUndefined();
    expect(negotiateSubprotocol([], ['a'])).toBeUndefined();
    expect(negotiateSubprotocol(['A'], ['a'])).toBeUndefined();
  });

  it('uses a selector, which may select none', () => {
    expect(negotiateSubprotocol(['a', 'b'], (offered) => offered[1])).toBe('b');
    expect(negotiateSubprotocol(['a'], () => false)).toBeUndefined();
    expect(negotiateSubprotocol(['a'], () => undefined)).toBeUndefined();
  });

  it('refuses a selector answer that was not offered, and bad arguments, with TypeError', () => {
    expect(() => negotiateSubprotocol(['a'], () => 'b')).toThrow(/offered/);
    expect(() => negotiateSubprotocol(['a'], () => 1 as never)).toThrow(TypeError);
    expect(() => negotiateSubprotocol(['a'], 'a' as never)).toThrow(TypeError);
  });
});

describe('isOriginAllowed', () => {
  const list = ['https://app.example.com', 'http://localhost:8080/', 'null'];

  it('admits listed origins, comparing scheme and host case-insensitively', () => {
    expect(isOriginAllowed('https://app.example.com', list)).toBe(true);
    expect(isOriginAllowed('HTTPS://App.Example.COM', list)).toBe(true);
    expect(isOriginAllowed('http://localhost:8080', list)).toBe(true);
    expect(isOriginAllowed('null', list)).toBe(true);
  });

  it('refuses other schemes, ports, subdomains, prefixes and a missing origin', () => {
    for (const origin of ['http://app.example.com', 'https://app.example.com:444', 'https://evil.app.example.com', 'https://app.example.com.evil', 'http://localhost', '', undefined]) {
      expect(isOriginAllowed(origin, list)).toBe(false);
    }
    expect(isOriginAllowed('https://a', [])).toBe(false);
  });

  it('asks a callback, which admits only with true', () => {
    const seen: Array<string | undefined> = [];
    const policy = (origin: string | undefined) => (seen.push(origin), origin === undefined);
    expect(isOriginAllowed(undefined, policy)).toBe(true);
    expect(isOriginAllowed('https://a', policy)).toBe(false);
    expect(seen).toEqual([undefined, 'https://a']);
    expect(isOriginAllowed('x', () => 1 as unknown as boolean)).toBe(false);
    expect(() => isOriginAllowed('x', 'https://a' as never)).toThrow(TypeError);
  });
});
