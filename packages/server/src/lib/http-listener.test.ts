/**
 * The HTTP side: our standalone server's answers to plain HTTP and to request heads Node refuses,
 * its timeouts, listening and binding errors, and attachment to an application's HTTP server.
 */
import { createServer, get } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { HttpListener } from './http-listener.ts';
import type { ListenerSettings } from './http-listener.ts';
import { WebSocketServer } from './websocket-server.ts';
import { bodyOf, exchange, headerOf, openSocket, portOf, statusOf, upgradeRequest } from '../../test/raw.ts';
import { echo, nextMessage, serverHarness } from '../../test/harness.ts';

const { cleanups, listen, dial } = serverHarness();

describe('HttpListener', () => {
  function settings(overrides: Partial<ListenerSettings> = {}) {
    const events: string[] = [];
    const upgrades: string[] = [];
    const result: ListenerSettings = {
      port: 0,
      host: '127.0.0.1',
      handshakeTimeoutMs: 10_000,
      maxHeaderSize: 16 * 1024,
      maxHeadersCount: 100,
      shouldHandle: (request) => request.url === '/ws',
      onUpgrade: (request, socket) => {
        upgrades.push(request.url ?? '');
        socket.end('HTTP/1.1 418 I am a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
      onListening: () => events.push('listening'),
      onError: (err) => events.push(`error ${(err as NodeJS.ErrnoException).code}`),
      onClientError: (code, _message, _socket, _request, details) => events.push(`${code} ${details?.status}`),
      ...overrides,
    };
    return { settings: result, events, upgrades };
  }

  it('standalone: listens, hands every upgrade over, reports refused request heads, and stops', async () => {
    const { settings: options, events, upgrades } = settings();
    const listener = new HttpListener(options);
    await once(listener.server, 'listening');
    const port = portOf(listener.address());
    expect(statusOf(await exchange(port, upgradeRequest('/elsewhere')))).toBe(418);
    expect(statusOf(await exchange(port, '\x00 nonsense\r\n\r\n'))).toBe(400);
    await listener.stop();
    expect([listener.server.listening, upgrades, events]).toEqual([false, ['/elsewhere'], ['listening', 'WS_ERR_HANDSHAKE_REJECTED 400']]);
  });

  it('attached: leaves other paths to the other upgrade listeners, and stop() takes only its own listeners off', async () => {
    const http = createServer();
    http.on('upgrade', (req: IncomingMessage, socket) => {
      if (req.url !== '/ws') socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    const counts = (): number[] => ['upgrade', 'listening', 'error'].map((event) => http.listenerCount(event));
    const before = counts();
    const { settings: options, events, upgrades } = settings();
    const listener = new HttpListener(options, http);
    expect(counts()).toEqual(before.map((n) => n + 1));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => { http.closeAllConnections(); http.close(r); }));
    const port = portOf(listener.address());
    expect(statusOf(await exchange(port, upgradeRequest('/ws')))).toBe(418);
    expect(statusOf(await exchange(port, upgradeRequest('/other')))).toBe(404);
    expect(upgrades).toEqual(['/ws']);
    await listener.stop();
    expect([http.listening, counts(), events]).toEqual([true, before, ['listening']]);
  });
});

describe('standalone', () => {
  it('answers a plain HTTP request with 426 Upgrade Required', async () => {
    const { port } = await listen();
    const res = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusOf(res)).toBe(426);
    expect(bodyOf(res)).toBe('Upgrade Required: this endpoint only speaks WebSocket.');
    expect(headerOf(res, 'upgrade')).toBe('websocket');
    expect(headerOf(res, 'sec-websocket-version')).toBe('13');
  });

  it('answers a non-GET upgrade with 405 and garbage with 400, and keeps serving', async () => {
    const { port } = await listen();
    const post = await exchange(port, upgradeRequest('/').replace('GET', 'POST'));
    expect(statusOf(post)).toBe(405);
    expect(headerOf(post, 'allow')).toBe('GET');
    const garbage = await exchange(port, '\x00\x01\x02 nonsense\r\n\r\n');
    expect(statusOf(garbage)).toBe(400);
    const after = await exchange(port, upgradeRequest('/').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 7'));
    expect(statusOf(after)).toBe(426);
  });

  it('answers a request head over maxHeaderSize with 431', async () => {
    const { port } = await listen({ maxHeaderSize: 1024 });
    const res = await exchange(port, upgradeRequest('/', { 'X-Big': 'a'.repeat(2000) }));
    expect(statusOf(res)).toBe(431);
  });

  it('cuts off a client that trickles its request (handshakeTimeoutMs)', async () => {
    const { wss, port } = await listen({ handshakeTimeoutMs: 300 });
    const errors: string[] = [];
    wss.on('handshakeError', (err) => errors.push(err.code));
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
    expect(statusOf(received)).toBe(408);
    expect(errors).toContain('WS_ERR_HANDSHAKE_TIMEOUT');
  });

  it("an open connection is not cut by the standalone server's request timeouts", async () => {
    // Generous enough for a loaded CI machine to finish the handshake inside it; the wait after
    // the open is what the test is about: well past the timeout, the connection must still work.
    const { wss, url } = await listen({ handshakeTimeoutMs: 1_000 });
    wss.on('connection', echo);
    const client = await dial(url);
    await new Promise((r) => setTimeout(r, 2_500));
    client.send('still here');
    const [msg] = await nextMessage(client);
    expect(msg.toString()).toBe('still here');
    expect(wss.connectionCount).toBe(1);
  });

  it('emits error for a port in use, and close() still resolves', async () => {
    const { port } = await listen();
    const second = new WebSocketServer({ port, host: '127.0.0.1', heartbeat: false });
    const [err] = (await once(second, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('EADDRINUSE');
    await second.shutdown();
  });

  it('close() right after the constructor waits for the bind, then stops listening', async () => {
    const wss = new WebSocketServer({ port: 0, host: 'localhost', heartbeat: false });
    let listened = false;
    wss.on('listening', () => (listened = true));
    await wss.shutdown();
    expect(listened).toBe(true);
    expect(() => portOf(wss.address())).toThrow();
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
    cleanups.push(() => wss.shutdown({ timeoutMs: 100 }));
    expect(await httpGet(port, '/health')).toEqual({ status: 200, body: 'ok' });
    expect(portOf(wss.address())).toBe(port);
    const refused = await exchange(port, upgradeRequest('/ws').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 12'));
    expect(statusOf(refused)).toBe(426);
  });

  it('answers 400 for another path when it is the only upgrade listener, and leaves it alone otherwise', async () => {
    const { http, port } = await httpWithRoute();
    const wss = new WebSocketServer({ server: http, path: '/ws', heartbeat: false });
    cleanups.push(() => wss.shutdown({ timeoutMs: 100 }));
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
    await wss.shutdown();
    expect(http.listenerCount('upgrade')).toBe(before);
    expect(http.listening).toBe(true);
    expect(await httpGet(port, '/health')).toEqual({ status: 200, body: 'ok' });
  });

  it('accepts WebSocket connections on path while a normal GET route answers 200 on the same port', async () => {
    const http = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 404);
      res.end(req.url === '/health' ? 'ok' : '');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => { http.closeAllConnections(); http.close(r); }));
    const wss = new WebSocketServer({ server: http, path: '/ws', heartbeat: false });
    cleanups.push(() => wss.shutdown({ timeoutMs: 100 }));
    wss.on('connection', echo);
    const port = portOf(http.address());
    const client = await dial(`ws://127.0.0.1:${port}/ws?token=1`);
    client.send('attached');
    const [msg] = await nextMessage(client);
    expect(msg.toString()).toBe('attached');
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
  });
});
