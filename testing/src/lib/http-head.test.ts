import { describe, expect, it } from 'vitest';
import { SAMPLE_KEY, acceptKey, bodyOf, headerOf, headersOf, newKey, statusOf, upgradeRequest } from './http-head.ts';

describe('keys', () => {
  it('computes the accept value of RFC 6455 §1.3', () => {
    expect(acceptKey(SAMPLE_KEY)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('makes fresh 16-byte nonces', () => {
    const a = newKey();
    expect(Buffer.from(a, 'base64').length).toBe(16);
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newKey()).not.toBe(a);
  });
});

describe('upgradeRequest', () => {
  it('writes a valid request and appends the extra lines, repeated ones included', () => {
    expect(upgradeRequest('/chat?room=1', { Origin: 'https://a.example', 'Sec-WebSocket-Protocol': ['a', 'b'] }, 'AAAAAAAAAAAAAAAAAAAAAA==')).toBe(
      'GET /chat?room=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n' +
        'Origin: https://a.example\r\nSec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b\r\n\r\n',
    );
    expect(upgradeRequest()).toContain(`Sec-WebSocket-Key: ${SAMPLE_KEY}\r\n`);
  });
});

describe('reading a head', () => {
  const response = 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nX-A: 1\r\nx-a: 2\r\nBad line\r\n\r\nnot: a header';

  it('reads the status, the fields and the body', () => {
    expect(statusOf(response)).toBe(403);
    expect(statusOf('HTTP/1.0 200 OK\r\n\r\n')).toBe(200);
    expect(statusOf('')).toBeNaN();
    expect(headersOf(response)).toEqual({ 'content-type': 'text/plain', 'x-a': '1, 2' });
    expect(headerOf(response, 'Content-Type')).toBe('text/plain');
    expect(headerOf(response, 'not')).toBeUndefined();
    expect(bodyOf(response)).toBe('not: a header');
  });

  it('reads a request head too', () => {
    expect(headersOf(upgradeRequest('/', { 'Sec-WebSocket-Extensions': 'permessage-deflate' }))['sec-websocket-extensions']).toBe('permessage-deflate');
  });
});
