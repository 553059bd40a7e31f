/**
 * Handshake refusals and hostile requests, over raw node:net sockets on loopback.
 */
import { IncomingMessage, createServer, get } from 'node:http';
import type { Server } from 'node:http';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from './server-error.ts';
import type { ServerError } from './server-error.ts';
import { WebSocketServer } from './websocket-server.ts';
import type { WebSocketServerOptions } from './options.ts';
import { bodyOf, exchange, headerOf, openSocket, portOf, statusOf, upgradeRequest } from '../../test/raw.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function standalone<C = undefined>(options: Omit<WebSocketServerOptions<C>, 'port' | 'server' | 'noServer'> = {}) {
  const wss = new WebSocketServer<C>({ port: 0, host: '127.0.0.1', heartbeat: false, ...options });
  cleanups.push(() => wss.close({ timeoutMs: 200 }));
  await once(wss, 'listening');
  return { wss, port: portOf(wss.address()) };
}

describe('standalone mode', () => {
  it('answers a plain HTTP request with 426 Upgrade Required', async () => {
    const { port } = await standalone();
    const res = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusOf(res)).toBe(426);
    expect(headerOf(res, 'upgrade')).toBe('websocket');
    expect(headerOf(res, 'sec-websocket-version')).toBe('13');
  });

  it('answers an unsupported version (12) with 426 and Sec-WebSocket-Version: 13', async () => {
    const { wss, port } = await standalone();
    const errors: ServerError[] = [];
    wss.on('wsClientError', (err) => errors.push(err));
    const res = await exchange(port, upgradeRequest('/').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 12'));
    expect(statusOf(res)).toBe(426);
    expect(headerOf(res, 'sec-websocket-version')).toBe('13');
    expect(headerOf(res, 'connection')).toBe('close');
    expect(errors.map((e) => [e.code, e.status])).toEqual([['WS_ERR_HANDSHAKE_REJECTED', 426]]);
    expect((errors[0]?.cause as { code?: string }).code).toBe('WS_ERR_UNSUPPORTED_VERSION');
  });

  it('answers a missing Sec-WebSocket-Key with 400', async () => {
    const { port } = await standalone();
    const res = await exchange(port, upgradeRequest('/').replace(/Sec-WebSocket-Key: [^\r]*\r\n/, ''));
    expect(statusOf(res)).toBe(400);
    expect(bodyOf(res)).toBe('The request has no Sec-WebSocket-Key header.');
  });

  it('answers a non-GET upgrade with 405 and garbage with 400, and keeps serving', async () => {
    const { port } = await standalone();
    const post = await exchange(port, upgradeRequest('/').replace('GET', 'POST'));
    expect(statusOf(post)).toBe(405);
    expect(headerOf(post, 'allow')).toBe('GET');
    const garbage = await exchange(port, '\x00\x01\x02 nonsense\r\n\r\n');
    expect(statusOf(garbage)).toBe(400);
    const after = await exchange(port, upgradeRequest('/').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 7'));
    expect(statusOf(after)).toBe(426);
  });

  it('answers a request head over maxHeaderSize with 431', async () => {
    const { port } = await standalone({ maxHeaderSize: 1024 });
    const res = await exchange(port, upgradeRequest('/', { 'X-Big': 'a'.repeat(2000) }));
    expect(statusOf(res)).toBe(431);
  });

  it('cuts off a client that trickles its request (handshakeTimeoutMs)', async () => {
    const { wss, port } = await standalone({ handshakeTimeoutMs: 300 });
    const errors: string[] = [];
    wss.on('wsClientError', (err) => errors.push(err.code));
    const socket = await openSocket(port);
    const request = upgradeRequest('/');
    let i = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed && i < request.length - 4) socket.write(request[i++] as string);
    }, 20);
    const started = Date.now();
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    await once(socket, 'close');
    clearInterval(drip);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3000);
    expect(i).toBeLessThan(request.length - 4);
    expect(received === '' || statusOf(received) === 408).toBe(true);
    expect(errors).toContain('WS_ERR_HANDSHAKE_TIMEOUT');
  });

  it('refuses a disallowed origin with 403', async () => {
    const { port } = await standalone({ origins: ['https://good.example'] });
    const res = await exchange(port, upgradeRequest('/', { Origin: 'https://evil.example' }));
    expect(statusOf(res)).toBe(403);
    const none = await exchange(port, upgradeRequest('/'));
    expect(statusOf(none)).toBe(403);
  });

  it('passes origin and request to an origins callback', async () => {
    const seen: Array<[string | undefined, string | undefined]> = [];
    const { port } = await standalone({
      origins: (origin, req) => {
        seen.push([origin, req.url]);
        return false;
      },
    });
    const res = await exchange(port, upgradeRequest('/room?x=1', { Origin: 'https://a.example' }));
    expect(statusOf(res)).toBe(403);
    expect(seen).toEqual([['https://a.example', '/room?x=1']]);
  });

  it('refuses other paths with 400 when path is set', async () => {
    const { port } = await standalone({ path: '/ws' });
    const res = await exchange(port, upgradeRequest('/other'));
    expect(statusOf(res)).toBe(400);
    expect(bodyOf(res)).toBe('No WebSocket endpoint at /other.');
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

  /** Hand `handleUpgrade` a request Node's parser would not let through, on an in-memory socket. */
  function upgradeInMemory(wss: WebSocketServer, headers: Record<string, string | undefined>, method = 'GET', httpVersion = '1.1') {
    const request = new IncomingMessage(new Socket());
    request.method = method;
    request.httpVersion = httpVersion;
    request.url = '/';
    const fields = Object.entries({ ...base, ...headers }).filter((e): e is [string, string] => e[1] !== undefined);
    request.headers = Object.fromEntries(fields);
    request.rawHeaders = fields.flat();
    const written: Buffer[] = [];
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk);
        callback();
      },
    });
    const errors: ServerError[] = [];
    wss.on('wsClientError', (err) => errors.push(err));
    wss.handleUpgrade(request, socket, Buffer.alloc(0), () => undefined);
    return once(socket, 'close').then(() => ({ response: Buffer.concat(written).toString(), errors }));
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
    cleanups.push(() => wss.close());
    const { response, errors } = await upgradeInMemory(wss, { origin: 'https://good.example', ...headers }, method, version);
    const cause = errors[0]?.cause as { code: string; status: number; message: string };
    expect(errors.map((e) => [e.code, e.status])).toEqual([['WS_ERR_HANDSHAKE_REJECTED', status]]);
    expect([cause.code, cause.status]).toEqual([code, status]);
    expect(statusOf(response)).toBe(status);
    expect(bodyOf(response)).toBe(cause.message);
  });

  it('an origin refusal says why in its body: not allowed, or missing', async () => {
    const wss = new WebSocketServer({ noServer: true, heartbeat: false, origins: ['https://good.example'] });
    cleanups.push(() => wss.close());
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
      cleanups.push(() => wss.close());
      const { response, errors } = await upgradeInMemory(wss, { 'sec-websocket-protocol': 'chat' });
      expect([statusOf(response), bodyOf(response)]).toEqual([500, 'Internal Server Error']);
      expect(errors.map((e) => [e.code, e.status])).toEqual([['WS_ERR_HANDSHAKE_REJECTED', 500]]);
      causes.push(errors[0]?.cause);
    }
    expect(causes[0]).toBe(boom);
    expect(causes.slice(1).map((c) => (c as Error).name)).toEqual(['TypeError', 'TypeError']);
  });
});

describe('hostile requests', () => {
  it('answers 400 to a repeated key and odd header names, and keeps serving', async () => {
    const { port } = await standalone();
    const twice = await exchange(port, upgradeRequest('/', { 'Sec-WebSocket-Key': 'AAAAAAAAAAAAAAAAAAAAAA==' }));
    expect(statusOf(twice)).toBe(400);
    // Node joins the two values with ", "; rawHeaders shows there were two (message changed on purpose, issue 5).
    expect(bodyOf(twice)).toBe('The request has 2 Sec-WebSocket-Key headers; it must have exactly one.');
    const proto = await exchange(port, upgradeRequest('/').replace(/Sec-WebSocket-Key: [^\r]*\r\n/, '__proto__: x\r\nconstructor: y\r\n'));
    expect(statusOf(proto)).toBe(400);
    const bad = await exchange(port, upgradeRequest('/', { 'Sec-WebSocket-Protocol': 'a b' }));
    expect(statusOf(bad)).toBe(400);
  });

  it('swallows a socket reset during the handshake and reports it', async () => {
    let release: (() => void) | undefined;
    const { wss, port } = await standalone({
      authenticate: () => new Promise<undefined>((resolve) => (release = () => resolve(undefined))),
    });
    const errors: string[] = [];
    wss.on('wsClientError', (err) => errors.push(err.code));
    const socket = await openSocket(port);
    socket.write(upgradeRequest('/'));
    while (release === undefined) await new Promise((r) => setTimeout(r, 5));
    socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 50));
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(errors[0]).toBe('WS_ERR_HANDSHAKE_SOCKET');
    expect(wss.connectionCount).toBe(0);
    expect(statusOf(await exchange(port, upgradeRequest('/').replace('Version: 13', 'Version: 9')))).toBe(426);
  });
});

describe('authenticate', () => {
  it('rejects with the status, headers and message of a thrown HttpError', async () => {
    const { port } = await standalone({
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
    const { port } = await standalone({
      authenticate: () => {
        throw Object.assign(new Error('Slow down'), { status: 429, headers: { 'Retry-After': '7' } });
      },
    });
    const res = await exchange(port, upgradeRequest('/'));
    expect(statusOf(res)).toBe(429);
    expect(headerOf(res, 'retry-after')).toBe('7');
  });

  it('answers 500 when authenticate throws something else, and reports it', async () => {
    const { wss, port } = await standalone({
      authenticate: () => Promise.reject(new Error('database down')),
    });
    const errors: ServerError[] = [];
    wss.on('wsClientError', (err) => errors.push(err));
    const res = await exchange(port, upgradeRequest('/'));
    expect(statusOf(res)).toBe(500);
    expect(bodyOf(res)).toBe('Internal Server Error');
    const cause = errors[0]?.cause as ServerError;
    expect(cause.code).toBe('WS_ERR_AUTHENTICATE_FAILED');
    expect((cause.cause as Error).message).toBe('database down');
  });
});

describe('limits', () => {
  it('answers 503 with Retry-After above maxConnections (handshakes in progress count)', async () => {
    const held: Array<() => void> = [];
    const { wss, port } = await standalone({
      maxConnections: 2,
      retryAfterSeconds: 9,
      authenticate: () => new Promise<undefined>((resolve) => held.push(() => resolve(undefined))),
    });
    const a = await openSocket(port);
    const b = await openSocket(port);
    a.write(upgradeRequest('/'));
    b.write(upgradeRequest('/'));
    while (held.length < 2) await new Promise((r) => setTimeout(r, 10));
    const res = await exchange(port, upgradeRequest('/'));
    expect(statusOf(res)).toBe(503);
    expect(headerOf(res, 'retry-after')).toBe('9');
    a.destroy();
    b.destroy();
    expect(wss.connectionCount).toBe(0);
  });

  it('destroys a handshake that does not finish in handshakeTimeoutMs (slow authenticate)', async () => {
    const { wss, port } = await standalone({
      handshakeTimeoutMs: 150,
      authenticate: () => new Promise<undefined>(() => undefined),
    });
    const errors: string[] = [];
    wss.on('wsClientError', (err) => errors.push(err.code));
    const started = Date.now();
    const res = await exchange(port, upgradeRequest('/'));
    expect(res).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(errors).toEqual(['WS_ERR_HANDSHAKE_TIMEOUT']);
  });

  it('refuses handshakes with 503 once close() has begun', async () => {
    const { wss } = await standalone();
    const noServer = new WebSocketServer({ noServer: true, heartbeat: false });
    void noServer.close();
    const http = createServer();
    http.on('upgrade', (req, socket, head) => noServer.handleUpgrade(req, socket, head, () => undefined));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => http.close(r)));
    const res = await exchange(portOf(http.address()), upgradeRequest('/'));
    expect(statusOf(res)).toBe(503);
    expect(wss.connectionCount).toBe(0);
  });
});

describe('attach mode', () => {
  async function httpWithRoute(): Promise<{ http: Server; port: number }> {
    const http = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 404, { 'Content-Type': 'text/plain' });
      res.end(req.url === '/health' ? 'ok' : 'missing');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => { http.closeAllConnections(); http.close(r); }));
    return { http, port: portOf(http.address()) };
  }

  function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path, agent: false }, (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
  }

  it('keeps the normal routes working on the same port', async () => {
    const { http, port } = await httpWithRoute();
    const wss = new WebSocketServer({ server: http, path: '/ws', heartbeat: false });
    cleanups.push(() => wss.close({ timeoutMs: 100 }));
    expect(await httpGet(port, '/health')).toEqual({ status: 200, body: 'ok' });
    expect(portOf(wss.address())).toBe(port);
    const refused = await exchange(port, upgradeRequest('/ws').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 12'));
    expect(statusOf(refused)).toBe(426);
  });

  it('answers 400 for another path when it is the only upgrade listener, and leaves it alone otherwise', async () => {
    const { http, port } = await httpWithRoute();
    const wss = new WebSocketServer({ server: http, path: '/ws', heartbeat: false });
    cleanups.push(() => wss.close({ timeoutMs: 100 }));
    expect(statusOf(await exchange(port, upgradeRequest('/elsewhere')))).toBe(400);

    http.on('upgrade', (req: IncomingMessage, socket) => {
      if (req.url === '/other') socket.end('HTTP/1.1 418 I am a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    expect(statusOf(await exchange(port, upgradeRequest('/other')))).toBe(418);
  });

  it('removes its listeners from the attached server on close and leaves it listening', async () => {
    const { http, port } = await httpWithRoute();
    const before = http.listenerCount('upgrade');
    const wss = new WebSocketServer({ server: http, heartbeat: false });
    expect(http.listenerCount('upgrade')).toBe(before + 1);
    await wss.close();
    expect(http.listenerCount('upgrade')).toBe(before);
    expect(http.listening).toBe(true);
    expect(await httpGet(port, '/health')).toEqual({ status: 200, body: 'ok' });
  });
});

describe('constructor and close', () => {
  it('emits error for a port in use, and close() still resolves', async () => {
    const { port } = await standalone();
    const second = new WebSocketServer({ port, host: '127.0.0.1', heartbeat: false });
    const [err] = (await once(second, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('EADDRINUSE');
    await second.close();
  });

  it('close(cb) calls back once shut down, and close() is idempotent', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false });
    await once(wss, 'listening');
    const closed = once(wss, 'close');
    const called = new Promise<unknown>((resolve) => void wss.close((err) => resolve(err)));
    expect(await called).toBeUndefined();
    await closed;
    await wss.close();
    expect(() => wss.close({ code: 1006 })).toThrow(RangeError);
  });

  it('close() right after the constructor waits for the bind, then stops listening', async () => {
    const wss = new WebSocketServer({ port: 0, host: 'localhost', heartbeat: false });
    let listened = false;
    wss.on('listening', () => (listened = true));
    await wss.close();
    expect(listened).toBe(true);
    expect(() => portOf(wss.address())).toThrow();
  });

  it('address() throws in noServer mode', () => {
    const wss = new WebSocketServer({ noServer: true });
    expect(() => wss.address()).toThrow(/noServer/);
    void wss.close();
  });
});
