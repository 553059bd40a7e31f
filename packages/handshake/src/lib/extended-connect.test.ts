import { describe, expect, it } from 'vitest';
import { catchHandshakeError } from '../../test/catch-handshake-error.ts';
import {
  acceptExtendedConnect,
  buildExtendedConnectRefusal,
  buildExtendedConnectRequest,
  buildExtendedConnectResponse,
  validateExtendedConnect,
  validateExtendedConnectResponse,
} from './extended-connect.ts';
import type { ClientExtension, ServerExtension } from './extensions.ts';

/** RFC 8441 §5.1's example request. */
const example = (extra: Record<string, string | undefined> = {}): Record<string, string> => {
  const out: Record<string, string> = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'https',
    ':path': '/chat',
    ':authority': 'server.example.com',
    'sec-websocket-protocol': 'chat, superchat',
    'sec-websocket-version': '13',
    origin: 'http://www.example.com',
  };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
};

const serverFake: ServerExtension = {
  name: 'x-fake',
  acceptOffer: (offers) => {
    const first = offers[0];
    return first === undefined || Array.isArray(first) ? undefined : { level: String((first as Record<string, string>)['level']) };
  },
};

describe('buildExtendedConnectRequest', () => {
  it('builds exactly the RFC 8441 §5.1 header set for a wss URL', () => {
    const request = buildExtendedConnectRequest('wss://server.example.com/chat', { protocols: ['chat', 'superchat'], origin: 'http://www.example.com' });
    expect(Object.entries(request.headers)).toEqual([
      [':method', 'CONNECT'],
      [':protocol', 'websocket'],
      [':scheme', 'https'],
      [':authority', 'server.example.com'],
      [':path', '/chat'],
      ['sec-websocket-version', '13'],
      ['origin', 'http://www.example.com'],
      ['sec-websocket-protocol', 'chat, superchat'],
    ]);
    expect(request).toMatchObject({ url: 'wss://server.example.com/chat', host: 'server.example.com', port: 443, secure: true, protocols: ['chat', 'superchat'] });
  });

  it('uses :scheme http for ws, keeps the port and query, brackets IPv6, lower-cases extra headers', () => {
    const request = buildExtendedConnectRequest('ws://[::1]:8080/a?b=c', {
      extensions: 'permessage-deflate; client_max_window_bits',
      headers: { 'X-Token': 'abc' },
    });
    expect(Object.entries(request.headers)).toEqual([
      [':method', 'CONNECT'],
      [':protocol', 'websocket'],
      [':scheme', 'http'],
      [':authority', '[::1]:8080'],
      [':path', '/a?b=c'],
      ['sec-websocket-version', '13'],
      ['sec-websocket-extensions', 'permessage-deflate; client_max_window_bits'],
      ['x-token', 'abc'],
    ]);
    expect(request.host).toBe('::1');
    expect(request.extensions).toMatchObject([{ name: 'permessage-deflate', params: { client_max_window_bits: true } }]);
  });

  it('takes :authority from a Host header given, sends userinfo as authorization, no key', () => {
    const request = buildExtendedConnectRequest('wss://u:p@example.com/', { headers: { Host: 'virtual.example' } });
    expect(request.headers[':authority']).toBe('virtual.example');
    expect(request.headers['authorization']).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(Object.keys(request.headers)).not.toContain('sec-websocket-key');
    expect(Object.keys(request.headers)).not.toContain('host');
  });

  it('refuses connection-specific headers (RFC 9113 §8.2.2) and what buildClientRequest refuses', () => {
    expect(() => buildExtendedConnectRequest('wss://a/', { headers: { 'Keep-Alive': '5' } })).toThrow(/connection-specific/);
    expect(() => buildExtendedConnectRequest('wss://a/', { headers: { 'Transfer-Encoding': 'chunked' } })).toThrow(TypeError);
    expect(() => buildExtendedConnectRequest('wss://a/', { headers: { 'Sec-WebSocket-Key': 'x' } })).toThrow(TypeError);
    expect(() => buildExtendedConnectRequest('ftp://a/')).toThrow(SyntaxError);
    expect(() => buildExtendedConnectRequest('wss://a/', { protocols: ['a b'] })).toThrow(SyntaxError);
  });
});

describe('validateExtendedConnect', () => {
  it('accepts the RFC 8441 §5.1 example', () => {
    const valid = validateExtendedConnect(example());
    expect(valid).toMatchObject({
      version: 13,
      protocols: ['chat', 'superchat'],
      extensions: [],
      origin: 'http://www.example.com',
      url: '/chat',
      authority: 'server.example.com',
      scheme: 'https',
    });
  });

  it('ignores a sec-websocket-key (RFC 8441 §5) and accepts :scheme http', () => {
    expect(validateExtendedConnect(example({ 'sec-websocket-key': 'not base64', ':scheme': 'http' })).scheme).toBe('http');
  });

  const cases: Array<[string, Record<string, string | undefined>, number, string, Record<string, string>?]> = [
    ['a GET', { ':method': 'GET' }, 405, 'WS_ERR_INVALID_METHOD', { allow: 'CONNECT' }],
    ['a plain CONNECT (no :protocol)', { ':protocol': undefined }, 400, 'WS_ERR_INVALID_PSEUDO_HEADER'],
    ['another :protocol', { ':protocol': 'connect-udp' }, 501, 'WS_ERR_UNSUPPORTED_CONNECT_PROTOCOL'],
    ['a missing :scheme', { ':scheme': undefined }, 400, 'WS_ERR_INVALID_PSEUDO_HEADER'],
    ['a :scheme of wss', { ':scheme': 'wss' }, 400, 'WS_ERR_INVALID_PSEUDO_HEADER'],
    ['a missing :path', { ':path': undefined }, 400, 'WS_ERR_INVALID_PSEUDO_HEADER'],
    ['an empty :path', { ':path': '' }, 400, 'WS_ERR_INVALID_PSEUDO_HEADER'],
    ['a missing :authority', { ':authority': undefined }, 400, 'WS_ERR_INVALID_PSEUDO_HEADER'],
    ['no version', { 'sec-websocket-version': undefined }, 400, 'WS_ERR_UNSUPPORTED_VERSION', { 'sec-websocket-version': '13' }],
    ['version 8', { 'sec-websocket-version': '8' }, 400, 'WS_ERR_UNSUPPORTED_VERSION', { 'sec-websocket-version': '13' }],
    ['a malformed subprotocol list', { 'sec-websocket-protocol': 'a b' }, 400, 'WS_ERR_INVALID_PROTOCOL_HEADER'],
    ['a malformed extension list', { 'sec-websocket-extensions': ';x' }, 400, 'WS_ERR_INVALID_EXTENSION_HEADER'],
  ];
  for (const [what, change, status, code, headers] of cases) {
    it(`refuses ${what} with ${status} ${code}`, () => {
      const err = catchHandshakeError(() => validateExtendedConnect(example(change)));
      expect(err.code).toBe(code);
      expect(err.status).toBe(status);
      expect({ ...err.headers }).toEqual(headers ?? {});
    });
  }

  it('refuses a repeated pseudo-header', () => {
    const err = catchHandshakeError(() => validateExtendedConnect([...Object.entries(example()), [':path', '/other']] as Array<[string, string]>));
    expect(err.code).toBe('WS_ERR_INVALID_PSEUDO_HEADER');
    expect(err.status).toBe(400);
  });

  it('throws a TypeError for no headers', () => {
    expect(() => validateExtendedConnect(null as never)).toThrow(TypeError);
  });
});

describe('acceptExtendedConnect', () => {
  it('negotiates subprotocol and extension and answers 200 with exactly those headers', () => {
    const accepted = acceptExtendedConnect(example({ 'sec-websocket-extensions': 'x-fake; level=2' }), {
      protocols: ['superchat'],
      extensions: [serverFake],
      headers: { 'X-Served-By': 'h2' },
    });
    expect(accepted.protocol).toBe('superchat');
    expect(accepted.extensions).toMatchObject([{ name: 'x-fake', params: { level: '2' } }]);
    expect(Object.entries(accepted.response)).toEqual([
      [':status', 200],
      ['sec-websocket-protocol', 'superchat'],
      ['sec-websocket-extensions', 'x-fake; level=2'],
      ['x-served-by', 'h2'],
    ]);
  });

  it('hands the request option to the callbacks, and refuses an origin with 403', () => {
    const marker = { id: 7 };
    const seen: unknown[] = [];
    const accepted = acceptExtendedConnect(example(), {
      request: marker,
      handleProtocols: (offered, request) => {
        seen.push(request);
        return [...offered][1];
      },
      origin: (origin, request) => {
        seen.push(request);
        return origin === 'http://www.example.com';
      },
    });
    expect(accepted.protocol).toBe('superchat');
    expect(seen).toEqual([marker, marker]);
    const err = catchHandshakeError(() => acceptExtendedConnect(example(), { origin: ['https://other.example'] }));
    expect(err.code).toBe('WS_ERR_FORBIDDEN_ORIGIN');
    expect(err.status).toBe(403);
  });

  it('answers 200 with no extra header when nothing was negotiated', () => {
    expect(Object.entries(acceptExtendedConnect(example({ 'sec-websocket-protocol': undefined })).response)).toEqual([[':status', 200]]);
  });

  it('refuses unknown options and protocols with handleProtocols', () => {
    expect(() => acceptExtendedConnect(example(), { sha1: 1 } as never)).toThrow(/unknown option "sha1"/);
    expect(() => acceptExtendedConnect(example(), { protocols: ['a'], handleProtocols: () => false })).toThrow(TypeError);
  });
});

describe('buildExtendedConnectResponse and buildExtendedConnectRefusal', () => {
  it('refuses reserved, pseudo and connection-specific extra headers', () => {
    expect(() => buildExtendedConnectResponse({ headers: { 'Sec-WebSocket-Protocol': 'x' } })).toThrow(/cannot be overridden/);
    expect(() => buildExtendedConnectResponse({ headers: { ':status': '101' } })).toThrow(TypeError);
    expect(() => buildExtendedConnectResponse({ headers: { Connection: 'close' } })).toThrow(/connection-specific/);
    expect(() => buildExtendedConnectResponse({ headers: { 'x-a': 'b\r\nc: d' } })).toThrow(/control character/);
    expect(() => buildExtendedConnectResponse({ protocol: 'a b' })).toThrow(TypeError);
  });

  it('writes the refusal headers with the body length in bytes', () => {
    expect(Object.entries(buildExtendedConnectRefusal(503, 'Ütf', { 'Retry-After': 5 }))).toEqual([
      [':status', 503],
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', 4],
      ['retry-after', '5'],
    ]);
    expect(() => buildExtendedConnectRefusal(200, '')).toThrow(RangeError);
  });
});

describe('validateExtendedConnectResponse', () => {
  const request = buildExtendedConnectRequest('wss://example.com/', { protocols: ['a', 'b'], extensions: 'x-fake; level=2' });
  const clientFake: ClientExtension = { name: 'x-fake', acceptResponse: (params) => params['level'] === '2' };

  it('accepts a 200 with an offered subprotocol and extension', () => {
    const result = validateExtendedConnectResponse(
      request,
      { status: 200, headers: { 'sec-websocket-protocol': 'b', 'sec-websocket-extensions': 'x-fake; level=2' } },
      { extensions: [clientFake] },
    );
    expect(result).toMatchObject({ protocol: 'b', extensions: [{ name: 'x-fake', params: { level: '2' } }] });
    expect(result.extensions).toHaveLength(1);
  });

  const failures: Array<[string, number, Record<string, string>, string]> = [
    ['a 404', 404, {}, 'WS_ERR_UNEXPECTED_STATUS'],
    ['a 101 (HTTP/2 has none, RFC 9113 §8.6)', 101, {}, 'WS_ERR_UNEXPECTED_STATUS'],
    ['a subprotocol not offered', 200, { 'sec-websocket-protocol': 'c' }, 'WS_ERR_UNEXPECTED_SUBPROTOCOL'],
    ['two subprotocols', 200, { 'sec-websocket-protocol': 'a, b' }, 'WS_ERR_UNEXPECTED_SUBPROTOCOL'],
    ['an extension not offered', 200, { 'sec-websocket-extensions': 'x-other' }, 'WS_ERR_UNEXPECTED_EXTENSION'],
    ['parameters the client refuses', 200, { 'sec-websocket-extensions': 'x-fake; level=9' }, 'WS_ERR_UNEXPECTED_EXTENSION'],
  ];
  for (const [what, status, headers, code] of failures) {
    it(`fails on ${what} with ${code} and close code 1006`, () => {
      const err = catchHandshakeError(() => validateExtendedConnectResponse(request, { status, headers }, { extensions: [clientFake] }));
      expect(err.code).toBe(code);
      expect(err.status).toBe(status);
      expect(err.closeCode).toBe(1006);
    });
  }
});
