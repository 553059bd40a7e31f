import { describe, expect, it } from 'vitest';
import { normalizeUrl } from './url.ts';

describe('normalizeUrl', () => {
  it('resolves URLs like the WHATWG constructor', () => {
    expect(normalizeUrl('/socket?x=1#frag', { location: { href: 'https://example.test/app/' } }).href).toBe('wss://example.test/socket?x=1');
    expect(normalizeUrl('http://h:8080/a').href).toBe('ws://h:8080/a');
    expect(() => normalizeUrl('mailto:a@b')).toThrow(/ws:, wss:, http: or https:/);
    expect(() => normalizeUrl('not a url')).toThrow(TypeError);
  });

  it('accepts URL objects and keeps the query', () => {
    expect(normalizeUrl(new URL('wss://h/p?token=a%20b')).href).toBe('wss://h/p?token=a%20b');
    expect(() => normalizeUrl(42)).toThrow(/string or a URL/);
  });
});
