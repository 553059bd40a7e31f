/// <reference types="node" />
import { describe, expect, it } from 'vitest';
import { buildClientRequest, formatClientRequest } from './client-request.ts';

const zeros = (bytes: Uint8Array): Uint8Array => bytes.fill(0);
const ZERO_KEY = 'AAAAAAAAAAAAAAAAAAAAAA==';

describe('buildClientRequest: URL to request line, Host and port', () => {
  const cases: Array<[string, { url: string; path: string; host: string; port: number; secure: boolean; hostHeader: string }]> = [
    ['ws://example.com', { url: 'ws://example.com/', path: '/', host: 'example.com', port: 80, secure: false, hostHeader: 'example.com' }],
    ['ws://example.com:80/chat', { url: 'ws://example.com/chat', path: '/chat', host: 'example.com', port: 80, secure: false, hostHeader: 'example.com' }],
    ['wss://example.com:443/', { url: 'wss://example.com/', path: '/', host: 'example.com', port: 443, secure: true, hostHeader: 'example.com' }],
    ['wss://example.com:8443/a?b=1&c', { url: 'wss://example.com:8443/a?b=1&c', path: '/a?b=1&c', host: 'example.com', port: 8443, secure: true, hostHeader: 'example.com:8443' }],
    ['ws://example.com:443', { url: 'ws://example.com:443/', path: '/', host: 'example.com', port: 443, secure: false, hostHeader: 'example.com:443' }],
    ['http://Example.COM/x', { url: 'ws://example.com/x', path: '/x', host: 'example.com', port: 80, secure: false, hostHeader: 'example.com' }],
    ['https://example.com:443/x?', { url: 'wss://example.com/x?', path: '/x', host: 'example.com', port: 443, secure: true, hostHeader: 'example.com' }],
    ['ws://[::1]:8080/p?q', { url: 'ws://[::1]:8080/p?q', path: '/p?q', host: '::1', port: 8080, secure: false, hostHeader: '[::1]:8080' }],
    ['wss://[2001:db8::1]', { url: 'wss://[2001:db8::1]/', path: '/', host: '2001:db8::1', port: 443, secure: true, hostHeader: '[2001:db8::1]' }],
    ['ws://127.0.0.1:9000?x=1', { url: 'ws://127.0.0.1:9000/?x=1', path: '/?x=1', host: '127.0.0.1', port: 9000, secure: false, hostHeader: '127.0.0.1:9000' }],
  ];
  for (const [input, expected] of cases) {
    it(`handles ${input}`, () => {
      const request = buildClientRequest(input, { random: zeros });
      expect({
        url: request.url,
        path: request.path,
        host: request.host,
        port: request.port,
        secure: request.secure,
        hostHeader: request.headers['Host'],
      }).toEqual(expected);
      expect(request.method).toBe('GET');
    });
  }

  it('accepts a URL object', () => {
    expect(buildClientRequest(new URL('ws://a.example/z'), { random: zeros }).path).toBe('/z');
  });

  it('refuses other schemes, fragments and non-URLs with SyntaxError naming the allowed schemes', () => {
    expect(() => buildClientRequest('ftp://example.com')).toThrow(SyntaxError);
    expect(() => buildClientRequest('ftp://example.com')).toThrow(/ws:, wss:, http: or https:/);
    expect(() => buildClientRequest('file:///tmp/x')).toThrow(SyntaxError);
    expect(() => buildClientRequest('ws://example.com/#frag')).toThrow(/fragment/);
    expect(() => buildClientRequest('ws://example.com/#')).toThrow(/fragment/);
    expect(() => buildClientRequest('/relative')).toThrow(SyntaxError);
    expect(() => buildClientRequest('not a url')).toThrow(SyntaxError);
    expect(() => buildClientRequest(42 as never)).toThrow(TypeError);
  });
});

describe('buildClientRequest: headers', () => {
  it('writes the exact handshake headers, in order', () => {
    const request = buildClientRequest('ws://example.com/chat', { random: zeros });
    expect(request.key).toBe(ZERO_KEY);
    expect(Object.entries(request.headers)).toEqual([
      ['Host', 'example.com'],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', ZERO_KEY],
      ['Sec-WebSocket-Version', '13'],
    ]);
    expect(request.protocols).toEqual([]);
    expect(request.extensions).toEqual([]);
    expect(formatClientRequest(request)).toBe(
      'GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${ZERO_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });

  it('takes the key from the injected random source, and a fresh one by default', () => {
    const fixed = buildClientRequest('ws://x', { random: (b) => b.fill(0xff) });
    expect(fixed.key).toBe('/////////////////////w==');
    expect(fixed.headers['Sec-WebSocket-Key']).toBe(fixed.key);
    expect(buildClientRequest('ws://x').key).not.toBe(buildClientRequest('ws://x').key);
  });

  it('adds Origin, subprotocols and extension offers', () => {
    const request = buildClientRequest('wss://example.com', {
      random: zeros,
      origin: 'https://app.example.com',
      protocols: ['chat.v2', 'chat'],
      extensions: [{ name: 'permessage-deflate', params: { client_max_window_bits: true } }],
    });
    expect(request.headers['Origin']).toBe('https://app.example.com');
    expect(request.headers['Sec-WebSocket-Protocol']).toBe('chat.v2, chat');
    expect(request.headers['Sec-WebSocket-Extensions']).toBe('permessage-deflate; client_max_window_bits');
    expect(request.protocols).toEqual(['chat.v2', 'chat']);
    expect(request.extensions.map((e) => e.name)).toEqual(['permessage-deflate']);
    const single = buildClientRequest('ws://x', { protocols: 'mqtt', extensions: 'a; b=1, c', random: zeros });
    expect(single.headers['Sec-WebSocket-Protocol']).toBe('mqtt');
    expect(single.headers['Sec-WebSocket-Extensions']).toBe('a; b=1, c');
    expect(single.extensions.map((e) => e.name)).toEqual(['a', 'c']);
  });

  it('refuses bad or repeated subprotocols with SyntaxError, as the WHATWG constructor does', () => {
    expect(() => buildClientRequest('ws://x', { protocols: ['chat', 'chat'] })).toThrow(SyntaxError);
    expect(() => buildClientRequest('ws://x', { protocols: ['chat', 'chat'] })).toThrow(/more than once/);
    expect(() => buildClientRequest('ws://x', { protocols: ['a b'] })).toThrow(/token/);
    expect(() => buildClientRequest('ws://x', { protocols: [''] })).toThrow(SyntaxError);
    expect(() => buildClientRequest('ws://x', { protocols: ['a,b'] })).toThrow(SyntaxError);
    expect(() => buildClientRequest('ws://x', { protocols: [1 as unknown as string] })).toThrow(SyntaxError);
  });

  it('refuses a malformed extensions string with a TypeError', () => {
    expect(() => buildClientRequest('ws://x', { extensions: 'a; b="' })).toThrow(TypeError);
    expect(() => buildClientRequest('ws://x', { extensions: 'a\r\nX: y' })).toThrow(TypeError);
  });

  it('turns URL userinfo into Authorization: Basic, percent-decoded', () => {
    const request = buildClientRequest('wss://us%40er:p%40ss:word@example.com/', { random: zeros });
    expect(request.headers['Authorization']).toBe(`Basic ${Buffer.from('us@er:p@ss:word').toString('base64')}`);
    expect(request.headers['Host']).toBe('example.com');
    expect(request.url).toBe('wss://us%40er:p%40ss%3Aword@example.com/');
    const unicode = buildClientRequest('ws://%C3%A9t%C3%A9:%E2%82%AC@x/', { random: zeros });
    expect(unicode.headers['Authorization']).toBe(`Basic ${Buffer.from('été:€').toString('base64')}`);
    const userOnly = buildClientRequest('ws://user@x/', { random: zeros });
    expect(userOnly.headers['Authorization']).toBe(`Basic ${Buffer.from('user:').toString('base64')}`);
    expect(buildClientRequest('ws://x/', { random: zeros }).headers['Authorization']).toBeUndefined();
  });

  it('adds extra headers; Host, Origin and Authorization given there replace the computed ones', () => {
    const request = buildClientRequest('ws://u:p@x/', {
      random: zeros,
      origin: 'https://a',
      headers: { 'X-Trace': 'abc', host: 'virtual.example', ORIGIN: 'https://b', authorization: 'Bearer t', 'X-List': ['1', '2'], 'X-Skip': undefined },
    });
    expect(request.headers['host']).toBe('virtual.example');
    expect(request.headers['Host']).toBeUndefined();
    expect(request.headers['ORIGIN']).toBe('https://b');
    expect(request.headers['Origin']).toBeUndefined();
    expect(request.headers['authorization']).toBe('Bearer t');
    expect(request.headers['Authorization']).toBeUndefined();
    expect(request.headers['X-Trace']).toBe('abc');
    expect(request.headers['X-List']).toBe('1, 2');
    expect('X-Skip' in request.headers).toBe(false);
  });

  it('refuses extra headers that would override the handshake or inject lines', () => {
    for (const name of ['Upgrade', 'connection', 'Sec-WebSocket-Key', 'sec-websocket-version', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions']) {
      expect(() => buildClientRequest('ws://x', { headers: { [name]: 'v' } })).toThrow(/belongs to the handshake/);
    }
    expect(() => buildClientRequest('ws://x', { headers: { 'X-A': 'v\r\nX-B: w' } })).toThrow(TypeError);
    expect(() => buildClientRequest('ws://x', { headers: { 'X A': 'v' } })).toThrow(/token/);
    expect(() => buildClientRequest('ws://x', { origin: 'a\nb' })).toThrow(TypeError);
    expect(() => buildClientRequest('ws://x', { headers: 'x' as never })).toThrow(TypeError);
  });

  it('keeps a header named __proto__ as a plain entry', () => {
    const request = buildClientRequest('ws://x', { random: zeros, headers: JSON.parse('{"__proto__":"v"}') as Record<string, string> });
    expect(Object.getPrototypeOf(request.headers)).toBeNull();
    expect(request.headers['__proto__']).toBe('v');
    expect(formatClientRequest(request)).toContain('\r\n__proto__: v\r\n');
  });
});
