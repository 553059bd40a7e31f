import { describe, expect, it } from 'vitest';
import { catchHandshakeError } from '../../test/catch-handshake-error.ts';
import { createAcceptKey } from './accept-key.ts';
import { buildClientRequest } from './client-request.ts';
import { HandshakeError } from './errors.ts';
import type { ClientExtension } from './extensions.ts';
import { validateServerResponse } from './validate-response.ts';
import type { ServerResponse, ValidateServerResponseOptions } from './validate-response.ts';

const request = buildClientRequest('ws://example.com/', {
  random: (bytes) => bytes.fill(7),
  protocols: ['chat', 'superchat'],
  extensions: 'permessage-deflate; client_max_window_bits, x-other',
});
const accept = createAcceptKey(request.key);
const good = (extra: Record<string, string | string[]> = {}): ServerResponse => ({
  status: 101,
  headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': accept, ...extra },
});

const failure = (response: ServerResponse, options?: ValidateServerResponseOptions, req = request): HandshakeError =>
  catchHandshakeError(() => validateServerResponse(req, response, options));

describe('validateServerResponse: success', () => {
  it('accepts the minimal 101 and reports no subprotocol and no extensions', () => {
    expect(validateServerResponse(request, good())).toEqual({ protocol: undefined, extensions: [] });
  });

  it('accepts Upgrade and Connection case-insensitively, Connection as a list, any header shape', () => {
    const response = { status: 101, headers: [['Upgrade', 'WebSocket'], ['Connection', 'keep-alive, UPGRADE'], ['Sec-WebSocket-Accept', accept]] as Array<[string, string]> };
    expect(validateServerResponse(request, response).protocol).toBeUndefined();
    const fetchLike = new Map([['upgrade', 'websocket'], ['connection', 'upgrade'], ['sec-websocket-accept', accept]]);
    expect(validateServerResponse(request, { status: 101, headers: fetchLike }).extensions).toEqual([]);
  });

  it('returns the selected subprotocol and the accepted extensions', () => {
    const result = validateServerResponse(request, good({ 'sec-websocket-protocol': 'superchat', 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits=10' }));
    expect(result.protocol).toBe('superchat');
    expect(result.extensions.map((e) => [e.name, { ...e.params }])).toEqual([['permessage-deflate', { client_max_window_bits: '10' }]]);
  });

  it('hands accepted extension parameters to the client extension objects', () => {
    const received: unknown[] = [];
    const fake: ClientExtension = { name: 'x-other', acceptResponse: (params) => (received.push({ ...params }), true) };
    validateServerResponse(request, good({ 'sec-websocket-extensions': 'x-other; a=1' }), { extensions: [fake] });
    expect(received).toEqual([{ a: '1' }]);
  });

  it('uses an injected SHA-1', () => {
    let calls = 0;
    const counting = (_data: Uint8Array) => {
      calls++;
      return new Uint8Array(20);
    };
    const zeroAccept = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    expect(validateServerResponse(request, { status: 101, headers: { upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-accept': zeroAccept } }, { sha1: counting }).protocol).toBeUndefined();
    expect(calls).toBe(1);
  });
});

describe('validateServerResponse: every failure has its code, the status, the headers and 1006', () => {
  it('WS_ERR_UNEXPECTED_STATUS for anything but 101', () => {
    for (const status of [200, 302, 400, 403, 426, 500]) {
      const err = failure({ status, headers: { 'content-type': 'text/plain' } });
      expect(err.code).toBe('WS_ERR_UNEXPECTED_STATUS');
      expect(err.status).toBe(status);
      expect(err.headers['content-type']).toBe('text/plain');
      expect(err.closeCode).toBe(1006);
      expect(err.message).toContain(String(status));
    }
  });

  it('WS_ERR_INVALID_UPGRADE_HEADER when Upgrade is missing, wrong or a list', () => {
    for (const upgrade of [undefined, 'h2c', 'websocket, h2c', '']) {
      const headers: Record<string, string> = { connection: 'upgrade', 'sec-websocket-accept': accept };
      if (upgrade !== undefined) headers['upgrade'] = upgrade;
      const err = failure({ status: 101, headers });
      expect(err.code).toBe('WS_ERR_INVALID_UPGRADE_HEADER');
      expect(err.status).toBe(101);
    }
  });

  it('WS_ERR_INVALID_CONNECTION_HEADER when Connection lacks the upgrade token', () => {
    for (const connection of [undefined, 'keep-alive', 'upgraded', '']) {
      const headers: Record<string, string> = { upgrade: 'websocket', 'sec-websocket-accept': accept };
      if (connection !== undefined) headers['connection'] = connection;
      expect(failure({ status: 101, headers }).code).toBe('WS_ERR_INVALID_CONNECTION_HEADER');
    }
  });

  it('WS_ERR_INVALID_ACCEPT when the accept value is missing, repeated or wrong', () => {
    const missing = failure({ status: 101, headers: { upgrade: 'websocket', connection: 'upgrade' } });
    expect(missing.code).toBe('WS_ERR_INVALID_ACCEPT');
    expect(missing.message).toMatch(/no Sec-WebSocket-Accept/);
    expect(failure(good({ 'sec-websocket-accept': [accept, accept] })).message).toMatch(/more than one/);
    const wrong = failure(good({ 'sec-websocket-accept': createAcceptKey('dGhlIHNhbXBsZSBub25jZQ==') }));
    expect(wrong.code).toBe('WS_ERR_INVALID_ACCEPT');
    expect(wrong.message).toMatch(/does not match/);
  });

  it('WS_ERR_UNEXPECTED_SUBPROTOCOL for one not offered, several, or any when none was offered', () => {
    expect(failure(good({ 'sec-websocket-protocol': 'other' })).code).toBe('WS_ERR_UNEXPECTED_SUBPROTOCOL');
    expect(failure(good({ 'sec-websocket-protocol': 'Chat' })).code).toBe('WS_ERR_UNEXPECTED_SUBPROTOCOL');
    expect(failure(good({ 'sec-websocket-protocol': 'chat, superchat' })).message).toMatch(/more than one/);
    expect(failure(good({ 'sec-websocket-protocol': ['chat', 'chat'] })).code).toBe('WS_ERR_UNEXPECTED_SUBPROTOCOL');
    const plain = buildClientRequest('ws://x', { random: (b) => b.fill(7) });
    const err = failure(good({ 'sec-websocket-protocol': 'chat' }), undefined, plain);
    expect(err.code).toBe('WS_ERR_UNEXPECTED_SUBPROTOCOL');
    expect(err.message).toMatch(/none was offered/);
  });

  it('WS_ERR_INVALID_PROTOCOL_HEADER for a malformed subprotocol header', () => {
    expect(failure(good({ 'sec-websocket-protocol': 'a b' })).code).toBe('WS_ERR_INVALID_PROTOCOL_HEADER');
  });

  it('WS_ERR_UNEXPECTED_EXTENSION for one not offered, one repeated, or one refused by its object', () => {
    expect(failure(good({ 'sec-websocket-extensions': 'x-unknown' })).message).toMatch(/not offered/);
    const twice = failure(good({ 'sec-websocket-extensions': ['permessage-deflate', 'permessage-deflate'] }));
    expect(twice.code).toBe('WS_ERR_UNEXPECTED_EXTENSION');
    expect(twice.message).toMatch(/more than once/);
    const refusing: ClientExtension = { name: 'permessage-deflate', acceptResponse: () => false };
    const refused = failure(good({ 'sec-websocket-extensions': 'permessage-deflate; server_max_window_bits=7' }), { extensions: [refusing] });
    expect(refused.code).toBe('WS_ERR_UNEXPECTED_EXTENSION');
    expect(refused.message).toMatch(/refused/);
    const noObject = failure(good({ 'sec-websocket-extensions': 'x-other' }), { extensions: [refusing] });
    expect(noObject.code).toBe('WS_ERR_UNEXPECTED_EXTENSION');
  });

  it('WS_ERR_INVALID_EXTENSION_HEADER for a malformed extensions header', () => {
    const err = failure(good({ 'sec-websocket-extensions': 'permessage-deflate; x="' }));
    expect(err.code).toBe('WS_ERR_INVALID_EXTENSION_HEADER');
    expect(err.status).toBe(101);
    expect(err.cause).toBeInstanceOf(HandshakeError);
  });

  it('refuses a request or response that is not an object with a TypeError', () => {
    expect(() => validateServerResponse(null as never, good())).toThrow(TypeError);
    expect(() => validateServerResponse(request, null as never)).toThrow(TypeError);
  });
});
