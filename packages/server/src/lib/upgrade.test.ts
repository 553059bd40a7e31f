/**
 * The handshake: refusals decided by @rfc6455/handshake and by the server itself, authenticate,
 * and what an accepted handshake agrees on (subprotocol, headers, permessage-deflate), over raw
 * node:net sockets and our client on loopback, and in memory where Node's parser would not let a
 * request through.
 */
import { IncomingMessage, createServer } from 'node:http';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecordingSocket } from '@rfc6455/testing';
import { WebSocket } from '@rfc6455/client';
import { PerMessageDeflate } from '@rfc6455/deflate/node';
import type { ServerWebSocket } from './connection.ts';
import type { WebSocketServerOptions } from './options.ts';
import { HttpError } from './server-error.ts';
import type { ServerError } from './server-error.ts';
import { pathnameOf } from './upgrade.ts';
import { WebSocketServer } from './websocket-server.ts';
import { bodyOf, exchange, headerOf, openSocket, portOf, rawHandshake, statusOf, upgradeRequest } from '../../test/raw.ts';
import { inflate, nextMessage, serverFrames, serverHarness, until } from '../../test/harness.ts';

const { cleanups, listen, dial } = serverHarness();
afterEach(() => {
  vi.restoreAllMocks();
});

describe('refusals decided by the handshake package, over sockets', () => {
  it('answers an unsupported version (12) with 426 and Sec-WebSocket-Version: 13', async () => {
    const { wss, port } = await listen();
    const errors: ServerError[] = [];
    wss.on('handshakeError', (err) => errors.push(err));
    const res = await exchange(port, upgradeRequest('/').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 12'));
    expect(statusOf(res)).toBe(426);
    expect(headerOf(res, 'sec-websocket-version')).toBe('13');
    expect(headerOf(res, 'connection')).toBe('close');
    expect(errors.map((e) => [e.code, e.status])).toEqual([['WS_ERR_HANDSHAKE_REJECTED', 426]]);
    expect((errors[0]?.cause as { code?: string }).code).toBe('WS_ERR_UNSUPPORTED_VERSION');
  });

  it('answers a missing Sec-WebSocket-Key with 400', async () => {
    const { port } = await listen();
    const res = await exchange(port, upgradeRequest('/').replace(/Sec-WebSocket-Key: [^\r]*\r\n/, ''));
    expect(statusOf(res)).toBe(400);
    expect(bodyOf(res)).toBe('The request has no Sec-WebSocket-Key header.');
  });

  it('refuses a disallowed origin with 403', async () => {
    const { wss, port } = await listen({ origins: ['https://good.example'] });
    const causes: unknown[] = [];
    wss.on('handshakeError', (err) => causes.push((err.cause as { code?: unknown }).code));
    const res = await exchange(port, upgradeRequest('/', { Origin: 'https://evil.example' }));
    expect(statusOf(res)).toBe(403);
    const none = await exchange(port, upgradeRequest('/'));
    expect(statusOf(none)).toBe(403);
    expect(causes).toEqual(['WS_ERR_FORBIDDEN_ORIGIN', 'WS_ERR_FORBIDDEN_ORIGIN']);
  });

  it('passes origin and request to an origins callback', async () => {
    const seen: Array<[string | undefined, string | undefined]> = [];
    const { port } = await listen({
      origins: (origin, req) => {
        seen.push([origin, req.url]);
        return false;
      },
    });
    const res = await exchange(port, upgradeRequest('/room?x=1', { Origin: 'https://a.example' }));
    expect(statusOf(res)).toBe(403);
    expect(seen).toEqual([['https://a.example', '/room?x=1']]);
  });

  it('answers 400 to a repeated key and odd header names, and keeps serving', async () => {
    const { port } = await listen();
    const twice = await exchange(port, upgradeRequest('/', { 'Sec-WebSocket-Key': 'AAAAAAAAAAAAAAAAAAAAAA==' }));
    expect(statusOf(twice)).toBe(400);
    // Node joins the two values with ", "; rawHeaders shows there were two (message changed on purpose, issue 5).
    expect(bodyOf(twice)).toBe('The request has 2 Sec-WebSocket-Key headers; it must have exactly one.');
    const proto = await exchange(port, upgradeRequest('/').replace(/Sec-WebSocket-Key: [^\r]*\r\n/, '__proto__: x\r\nconstructor: y\r\n'));
    expect(statusOf(proto)).toBe(400);
    const bad = await exchange(port, upgradeRequest('/', { 'Sec-WebSocket-Protocol': 'a b' }));
    expect(statusOf(bad)).toBe(400);
  });
});

describe('refusals carry the handshake\'s own error as their cause', () => {
  const base: Record<string, string> = {
    host: 'example.com',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-version': '13',
  };

  function upgradeInMemory(wss: WebSocketServer, headers: Record<string, string | undefined>, method = 'GET', httpVersion = '1.1') {
    const request = new IncomingMessage(new Socket());
    request.method = method;
    request.httpVersion = httpVersion;
    request.url = '/';
    const fields = Object.entries({ ...base, ...headers }).filter((e): e is [string, string] => e[1] !== undefined);
    request.headers = Object.fromEntries(fields);
    request.rawHeaders = fields.flat();
    const socket = new RecordingSocket();
    const errors: ServerError[] = [];
    wss.on('handshakeError', (err) => errors.push(err));
    wss.handleUpgrade(request, socket, Buffer.alloc(0), () => undefined);
    return once(socket, 'close').then(() => ({ response: socket.written.toString(), errors }));
  }

  it.each([
    ['WS_ERR_INVALID_METHOD', 405, {}, 'POST', '1.1'],
    ['WS_ERR_INVALID_HTTP_VERSION', 400, {}, 'GET', '1.0'],
    ['WS_ERR_MISSING_HOST', 400, { host: undefined }, 'GET', '1.1'],
    ['WS_ERR_INVALID_UPGRADE_HEADER', 400, { upgrade: 'h2c' }, 'GET', '1.1'],
    ['WS_ERR_INVALID_CONNECTION_HEADER', 400, { connection: 'keep-alive' }, 'GET', '1.1'],
    ['WS_ERR_INVALID_KEY', 400, { 'sec-websocket-key': 'short' }, 'GET', '1.1'],
    ['WS_ERR_UNSUPPORTED_VERSION', 426, { 'sec-websocket-version': '12' }, 'GET', '1.1'],
    ['WS_ERR_INVALID_PROTOCOL_HEADER', 400, { 'sec-websocket-protocol': 'a b' }, 'GET', '1.1'],
    ['WS_ERR_INVALID_EXTENSION_HEADER', 400, { 'sec-websocket-extensions': 'permessage-deflate; =' }, 'GET', '1.1'],
    ['WS_ERR_FORBIDDEN_ORIGIN', 403, { origin: 'https://evil.example' }, 'GET', '1.1'],
    ['WS_ERR_FORBIDDEN_ORIGIN', 403, { origin: undefined }, 'GET', '1.1'],
  ] as const)('%s: %i, the handshake\'s message as the body, and the HandshakeError as the cause', async (code, status, headers, method, version) => {
    const wss = new WebSocketServer({ noServer: true, heartbeat: false, origins: ['https://good.example'] });
    cleanups.push(() => wss.shutdown());
    const { response, errors } = await upgradeInMemory(wss, { origin: 'https://good.example', ...headers }, method, version);
    const cause = errors[0]?.cause as { code: string; status: number; message: string };
    expect(errors.map((e) => [e.code, e.status])).toEqual([['WS_ERR_HANDSHAKE_REJECTED', status]]);
    expect([cause.code, cause.status]).toEqual([code, status]);
    expect(statusOf(response)).toBe(status);
    expect(bodyOf(response)).toBe(cause.message);
  });

  it('an origin refusal says why in its body: not allowed, or missing', async () => {
    const wss = new WebSocketServer({ noServer: true, heartbeat: false, origins: ['https://good.example'] });
    cleanups.push(() => wss.shutdown());
    expect(bodyOf((await upgradeInMemory(wss, { origin: 'https://evil.example' })).response)).toBe('Origin not allowed.');
    expect(bodyOf((await upgradeInMemory(wss, {})).response)).toBe('An Origin header is required.');
  });

  it('answers 500 with the thrown error as the cause when origins, handleProtocols or headers fail', async () => {
    const boom = new Error('policy store down');
    const failing: Array<Omit<WebSocketServerOptions, 'port' | 'server' | 'noServer'>> = [
      { origins: () => { throw boom; } },
      { handleProtocols: () => 'not-offered' },
      { headers: { 'Bad Name': 'x' } },
    ];
    const causes: unknown[] = [];
    for (const options of failing) {
      const wss = new WebSocketServer({ noServer: true, heartbeat: false, ...options });
      cleanups.push(() => wss.shutdown());
      const { response, errors } = await upgradeInMemory(wss, { 'sec-websocket-protocol': 'chat' });
      expect([statusOf(response), bodyOf(response)]).toEqual([500, 'Internal Server Error']);
      expect(errors.map((e) => [e.code, e.status])).toEqual([['WS_ERR_HANDSHAKE_REJECTED', 500]]);
      causes.push(errors[0]?.cause);
    }
    expect(causes[0]).toBe(boom);
    expect(causes.slice(1).map((c) => (c as Error).name)).toEqual(['TypeError', 'TypeError']);
  });
});

describe("the server's own refusals", () => {
  it('refuses other paths with 400 when path is set', async () => {
    const { port } = await listen({ path: '/ws' });
    const res = await exchange(port, upgradeRequest('/other'));
    expect(statusOf(res)).toBe(400);
    expect(bodyOf(res)).toBe('No WebSocket endpoint at /other.');
  });

  it('answers 503 with Retry-After above maxConnections (handshakes in progress count)', async () => {
    let held = 0;
    let bothHeld: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (bothHeld = resolve));
    const { wss, port } = await listen({
      maxConnections: 2,
      retryAfterSeconds: 9,
      authenticate: () => {
        if (++held === 2) bothHeld();
        return new Promise<undefined>(() => undefined);
      },
    });
    const a = await openSocket(port);
    const b = await openSocket(port);
    a.write(upgradeRequest('/'));
    b.write(upgradeRequest('/'));
    await waiting;
    const res = await exchange(port, upgradeRequest('/'));
    expect(statusOf(res)).toBe(503);
    expect(headerOf(res, 'retry-after')).toBe('9');
    a.destroy();
    b.destroy();
    expect(wss.connectionCount).toBe(0);
  });

  it('answers 503 with Retry-After when maxConnections connections are open', async () => {
    const { wss, url } = await listen({ maxConnections: 1 });
    await dial(url);
    const refused = new WebSocket(url);
    cleanups.push(() => refused.terminate());
    const [err] = (await once(refused, 'error')) as [{ status?: number; headers?: Record<string, string> }];
    expect(err.status).toBe(503);
    expect(err.headers?.['retry-after']).toBe('5');
    expect(wss.connectionCount).toBe(1);
  });

  it('destroys a handshake that does not finish in handshakeTimeoutMs (slow authenticate)', async () => {
    const { wss, port } = await listen({
      handshakeTimeoutMs: 150,
      authenticate: () => new Promise<undefined>(() => undefined),
    });
    const errors: string[] = [];
    wss.on('handshakeError', (err) => errors.push(err.code));
    const started = Date.now();
    const res = await exchange(port, upgradeRequest('/'));
    expect(res).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(errors).toEqual(['WS_ERR_HANDSHAKE_TIMEOUT']);
  });

  it('swallows a socket reset during the handshake and reports it', async () => {
    let release: () => void = () => undefined;
    let authenticating: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (authenticating = resolve));
    const { wss, port } = await listen({
      authenticate: () => {
        authenticating();
        return new Promise<undefined>((resolve) => (release = () => resolve(undefined)));
      },
    });
    const errors: string[] = [];
    const reported = new Promise<void>((resolve) => wss.on('handshakeError', (err) => (errors.push(err.code), resolve())));
    const socket = await openSocket(port);
    socket.write(upgradeRequest('/'));
    await started;
    socket.resetAndDestroy();
    await reported;
    // authenticate resolving after the socket died must neither connect nor throw.
    release();
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual(['WS_ERR_HANDSHAKE_SOCKET']);
    expect(wss.connectionCount).toBe(0);
    expect(statusOf(await exchange(port, upgradeRequest('/').replace('Version: 13', 'Version: 9')))).toBe(426);
  });
});

describe('authenticate', () => {
  it('rejects with the status, headers and message of a thrown HttpError', async () => {
    const { port } = await listen({
      authenticate: async () => {
        throw new HttpError(401, 'Token expired', { 'WWW-Authenticate': 'Bearer realm="chat"' });
      },
    });
    const res = await exchange(port, upgradeRequest('/'));
    expect(statusOf(res)).toBe(401);
    expect(headerOf(res, 'www-authenticate')).toBe('Bearer realm="chat"');
    expect(bodyOf(res)).toBe('Token expired');
  });

  it('accepts any thrown object with a status (HttpError-like), even synchronously', async () => {
    const { port } = await listen({
      authenticate: () => {
        throw Object.assign(new Error('Slow down'), { status: 429, headers: { 'Retry-After': '7' } });
      },
    });
    const res = await exchange(port, upgradeRequest('/'));
    expect(statusOf(res)).toBe(429);
    expect(headerOf(res, 'retry-after')).toBe('7');
  });

  it('answers 500 when authenticate throws something else, and reports it', async () => {
    const { wss, port } = await listen({
      authenticate: () => Promise.reject(new Error('database down')),
    });
    const errors: ServerError[] = [];
    wss.on('handshakeError', (err) => errors.push(err));
    const res = await exchange(port, upgradeRequest('/'));
    expect(statusOf(res)).toBe(500);
    expect(bodyOf(res)).toBe('Internal Server Error');
    const cause = errors[0]?.cause as ServerError;
    expect(cause.code).toBe('WS_ERR_AUTHENTICATE_FAILED');
    expect((cause.cause as Error).message).toBe('database down');
  });
});

describe('accepting', () => {
  it('selects the subprotocol handleProtocols returns and adds the extra headers to the 101', async () => {
    const { url } = await listen({
      handleProtocols: (offered) => (offered.has('v2') ? 'v2' : false),
      headers: (req) => ({ 'X-Request-Path': req.url ?? '' }),
    });
    const client = await dial(url, ['v1', 'v2']);
    expect(client.protocol).toBe('v2');
    const port = Number(new URL(url).port);
    const { socket, head } = await rawHandshake(port, '/hello');
    cleanups.push(() => socket.destroy());
    expect(statusOf(head)).toBe(101);
    expect(headerOf(head, 'sec-websocket-accept')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(headerOf(head, 'x-request-path')).toBe('/hello');
    expect(headerOf(head, 'sec-websocket-protocol')).toBeUndefined();
  });

  it('completes handshakes handed over from a framework-style upgrade handler', async () => {
    const wss = new WebSocketServer<{ room: string }>({ noServer: true, path: '/rooms', heartbeat: false, authenticate: () => ({ room: 'lobby' }) });
    const http = createServer((_req, res) => res.end('plain'));
    http.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws, request, ctx) => {
        expect(request.url).toBe('/rooms');
        ws.send(`welcome to ${ctx.room}`);
      });
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => http.close(r)));
    cleanups.push(() => wss.shutdown({ timeoutMs: 100 }));
    const client = new WebSocket(`ws://127.0.0.1:${portOf(http.address())}/rooms`);
    cleanups.push(() => client.terminate());
    const [msg] = await nextMessage(client);
    expect(msg.toString()).toBe('welcome to lobby');
    expect(wss.connectionCount).toBe(1);
    expect(() => wss.handleUpgrade(undefined as never, undefined as never, Buffer.alloc(0), () => undefined)).toThrow(TypeError);
  });

  it('pathnameOf drops the query, and an absent target is /', () => {
    expect([pathnameOf('/room?id=1'), pathnameOf('/a/b'), pathnameOf(undefined), pathnameOf('/?')]).toEqual(['/room', '/a/b', '/', '/']);
  });
});

describe('permessage-deflate negotiation', () => {
  it('is off by default: an offer is ignored and nothing is compressed', async () => {
    const { url } = await listen();
    const ws = await dial(url);
    expect(ws.extensions).toBe('');
  });

  it('accepts our client\'s default offer when enabled, and both directions compress above the threshold', async () => {
    const { wss, url } = await listen({ perMessageDeflate: true });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dial(url);
    const [server] = await connected;
    expect(ws.extensions).toBe('permessage-deflate');
    expect(server.extensions).toBe('permessage-deflate');
    const frames = serverFrames(ws);
    const got: string[] = [];
    ws.on('message', (data: Buffer) => got.push(data.toString()));
    const long = 'abc'.repeat(500);
    server.send(long);
    server.send('short');
    server.send(long, { compress: false });
    await until(() => got.length === 3);
    expect(got).toEqual([long, 'short', long]);
    expect(frames.map((f) => f.byte0)).toEqual([0xc1, 0x81, 0x81]);
    expect(inflate(frames[0]!.payload)).toBe(long);
    const echoed = once(server, 'message') as Promise<[Buffer, boolean]>;
    ws.send(long);
    expect((await echoed)[0].toString()).toBe(long);
  });

  it('answers with the parameters it settled on, declines an offer with a repeated parameter and takes the next', async () => {
    const { wss } = await listen({ perMessageDeflate: { serverNoContextTakeover: true, serverMaxWindowBits: 10 } });
    const socket = await openSocket(portOf(wss.address()));
    const response = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
    socket.write(
      upgradeRequest('/', {
        'Sec-WebSocket-Extensions':
          'permessage-deflate; client_max_window_bits=9; client_max_window_bits, permessage-deflate; server_max_window_bits=12',
      }),
    );
    const head = await response;
    socket.destroy();
    expect(head.startsWith('HTTP/1.1 101')).toBe(true);
    expect(headerOf(head, 'Sec-WebSocket-Extensions')).toBe('permessage-deflate; server_no_context_takeover; server_max_window_bits=10');
  });

  it('keeps the threshold: compressionThreshold 0 compresses even an empty message', async () => {
    const { wss, url } = await listen({ perMessageDeflate: true, compressionThreshold: 0 });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dial(url);
    const [server] = await connected;
    const frames = serverFrames(ws);
    const got = once(ws, 'message') as Promise<[Buffer, boolean]>;
    server.send('');
    const [data, isBinary] = await got;
    expect([data.length, isBinary]).toEqual([0, false]);
    // RFC 7692 §7.2.3.6: an empty message is the single byte 00.
    expect(frames.map((f) => [f.byte0, f.payload.toString('hex')])).toEqual([[0xc1, '00']]);
  });

  it('releases each connection\'s codec when the connection ends', async () => {
    const close = vi.spyOn(PerMessageDeflate.prototype, 'close');
    const { wss, url } = await listen({ perMessageDeflate: true });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dial(url, { perMessageDeflate: false });
    await connected;
    ws.close();
    await once(ws, 'close');
    expect(close).toHaveBeenCalledTimes(0);
    const connected2 = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws2 = await dial(url);
    const [server2] = await connected2;
    const closed = once(server2, 'close');
    ws2.close();
    await closed;
    // Our client's codec and the server's: one each.
    await until(() => close.mock.calls.length === 2);
    expect(close).toHaveBeenCalledTimes(2);
  });
});

describe("ws's completeUpgrade step: subprotocol, 'headers', one upgrade per socket", () => {
  it('without handleProtocols selects the first subprotocol offered, as ws', async () => {
    const { url } = await listen();
    const client = await dial(url, ['v2', 'v1']);
    expect(client.protocol).toBe('v2');
  });

  it("emits 'headers' with the 101's lines before writing them: a pushed Set-Cookie reaches the client", async () => {
    const { wss, port } = await listen();
    const seen: Array<[string, string | undefined]> = [];
    wss.on('headers', (headers, request) => {
      seen.push([headers[0] ?? '', request.url]);
      headers.push('Set-Cookie: session=abc; HttpOnly');
    });
    const { socket, head } = await rawHandshake(port, '/in');
    cleanups.push(() => socket.destroy());
    expect(seen).toEqual([['HTTP/1.1 101 Switching Protocols', '/in']]);
    expect([statusOf(head), headerOf(head, 'set-cookie')]).toEqual([101, 'session=abc; HttpOnly']);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
  });

  it("a 'headers' listener that throws answers 500, not a crash", async () => {
    const { wss, port } = await listen();
    wss.on('headers', () => {
      throw new Error('listener bug');
    });
    expect(statusOf(await exchange(port, upgradeRequest('/')))).toBe(500);
  });

  it('handleUpgrade called twice for one socket throws, and no second 101 is written', async () => {
    const wss = new WebSocketServer({ noServer: true, heartbeat: false });
    cleanups.push(() => wss.shutdown({ timeoutMs: 100 }));
    const http = createServer();
    const thrown: unknown[] = [];
    http.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, () => undefined);
      try {
        wss.handleUpgrade(req, socket, head, () => undefined);
      } catch (err) {
        thrown.push(err);
      }
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => http.close(r)));
    const { socket, head, rest } = await rawHandshake(portOf(http.address()));
    cleanups.push(() => socket.destroy());
    expect(statusOf(head)).toBe(101);
    expect(rest.length).toBe(0);
    expect(thrown).toHaveLength(1);
    expect((thrown[0] as Error).message).toMatch(/^handleUpgrade\(\)\/completeUpgrade\(\) was called again for a socket/);
    expect(wss.connectionCount).toBe(1);
  });

  it('completeUpgrade can be called directly, once per socket, and an override sees every handshake', async () => {
    const calls: string[] = [];
    class Tracing extends WebSocketServer {
      override completeUpgrade(...args: Parameters<WebSocketServer['completeUpgrade']>): void {
        calls.push(args[3].url ?? '');
        super.completeUpgrade(...args);
      }
    }
    const traced = new Tracing({ port: 0, host: '127.0.0.1', heartbeat: false });
    cleanups.push(() => traced.shutdown({ timeoutMs: 100 }));
    await once(traced, 'listening');
    await dial(`ws://127.0.0.1:${portOf(traced.address())}/traced`);
    expect(calls).toEqual(['/traced']);

    const direct = new WebSocketServer({ noServer: true, heartbeat: false });
    cleanups.push(() => direct.shutdown({ timeoutMs: 100 }));
    const http = createServer();
    const outcome: unknown[] = [];
    http.on('upgrade', (req, socket, head) => {
      const key = req.headers['sec-websocket-key'] as string;
      direct.completeUpgrade({}, key, new Set(['chat']), req, socket, head, (ws) => outcome.push(ws.protocol));
      try {
        direct.completeUpgrade({}, key, new Set(), req, socket, head, () => undefined);
      } catch (err) {
        outcome.push((err as Error).message.split(' was ')[0]);
      }
      expect(() => direct.completeUpgrade({ 'permessage-deflate': {} }, key, new Set(), req, socket, head, () => undefined)).toThrow(Error);
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => http.close(r)));
    const { socket, head } = await rawHandshake(portOf(http.address()));
    cleanups.push(() => socket.destroy());
    expect([statusOf(head), headerOf(head, 'sec-websocket-accept'), headerOf(head, 'sec-websocket-protocol')]).toEqual([101, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'chat']);
    expect(outcome).toEqual(['chat', 'handleUpgrade()/completeUpgrade()']);
  });
});

describe("'wsClientError', as ws: the listener answers a malformed request itself", () => {
  it('with a listener the server writes nothing; the listener gets the precise error and owns the socket', async () => {
    const { wss, port } = await listen();
    const logged: string[] = [];
    wss.on('handshakeError', (err) => logged.push(err.code));
    wss.on('wsClientError', (err, socket, request) => {
      socket.end(`HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\nX-Error: ${(err as Error & { code: string }).code}\r\nX-Url: ${request.url}\r\n\r\n`);
    });
    const res = await exchange(port, upgradeRequest('/bad').replace(/Sec-WebSocket-Key: [^\r]*\r\n/, ''));
    expect([statusOf(res), headerOf(res, 'x-error'), headerOf(res, 'x-url')]).toEqual([418, 'WS_ERR_INVALID_KEY', '/bad']);
    expect(logged).toEqual([]);
  });

  it('without a listener the server answers the 4xx and reports it as handshakeError', async () => {
    const { wss, port } = await listen();
    const logged: string[] = [];
    wss.on('handshakeError', (err) => logged.push(`${err.code} ${err.status}`));
    const res = await exchange(port, upgradeRequest('/').replace(/Sec-WebSocket-Key: [^\r]*\r\n/, ''));
    expect(statusOf(res)).toBe(400);
    expect(logged).toEqual(['WS_ERR_HANDSHAKE_REJECTED 400']);
  });
});
