/// <reference types="node" />
import type { IncomingMessage as NodeIncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { acceptClientRequest, admitClientRequest } from './accept-request.ts';
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

describe('acceptClientRequest: what a Node server needs', () => {
  /** A request as Node hands it over, with something of its own the callbacks can see. */
  function nodeLike(headers: Record<string, string>) {
    const client = buildClientRequest('ws://x/room?id=7', { protocols: ['b', 'a'], origin: 'https://app.example' });
    return { method: 'GET', httpVersion: '1.1', url: client.path, headers: { ...client.headers, ...headers }, socketId: 42 };
  }

  it('handleProtocols gets the offers as a Set in the client\'s order and the request itself', () => {
    const request = nodeLike({});
    const seen: Array<[string[], number]> = [];
    const accepted = acceptClientRequest(request, {
      handleProtocols: (offered, req) => {
        seen.push([[...offered], req.socketId]);
        return offered.has('a') ? 'a' : false;
      },
    });
    expect(seen).toEqual([[['b', 'a'], 42]]);
    expect(accepted.protocol).toBe('a');
    expect(accepted.response).toContain('\r\nSec-WebSocket-Protocol: a\r\n');
    expect(acceptClientRequest(request, { handleProtocols: () => false }).protocol).toBeUndefined();
  });

  it('does not call handleProtocols when nothing is offered, and refuses a choice that was not offered', () => {
    const none = buildClientRequest('ws://x');
    let calls = 0;
    const accepted = acceptClientRequest({ headers: none.headers }, { handleProtocols: () => (calls++, 'a') });
    expect([calls, accepted.protocol]).toEqual([0, undefined]);
    expect(() => acceptClientRequest(nodeLike({}), { handleProtocols: () => 'c' })).toThrow(TypeError);
    expect(() => acceptClientRequest(nodeLike({}), { protocols: ['a'], handleProtocols: () => 'a' })).toThrow(/not both/);
  });

  it('an origin callback receives the request; a list refuses a missing Origin', () => {
    const seen: Array<[string | undefined, string | undefined]> = [];
    const refuse = (origin: string | undefined, req: { url?: string | undefined }): boolean => (seen.push([origin, req.url]), false);
    let caught: HandshakeError | undefined;
    try {
      acceptClientRequest(nodeLike({}), { origin: refuse });
    } catch (err) {
      caught = err as HandshakeError;
    }
    expect(seen).toEqual([['https://app.example', '/room?id=7']]);
    expect([caught?.code, caught?.status, caught?.message]).toEqual(['WS_ERR_FORBIDDEN_ORIGIN', 403, 'Origin not allowed.']);
    const bare = buildClientRequest('ws://x');
    expect(() => acceptClientRequest({ headers: bare.headers }, { origin: ['https://app.example'] })).toThrow('An Origin header is required.');
    expect(acceptClientRequest(nodeLike({}), { origin: (o) => o === 'https://app.example' }).protocol).toBeUndefined();
  });

  it('headers may be a function of the request, called only once the request is accepted', () => {
    const paths: Array<string | undefined> = [];
    const headers = (req: { url?: string | undefined }) => (paths.push(req.url), { 'X-Path': req.url ?? '' });
    expect(acceptClientRequest(nodeLike({}), { headers }).response).toContain('\r\nX-Path: /room?id=7\r\n');
    expect(() => acceptClientRequest(nodeLike({ 'sec-websocket-version': '12' }), { headers })).toThrow(HandshakeError);
    expect(paths).toEqual(['/room?id=7']);
  });

  it('lets an error thrown by a callback through as it is, and names an unknown option', () => {
    const boom = new Error('policy store down');
    expect(() => acceptClientRequest(nodeLike({}), { origin: () => { throw boom; } })).toThrow(boom);
    expect(() => acceptClientRequest(nodeLike({}), { origins: ['https://app.example'] } as never)).toThrow(
      'acceptClientRequest: unknown option "origins"; did you mean "origin"?',
    );
  });
});

describe('admitClientRequest: validation, origin and extensions, nothing more', () => {
  it('agrees on the extensions without choosing a subprotocol or building a response', () => {
    const client = buildClientRequest('ws://x/', { protocols: ['v1'], extensions: [{ name: 'x-fake', params: { level: 2 } }], origin: 'https://app.example' });
    const admitted = admitClientRequest({ method: 'GET', headers: client.headers }, { extensions: [serverFake], origin: ['https://app.example'] });
    expect(admitted.extensions).toEqual([{ name: 'x-fake', params: { level: '2' } }]);
    expect([admitted.request.protocols, admitted.request.key, Object.keys(admitted).sort()]).toEqual([['v1'], client.key, ['extensions', 'request']]);
  });

  it('throws what acceptClientRequest throws for a bad request or origin, and refuses its other options', () => {
    const client = buildClientRequest('ws://x/', { origin: 'https://evil.example' });
    expect(() => admitClientRequest({ method: 'POST', headers: client.headers })).toThrow(expect.objectContaining({ code: 'WS_ERR_INVALID_METHOD', status: 405 }));
    expect(() => admitClientRequest({ method: 'GET', headers: client.headers }, { origin: ['https://app.example'] })).toThrow(
      expect.objectContaining({ code: 'WS_ERR_FORBIDDEN_ORIGIN', status: 403 }),
    );
    expect(() => admitClientRequest({ method: 'GET', headers: client.headers }, { handleProtocols: () => false } as never)).toThrow(
      'admitClientRequest: unknown option "handleProtocols"; admitClientRequest stops before the subprotocol and the response: pass handleProtocols to acceptClientRequest, or apply it yourself.',
    );
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
