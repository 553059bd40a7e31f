import { describe, expect, it } from 'vitest';
import { normalizeUrl } from './url.ts';

const syntaxError = expect.objectContaining({ name: 'SyntaxError' });

describe('normalizeUrl', () => {
  it('resolves URLs like the WHATWG constructor', () => {
    expect(normalizeUrl('/socket?x=1', { location: { href: 'https://example.test/app/' } }).href).toBe('wss://example.test/socket?x=1');
    expect(normalizeUrl('http://h:8080/a').href).toBe('ws://h:8080/a');
    expect(normalizeUrl('HTTPS://H/').href).toBe('wss://h/');
  });

  it('throws a SyntaxError DOMException for another scheme, a URL that does not parse, or a fragment', () => {
    expect(() => normalizeUrl('mailto:a@b')).toThrow(/ws:, wss:, http: or https:/);
    expect(() => normalizeUrl('mailto:a@b')).toThrow(syntaxError);
    expect(() => normalizeUrl('not a url')).toThrow(syntaxError);
    expect(() => normalizeUrl('wss://h/p#frag')).toThrow(syntaxError);
    expect(() => normalizeUrl('wss://h/p#')).toThrow(/fragment/);
    expect(() => normalizeUrl('/s#x', { location: { href: 'https://example.test/' } })).toThrow(syntaxError);
    expect(normalizeUrl('wss://h/p?a=%23').href).toBe('wss://h/p?a=%23');
  });

  it('accepts URL objects and keeps the query', () => {
    expect(normalizeUrl(new URL('wss://h/p?token=a%20b')).href).toBe('wss://h/p?token=a%20b');
    expect(() => normalizeUrl(new URL('wss://h/#x'))).toThrow(syntaxError);
    expect(() => normalizeUrl(42)).toThrow(/string or a URL/);
    expect(() => normalizeUrl(42)).toThrow(TypeError);
  });
});
