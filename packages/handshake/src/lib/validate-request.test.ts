import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catchHandshakeError } from '../../test/catch-handshake-error.ts';
import { HandshakeError } from './errors.ts';
import { validateClientRequest } from './validate-request.ts';
import type { ClientRequestInput } from './validate-request.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const headers = (extra: Record<string, string | string[] | undefined> = {}) => ({
  host: 'server.example.com',
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': KEY,
  'sec-websocket-version': '13',
  ...extra,
});
const req = (extra: Record<string, string | string[] | undefined> = {}, rest: Partial<ClientRequestInput> = {}): ClientRequestInput => ({
  method: 'GET',
  httpVersion: '1.1',
  url: '/chat',
  headers: headers(extra),
  ...rest,
});

const failure = (input: ClientRequestInput): HandshakeError => catchHandshakeError(() => validateClientRequest(input));

describe('validateClientRequest: success', () => {
  it('accepts the RFC 6455 §1.2 sample request', () => {
    const valid = validateClientRequest(
      req({ origin: 'http://example.com', 'sec-websocket-protocol': 'chat, superchat' }),
    );
    expect(valid.key).toBe(KEY);
    expect(valid.version).toBe(13);
    expect(valid.protocols).toEqual(['chat', 'superchat']);
    expect(valid.extensions).toEqual([]);
    expect(valid.origin).toBe('http://example.com');
    expect(valid.url).toBe('/chat');
    expect(valid.headers.get('host')).toBe('server.example.com');
  });

  it('reads Upgrade and Connection case-insensitively and as lists, from raw header pairs', () => {
    const raw = ['Host', 'h', 'Upgrade', 'WebSocket', 'Connection', 'keep-alive', 'Connection', 'UPGRADE', 'Sec-WebSocket-Key', KEY, 'Sec-WebSocket-Version', '13'];
    expect(validateClientRequest({ method: 'GET', httpVersion: '1.1', url: '/', headers: raw }).key).toBe(KEY);
    expect(validateClientRequest(req({ upgrade: 'foo/1, websocket' })).version).toBe(13);
  });

  it('accepts version 8 the way ws does, reading Sec-WebSocket-Origin for it', () => {
    const valid = validateClientRequest(req({ 'sec-websocket-version': '8', 'sec-websocket-origin': 'http://old.example', origin: 'http://new.example' }));
    expect(valid.version).toBe(8);
    expect(valid.origin).toBe('http://old.example');
  });

  it('accepts HTTP/2.0-style later versions and defaults a missing url to /', () => {
    expect(validateClientRequest(req({}, { httpVersion: '2.0', url: undefined })).url).toBe('/');
    expect(validateClientRequest(req({}, { httpVersion: 'HTTP/1.1' })).key).toBe(KEY);
  });

  it('parses extension offers, repeated headers combined', () => {
    const valid = validateClientRequest(req({ 'sec-websocket-extensions': ['permessage-deflate; client_max_window_bits', 'x-foo'] }));
    expect(valid.extensions.map((e) => e.name)).toEqual(['permessage-deflate', 'x-foo']);
  });
});

describe('validateClientRequest: every failure has its code and HTTP status', () => {
  it('405 WS_ERR_INVALID_METHOD with Allow: GET for other methods', () => {
    for (const method of ['POST', 'get', 'HEAD', 'CONNECT']) {
      const err = failure(req({}, { method }));
      expect([err.code, err.status, err.headers['Allow']]).toEqual(['WS_ERR_INVALID_METHOD', 405, 'GET']);
    }
  });

  it('400 WS_ERR_INVALID_HTTP_VERSION below 1.1', () => {
    for (const httpVersion of ['1.0', '0.9', 'x', '', '1.x']) {
      const err = failure(req({}, { httpVersion }));
      expect([err.code, err.status]).toEqual(['WS_ERR_INVALID_HTTP_VERSION', 400]);
    }
  });

  it('400 WS_ERR_MISSING_HOST without a Host header, or with two', () => {
    for (const host of [undefined, '', '  ', ['a.example', 'b.example']]) {
      const err = failure(req({ host }));
      expect([err.code, err.status]).toEqual(['WS_ERR_MISSING_HOST', 400]);
    }
  });

  it('400 WS_ERR_INVALID_UPGRADE_HEADER when Upgrade does not list websocket', () => {
    for (const upgrade of [undefined, '', 'h2c', 'websockets', ['h2c', 'foo']]) {
      const err = failure(req({ upgrade }));
      expect([err.code, err.status]).toEqual(['WS_ERR_INVALID_UPGRADE_HEADER', 400]);
    }
  });

  it('400 WS_ERR_INVALID_CONNECTION_HEADER when Connection lacks upgrade', () => {
    for (const connection of [undefined, '', 'keep-alive', 'upgrade-insecure', 'keep-alive upgrade']) {
      const err = failure(req({ connection }));
      expect([err.code, err.status]).toEqual(['WS_ERR_INVALID_CONNECTION_HEADER', 400]);
    }
  });

  it('426 WS_ERR_UNSUPPORTED_VERSION with Sec-WebSocket-Version: 13 for other or missing versions', () => {
    for (const version of [undefined, '', '12', '7', '13, 8', ['13', '13'], '0x0d']) {
      const err = failure(req({ 'sec-websocket-version': version }));
      expect([err.code, err.status, err.headers['Sec-WebSocket-Version']]).toEqual(['WS_ERR_UNSUPPORTED_VERSION', 426, '13']);
    }
  });

  it('says a key was repeated when rawHeaders shows two (Node joins them into "a, b")', () => {
    const joined = req({ 'sec-websocket-key': `${KEY}, ${KEY}` });
    const rawHeaders = ['Host', 'x', 'Sec-WebSocket-Key', KEY, 'sec-websocket-key', KEY];
    const err = failure({ ...joined, rawHeaders });
    expect([err.code, err.status, err.message]).toEqual([
      'WS_ERR_INVALID_KEY',
      400,
      'The request has 2 Sec-WebSocket-Key headers; it must have exactly one.',
    ]);
    expect(failure(joined).message).toMatch(/^Invalid Sec-WebSocket-Key /);
  });

  it('400 WS_ERR_INVALID_KEY for a missing, repeated or malformed key', () => {
    const bad = [
      undefined,
      '',
      'short',
      'dGhlIHNhbXBsZSBub25jZQ',
      'dGhlIHNhbXBsZSBub25jZQ=',
      'dGhlIHNhbXBsZSBub25jZQ===',
      'AAAAAAAAAAAAAAAAAAAAAAAA',
      'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      'dGhlIHNhbXBsZSBub25j!Q==',
      [KEY, KEY],
      `${KEY}, ${KEY}`,
    ];
    for (const key of bad) {
      const err = failure(req({ 'sec-websocket-key': key }));
      expect([err.code, err.status]).toEqual(['WS_ERR_INVALID_KEY', 400]);
    }
  });

  it('400 WS_ERR_INVALID_PROTOCOL_HEADER and WS_ERR_INVALID_EXTENSION_HEADER for malformed lists', () => {
    const protocol = failure(req({ 'sec-websocket-protocol': 'chat, "super"' }));
    expect([protocol.code, protocol.status]).toEqual(['WS_ERR_INVALID_PROTOCOL_HEADER', 400]);
    const extension = failure(req({ 'sec-websocket-extensions': 'permessage-deflate; a=1 2' }));
    expect([extension.code, extension.status]).toEqual(['WS_ERR_INVALID_EXTENSION_HEADER', 400]);
  });

  // Behaviour change (issue 5): a repeated parameter is no longer a 400; the extension declines the offer (RFC 7692 §7).
  it('accepts a request whose extension offer repeats a parameter, keeping the repeat for the extension', () => {
    const valid = validateClientRequest(req({ 'sec-websocket-extensions': 'permessage-deflate; a=1; a=2' }));
    expect(valid.extensions.map((e) => [e.name, e.repeated, e.entries])).toEqual([
      ['permessage-deflate', true, [['a', '1'], ['a', '2']]],
    ]);
  });

  it('never throws anything but a HandshakeError for arbitrary header values', () => {
    const value = fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({ host: value, upgrade: value, connection: value, 'sec-websocket-key': value, 'sec-websocket-version': value, 'sec-websocket-protocol': value, 'sec-websocket-extensions': value }),
        fc.constantFrom('GET', 'POST', undefined),
        fc.constantFrom('1.1', '1.0', undefined),
        (extra, method, httpVersion) => {
          try {
            validateClientRequest({ method, httpVersion, url: '/', headers: headers(extra) });
          } catch (err) {
            expect(err).toBeInstanceOf(HandshakeError);
            expect([400, 403, 405, 426]).toContain((err as HandshakeError).status);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a request that is not an object with a TypeError', () => {
    expect(() => validateClientRequest(null as never)).toThrow(TypeError);
  });
});
