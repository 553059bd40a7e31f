/// <reference types="node" />
import type { IncomingMessage as NodeIncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { acceptClientRequest } from './accept-request.ts';
import { createAcceptKey } from './accept-key.ts';
import { buildClientRequest } from './client-request.ts';
import { HandshakeError } from './errors.ts';
import type { ClientExtension, ServerExtension } from './extensions.ts';
import { buildErrorResponse } from './server-response.ts';
import { validateServerResponse } from './validate-response.ts';

/** A fake extension on both sides: the server echoes `level` when ≤ 3; the client records it. */
const serverFake: ServerExtension = {
  name: 'x-fake',
  acceptOffer: (offers) => {
    const records = offers.filter((o): o is Readonly<Record<string, string | true>> => !Array.isArray(o));
    const ok = records.find((o) => Number(o['level']) <= 3);
    return ok === undefined ? undefined : { level: ok['level'] as string };
  },
};

/** Parse the HTTP/1.1 text the server would write into { status, headers }. */
function parseResponse(text: string): { status: number; headers: Array<[string, string]> } {
  const [head = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  return {
    status: Number(statusLine.split(' ')[1]),
    headers: lines.map((line): [string, string] => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  };
}

describe('acceptClientRequest with buildClientRequest and validateServerResponse, end to end', () => {
  it('agrees on subprotocol and extension, and the client accepts the 101', () => {
    const client = buildClientRequest('ws://example.com/feed?x=1', {
      protocols: ['v2', 'v1'],
      extensions: [{ name: 'x-fake', params: { level: 9 } }, { name: 'x-fake', params: { level: 2 } }],
      origin: 'https://app.example.com',
    });
    const accepted = acceptClientRequest(
      { method: 'GET', httpVersion: '1.1', url: client.path, headers: client.headers },
      { protocols: ['v1', 'v2'], extensions: [serverFake], origin: ['https://app.example.com'] },
    );
    expect(accepted.protocol).toBe('v2');
    expect(accepted.extensions.map((e) => [e.name, { ...e.params }])).toEqual([['x-fake', { level: '2' }]]);
    expect(accepted.request.url).toBe('/feed?x=1');
    expect(accepted.response).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${createAcceptKey(client.key)}\r\nSec-WebSocket-Protocol: v2\r\n` +
        'Sec-WebSocket-Extensions: x-fake; level=2\r\n\r\n',
    );
    const levels: unknown[] = [];
    const clientFake: ClientExtension = { name: 'x-fake', acceptResponse: (p) => (levels.push(p['level']), true) };
    const result = validateServerResponse(client, parseResponse(accepted.response), { extensions: [clientFake] });
    expect(result.protocol).toBe('v2');
    expect(levels).toEqual(['2']);
  });

  it('selects nothing when not configured', () => {
    const client = buildClientRequest('ws://x', { protocols: ['a'], extensions: 'x-fake; level=1' });
    const accepted = acceptClientRequest({ method: 'GET', headers: client.headers });
    expect([accepted.protocol, accepted.extensions]).toEqual([undefined, []]);
    expect(validateServerResponse(client, parseResponse(accepted.response))).toEqual({ protocol: undefined, extensions: [] });
  });

  it('refuses a disallowed or missing origin with 403 WS_ERR_FORBIDDEN_ORIGIN', () => {
    for (const origin of ['https://evil.example', undefined]) {
      const client = buildClientRequest('ws://x', { origin });
      let caught: unknown;
      try {
        acceptClientRequest({ method: 'GET', headers: client.headers }, { origin: ['https://app.example.com'] });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(HandshakeError);
      expect([(caught as HandshakeError).code, (caught as HandshakeError).status]).toEqual(['WS_ERR_FORBIDDEN_ORIGIN', 403]);
      expect(buildErrorResponse((caught as HandshakeError).status)).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    }
  });

  it('turns a validation failure into the right error response', () => {
    let caught: HandshakeError | undefined;
    try {
      acceptClientRequest({ method: 'GET', headers: { host: 'x', upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAAAA==', 'sec-websocket-version': '12' } });
    } catch (err) {
      caught = err as HandshakeError;
    }
    expect(caught?.code).toBe('WS_ERR_UNSUPPORTED_VERSION');
    const text = buildErrorResponse(caught?.status ?? 0, caught?.message, caught?.headers);
    expect(text).toMatch(/^HTTP\/1\.1 426 Upgrade Required\r\n/);
    expect(text.match(/Sec-WebSocket-Version: 13\r\n/g)).toHaveLength(1);
  });
});

describe('Node types fit without casts', () => {
  it('takes an http.IncomingMessage as the request (a compile-time check, exercised once)', async () => {
    const { IncomingMessage } = await import('node:http');
    const { Socket } = await import('node:net');
    const message = new IncomingMessage(new Socket());
    message.method = 'GET';
    message.httpVersion = '1.1';
    message.url = '/';
    message.headers = { host: 'x', upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAAAA==', 'sec-websocket-version': '13' };
    const incoming: NodeIncomingMessage = message;
    expect(acceptClientRequest(incoming).response).toContain('Sec-WebSocket-Accept: ICX+Yqv66kxgM0FcWaLWlFLwTAI=\r\n');
  });
});
