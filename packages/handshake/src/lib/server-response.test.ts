import { describe, expect, it } from 'vitest';
import { buildErrorResponse, buildServerResponse, reasonPhrase } from './server-response.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

describe('buildServerResponse', () => {
  it('writes the exact 101 of RFC 6455 §1.3 for the sample key', () => {
    expect(buildServerResponse({ key: KEY })).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
    );
  });

  it('adds the subprotocol, the extensions and extra headers, in that order', () => {
    const text = buildServerResponse({
      key: KEY,
      protocol: 'chat',
      extensions: [{ name: 'permessage-deflate', params: { server_no_context_takeover: true } }],
      headers: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Id': 7, 'X-Skip': undefined },
    });
    expect(text).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n' +
        'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n' +
        'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Id: 7\r\n\r\n',
    );
  });

  it('takes extensions as a ready string and omits an empty one', () => {
    expect(buildServerResponse({ key: KEY, extensions: 'x; y=1' })).toContain('\r\nSec-WebSocket-Extensions: x; y=1\r\n');
    expect(buildServerResponse({ key: KEY, extensions: [] })).not.toContain('Extensions');
    expect(buildServerResponse({ key: KEY, extensions: '' })).not.toContain('Extensions');
  });

  it('uses an injected SHA-1', () => {
    expect(buildServerResponse({ key: KEY }, () => new Uint8Array(20))).toContain('Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n');
  });

  it('refuses header injection, reserved headers and bad subprotocols with TypeError', () => {
    expect(() => buildServerResponse({ key: KEY, headers: { 'X-A': 'v\r\nSet-Cookie: evil' } })).toThrow(/control character/);
    expect(() => buildServerResponse({ key: KEY, headers: { 'X-A': 'v\n' } })).toThrow(TypeError);
    expect(() => buildServerResponse({ key: KEY, headers: { 'X-A\r\nB': 'v' } })).toThrow(/token/);
    expect(() => buildServerResponse({ key: KEY, headers: { 'Sec-WebSocket-Accept': 'x' } })).toThrow(/cannot be overridden/);
    expect(() => buildServerResponse({ key: KEY, headers: { connection: 'close' } })).toThrow(/cannot be overridden/);
    expect(() => buildServerResponse({ key: KEY, protocol: 'a b' })).toThrow(/token/);
    expect(() => buildServerResponse({ key: KEY, protocol: 'a\r\nX: y' })).toThrow(TypeError);
    expect(() => buildServerResponse({ key: KEY, extensions: 'x\r\nY: z' })).toThrow(TypeError);
    expect(() => buildServerResponse({ key: 5 as never })).toThrow(TypeError);
    expect(() => buildServerResponse(null as never)).toThrow(TypeError);
  });
});

describe('buildErrorResponse', () => {
  it('writes a complete plain-text response with Connection: close and an exact Content-Length', () => {
    expect(buildErrorResponse(400, 'Invalid Sec-WebSocket-Key')).toBe(
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        'Content-Length: 25\r\n\r\nInvalid Sec-WebSocket-Key',
    );
  });

  it('uses the reason phrase as the body when no message is given', () => {
    expect(buildErrorResponse(403)).toBe(
      'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 9\r\n\r\nForbidden',
    );
    expect(buildErrorResponse(404)).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[\s\S]*\r\n\r\nNot Found$/);
  });

  it('counts Content-Length in UTF-8 bytes', () => {
    expect(buildErrorResponse(500, 'é€😀')).toContain('Content-Length: 9\r\n');
  });

  it('adds Sec-WebSocket-Version: 13 to a 426 and Allow: GET to a 405', () => {
    expect(buildErrorResponse(426)).toBe(
      'HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        'Content-Length: 16\r\nSec-WebSocket-Version: 13\r\n\r\nUpgrade Required',
    );
    expect(buildErrorResponse(405, 'Use GET')).toContain('\r\nAllow: GET\r\n');
    const once = buildErrorResponse(426, 'x', { 'Sec-WebSocket-Version': '13' });
    expect(once.match(/Sec-WebSocket-Version/g)).toHaveLength(1);
  });

  it('passes Retry-After and other extra headers for 429 and 503', () => {
    expect(buildErrorResponse(503, 'Shutting down', { 'Retry-After': 30 })).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        'Content-Length: 13\r\nRetry-After: 30\r\n\r\nShutting down',
    );
    expect(buildErrorResponse(429, undefined, { 'Retry-After': '5' })).toContain('HTTP/1.1 429 Too Many Requests\r\n');
  });

  it('refuses non-error statuses with RangeError and unsafe headers with TypeError', () => {
    for (const status of [101, 200, 399, 600, 400.5, Number.NaN]) expect(() => buildErrorResponse(status)).toThrow(RangeError);
    expect(() => buildErrorResponse(400, 'x', { 'Content-Length': '1' })).toThrow(TypeError);
    expect(() => buildErrorResponse(400, 'x', { Connection: 'keep-alive' })).toThrow(TypeError);
    expect(() => buildErrorResponse(400, 'x', { 'X-A': 'a\r\n\r\nsmuggled' })).toThrow(TypeError);
  });

  it('names common statuses and falls back to "Error"', () => {
    expect(reasonPhrase(431)).toBe('Request Header Fields Too Large');
    expect(reasonPhrase(499)).toBe('Error');
    expect(buildErrorResponse(499)).toMatch(/^HTTP\/1\.1 499 Error\r\n/);
  });
});
