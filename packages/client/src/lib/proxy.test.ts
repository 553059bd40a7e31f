import { describe, expect, it } from 'vitest';
import { isNoProxy, resolveProxy } from './proxy.ts';

describe('isNoProxy', () => {
  it('matches hosts, subdomains, ports, wildcards and IP literals', () => {
    expect(isNoProxy('example.com', 443, 'example.com')).toBe(true);
    expect(isNoProxy('api.example.com', 443, '.example.com')).toBe(true);
    expect(isNoProxy('api.example.com', 443, '*.example.com')).toBe(true);
    expect(isNoProxy('notexample.com', 443, 'example.com')).toBe(false);
    expect(isNoProxy('example.com', 8080, 'example.com:8080')).toBe(true);
    expect(isNoProxy('example.com', 443, 'example.com:8080')).toBe(false);
    expect(isNoProxy('anything', 1, 'a.b, *')).toBe(true);
    expect(isNoProxy('127.0.0.1', 80, 'localhost 127.0.0.1')).toBe(true);
    expect(isNoProxy('::1', 80, '[::1]')).toBe(true);
    expect(isNoProxy('::1', 80, '::1')).toBe(true);
    expect(isNoProxy('::1', 81, '[::1]:80')).toBe(false);
    expect(isNoProxy('EXAMPLE.com', 80, 'example.COM')).toBe(true);
    expect(isNoProxy('example.com', 80, undefined)).toBe(false);
    expect(isNoProxy('example.com', 80, ' , ')).toBe(false);
  });
});

describe('resolveProxy', () => {
  const target = { host: 'ws.example.com', port: 443, secure: true };

  it('uses an explicit proxy URL as given, and reads "host:port" as http', () => {
    expect(resolveProxy('http://proxy:3128', target)?.href).toBe('http://proxy:3128/');
    expect(resolveProxy('proxy:8080', target)?.href).toBe('http://proxy:8080/');
    expect(resolveProxy(undefined, target)).toBeUndefined();
  });

  it('reads the environment only when asked, lower case first, HTTPS_PROXY for wss and HTTP_PROXY for ws', () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'http://plain:3' };
    expect(resolveProxy('env', target, env)?.host).toBe('lower:2');
    expect(resolveProxy('env', { ...target, secure: false, port: 80 }, env)?.host).toBe('plain:3');
    expect(resolveProxy('env', target, { HTTP_PROXY: 'http://fallback:4' })?.host).toBe('fallback:4');
    expect(resolveProxy('env', { ...target, secure: false }, { HTTPS_PROXY: 'http://only-tls:5' })).toBeUndefined();
    expect(resolveProxy('env', target, { ...env, NO_PROXY: 'example.com' })).toBeUndefined();
    expect(resolveProxy('env', target, {})).toBeUndefined();
  });

  it('refuses proxy URLs that are not http: or https:', () => {
    expect(() => resolveProxy('socks5://proxy:1080', target)).toThrow(/http: or https:/);
    expect(() => resolveProxy('http://', target)).toThrow(TypeError);
  });
});
