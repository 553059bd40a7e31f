import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAcceptKey } from '@rfc6455/handshake';
import { useTestScope } from '../../test/harness.ts';
import { makeCertificate, once } from '../../test/peer.ts';
import type { Peer } from '../../test/peer.ts';
import type { ClientError } from './client-error.ts';
import type { CloseEvent, ErrorEvent } from './events.ts';
import { WebSocket } from './websocket.ts';

const { peer, listen, track } = useTestScope();

async function rejection(promise: Promise<WebSocket>): Promise<ClientError> {
  try {
    track(await promise);
  } catch (err) {
    return err as ClientError;
  }
  throw new Error('expected the connection to fail');
}

/** A peer that answers the upgrade with `answer(key)` written raw. */
function rawPeer(answer: (key: string) => string): Promise<Peer> {
  return peer({
    onUpgrade: (request: IncomingMessage, socket: Socket) => {
      socket.end(answer(request.headers['sec-websocket-key'] as string));
      return true;
    },
  });
}

describe('handshake rejections', () => {
  it('a non-101 status rejects with status, headers and a body excerpt of at most 1 KiB', async () => {
    const body = `denied:${'x'.repeat(2000)}`;
    const p = await rawPeer(
      () => `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nX-Why: policy\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    const err = await rejection(WebSocket.connect(p.url));
    expect(err.code).toBe('WS_ERR_UNEXPECTED_STATUS');
    expect(err.closeCode).toBe(1006);
    expect(err.status).toBe(403);
    expect(err.headers['x-why']).toBe('policy');
    expect(err.body).toBe(body.slice(0, 1024));
    expect(err.message).toContain('403');
  });

  it('WHATWG path: error event then close event 1006, never open', async () => {
    const p = await rawPeer(() => 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops');
    const ws = new WebSocket(p.url);
    const events: string[] = [];
    ws.onopen = () => events.push('open');
    ws.onerror = (event: ErrorEvent) => events.push(`error:${(event.error as ClientError).code}:${(event.error as ClientError).body}`);
    const close = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    const event = await close;
    expect(events).toEqual(['error:WS_ERR_UNEXPECTED_STATUS:oops']);
    expect([event.code, event.wasClean]).toEqual([1006, false]);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('a wrong Sec-WebSocket-Accept rejects with WS_ERR_INVALID_ACCEPT', async () => {
    const p = await rawPeer(
      () => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${createAcceptKey('AAAAAAAAAAAAAAAAAAAAAA==')}\r\n\r\n`,
    );
    const err = await rejection(WebSocket.connect(p.url));
    expect(err.code).toBe('WS_ERR_INVALID_ACCEPT');
    expect(err.status).toBe(101);
    expect(err.closeCode).toBe(1006);
  });

  it('a subprotocol that was not offered rejects with WS_ERR_UNEXPECTED_SUBPROTOCOL', async () => {
    const p = await rawPeer(
      (key) =>
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${createAcceptKey(key)}\r\nSec-WebSocket-Protocol: other\r\n\r\n`,
    );
    const err = await rejection(WebSocket.connect(p.url, { protocols: ['mine'] }));
    expect(err.code).toBe('WS_ERR_UNEXPECTED_SUBPROTOCOL');
    expect(err.headers['sec-websocket-protocol']).toBe('other');
  });

  it('hands the response to an unexpected-response listener instead of failing', async () => {
    const p = await rawPeer(() => 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n');
    const ws = new WebSocket(p.url);
    track(ws);
    const errors: unknown[] = [];
    ws.on('error', (err) => errors.push(err));
    const [, res] = await new Promise<[unknown, IncomingMessage]>((resolve) =>
      ws.on('unexpected-response', (req: unknown, response: IncomingMessage) => resolve([req, response])),
    );
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(errors).toEqual([]);
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
    const close = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.terminate();
    expect(await close).toBe(1006);
    expect(errors.map((e) => (e as ClientError).code)).toEqual(['WS_ERR_ABORTED']);
  });

  it('a refused TCP connection rejects with WS_ERR_CONNECTION_FAILED carrying the cause', async () => {
    const server = createServer();
    const port = await listen(server);
    server.close();
    const err = await rejection(WebSocket.connect(`ws://127.0.0.1:${port}`));
    expect(err.code).toBe('WS_ERR_CONNECTION_FAILED');
    expect((err.cause as { code: string }).code).toBe('ECONNREFUSED');
  });
});

describe('TLS', () => {
  let certificate: { key: string; cert: string };
  beforeAll(() => {
    certificate = makeCertificate();
  });

  it('connects to wss:// with the CA given, by IP and by host name (SNI)', async () => {
    const p = await peer({ tls: certificate });
    const ws = await WebSocket.connect(p.url, { ca: certificate.cert });
    track(ws);
    expect(ws.url).toBe(`wss://127.0.0.1:${p.port}/`);
    const echo = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('over tls');
    expect(await echo).toBe('over tls');

    const named = await WebSocket.connect(`wss://localhost:${p.port}/`, { ca: certificate.cert, servername: 'localhost' });
    track(named);
    expect(named.readyState).toBe(WebSocket.OPEN);
  });

  it('passes tls.connect options through, as ws does: checkServerIdentity decides, minVersion applies', async () => {
    const p = await peer({ tls: certificate });
    const checked: string[] = [];
    const refused = await rejection(
      WebSocket.connect(`wss://localhost:${p.port}/`, {
        ca: certificate.cert,
        checkServerIdentity: (host: string) => {
          checked.push(host);
          return new Error('not the server we expected');
        },
      }),
    );
    expect([refused.code, (refused.cause as Error).message, checked]).toEqual(['WS_ERR_CONNECTION_FAILED', 'not the server we expected', ['localhost']]);
    const modern = track(await WebSocket.connect(p.url, { ca: certificate.cert, minVersion: 'TLSv1.3' }));
    expect((modern.socket as TLSSocket).getProtocol()).toBe('TLSv1.3');
    // A key inside the tls option that tls.connect does not take is refused like any other.
    expect(() => new WebSocket(p.url, { tls: { rejectUnauthorised: false } as never })).toThrow(/tls: unknown option "rejectUnauthorised"; did you mean "rejectUnauthorized"\?/);
  });

  it('refuses an untrusted certificate unless rejectUnauthorized is false', async () => {
    const p = await peer({ tls: certificate });
    const err = await rejection(WebSocket.connect(p.url));
    expect(err.code).toBe('WS_ERR_CONNECTION_FAILED');
    expect((err.cause as { code: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    const ws = await WebSocket.connect(p.url, { rejectUnauthorized: false });
    track(ws);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });
});

/** A CONNECT proxy that pipes to the target and records the authorities asked for. */
async function startProxy(options: { refuse?: boolean } = {}): Promise<{ url: string; targets: string[]; auth: Array<string | undefined> }> {
  const targets: string[] = [];
  const auth: Array<string | undefined> = [];
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    targets.push(req.url ?? '');
    auth.push(req.headers['proxy-authorization']);
    client.on('error', () => undefined);
    if (options.refuse) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host === 'localhost' ? '127.0.0.1' : host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
  });
  const port = await listen(proxy);
  return { url: `http://127.0.0.1:${port}`, targets, auth };
}

describe('CONNECT proxy', () => {
  it('tunnels ws:// through the proxy option, with Proxy-Authorization from the URL', async () => {
    const p = await peer();
    const proxy = await startProxy();
    const ws = await WebSocket.connect(p.url, { proxy: proxy.url.replace('http://', 'http://user:p%40ss@') });
    track(ws);
    expect(proxy.targets).toEqual([`127.0.0.1:${p.port}`]);
    expect(proxy.auth).toEqual([`Basic ${Buffer.from('user:p@ss').toString('base64')}`]);
    const echo = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('through the tunnel');
    expect(await echo).toBe('through the tunnel');
  });

  it('tunnels wss:// (TLS inside the tunnel) with proxy: "env", honouring NO_PROXY', async () => {
    const certificate = makeCertificate();
    const p = await peer({ tls: certificate });
    const proxy = await startProxy();
    const saved = { https: process.env.https_proxy, no: process.env.no_proxy };
    process.env.https_proxy = proxy.url;
    process.env.no_proxy = 'example.invalid';
    try {
      const ws = await WebSocket.connect(p.url, { proxy: 'env', ca: certificate.cert });
      track(ws);
      expect(proxy.targets).toEqual([`127.0.0.1:${p.port}`]);
      process.env.no_proxy = '127.0.0.1';
      const direct = await WebSocket.connect(p.url, { proxy: 'env', ca: certificate.cert });
      track(direct);
      expect(proxy.targets).toHaveLength(1);
    } finally {
      if (saved.https === undefined) delete process.env.https_proxy;
      else process.env.https_proxy = saved.https;
      if (saved.no === undefined) delete process.env.no_proxy;
      else process.env.no_proxy = saved.no;
    }
  });

  it('a proxy that refuses CONNECT rejects with WS_ERR_PROXY_CONNECT_FAILED and its status', async () => {
    const p = await peer();
    const proxy = await startProxy({ refuse: true });
    const err = await rejection(WebSocket.connect(p.url, { proxy: proxy.url }));
    expect(err.code).toBe('WS_ERR_PROXY_CONNECT_FAILED');
    expect(err.status).toBe(403);
  });
});

describe('redirects', () => {
  /** An HTTP server that answers every upgrade request with a redirect to `location()`. */
  async function redirector(location: () => string, status = 302): Promise<{ url: string; requests: IncomingMessage[] }> {
    const requests: IncomingMessage[] = [];
    const server = createServer();
    server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
      requests.push(req);
      socket.end(`HTTP/1.1 ${status} Found\r\nLocation: ${location()}\r\nContent-Length: 0\r\n\r\n`);
    });
    const port = await listen(server);
    return { url: `ws://127.0.0.1:${port}`, requests };
  }

  const credentials = { Authorization: 'Bearer secret', Cookie: 'session=1', 'X-Keep': 'yes' };

  it('follows a cross-origin redirect and drops Authorization and Cookie', async () => {
    const target = await peer();
    const start = await redirector(() => `http://localhost:${target.port}/landing?q=1`);
    const ws = await WebSocket.connect(`${start.url}/from`, {
      followRedirects: true,
      headers: credentials,
    });
    track(ws);
    expect(ws.url).toBe(`ws://localhost:${target.port}/landing?q=1`);
    expect(start.requests[0]!.headers.authorization).toBe('Bearer secret');
    const landed = target.requests[0]!;
    expect(landed.url).toBe('/landing?q=1');
    expect(landed.headers.authorization).toBeUndefined();
    expect(landed.headers.cookie).toBeUndefined();
    expect(landed.headers['x-keep']).toBe('yes');
  });

  it('keeps credentials on a same-origin redirect', async () => {
    const target = await peer();
    // The same server redirects /old to /new: wrap its upgrade handler.
    const listeners = target.server.listeners('upgrade') as Array<(...args: unknown[]) => void>;
    target.server.removeAllListeners('upgrade');
    target.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (req.url === '/old') {
        target.requests.push(req);
        socket.end('HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      for (const listener of listeners) listener(req, socket, head);
    });
    const ws = await WebSocket.connect(`${target.url}/old`, { followRedirects: true, headers: credentials });
    track(ws);
    expect(target.requests.map((r) => r.url)).toEqual(['/old', '/new']);
    expect(target.requests[1]!.headers.authorization).toBe('Bearer secret');
    expect(target.requests[1]!.headers.cookie).toBe('session=1');
  });

  it('does not follow by default: a 3xx is an unexpected status', async () => {
    const start = await redirector(() => 'ws://127.0.0.1:1/');
    const err = await rejection(WebSocket.connect(start.url));
    expect(err.code).toBe('WS_ERR_UNEXPECTED_STATUS');
    expect(err.status).toBe(302);
    expect(err.headers.location).toBe('ws://127.0.0.1:1/');
  });

  it('stops after maxRedirects', async () => {
    let self = '';
    const loop = await redirector(() => self);
    self = `${loop.url}/again`;
    const err = await rejection(WebSocket.connect(loop.url, { followRedirects: true, maxRedirects: 3 }));
    expect(err.code).toBe('WS_ERR_TOO_MANY_REDIRECTS');
    expect(loop.requests).toHaveLength(4);
  });

  it('an invalid Location rejects with WS_ERR_INVALID_REDIRECT', async () => {
    const start = await redirector(() => 'ftp://127.0.0.1/file');
    const err = await rejection(WebSocket.connect(start.url, { followRedirects: true }));
    expect(err.code).toBe('WS_ERR_INVALID_REDIRECT');
  });
});

describe('transports and the upgrade request', () => {
  it('connects over IPv6 loopback, or fails with WS_ERR_CONNECTION_FAILED on a machine without it', async () => {
    const { createServer } = await import('node:http');
    const probe = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => resolve(true));
    });
    probe.close();
    if (!ok) {
      // No ::1 on this machine: the dial must fail with the typed error, not hang or throw.
      await expect(WebSocket.connect('ws://[::1]:9/v6')).rejects.toMatchObject({ code: 'WS_ERR_CONNECTION_FAILED' });
      return;
    }
    const { acceptClientRequest } = await import('@rfc6455/handshake');
    const server = createServer();
    const hosts: Array<string | undefined> = [];
    server.on('upgrade', (request, socket: Socket) => {
      hosts.push(request.headers.host);
      socket.write(acceptClientRequest({ headers: request.rawHeaders }).response);
      WebSocket.fromSocket(socket, undefined, { role: 'server' }).on('message', function (this: WebSocket, data) {
        this.send(String(data));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const ws = track(await WebSocket.connect(`ws://[::1]:${port}/v6`));
      expect(hosts).toEqual([`[::1]:${port}`]);
      const reply = once<[Buffer]>(ws, 'message');
      ws.send('six');
      expect(String((await reply)[0])).toBe('six');
    } finally {
      server.close();
    }
  });

  it('uses createConnection when given', async () => {
    const p = await peer();
    const { connect } = await import('node:net');
    const calls: Array<{ host?: string; port?: number }> = [];
    const ws = track(
      await WebSocket.connect(p.url, {
        createConnection: (options) => {
          calls.push({ host: options.host ?? undefined, port: Number(options.port) });
          return connect({ host: '127.0.0.1', port: p.port });
        },
      }),
    );
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(calls).toEqual([{ host: '127.0.0.1', port: p.port }]);
  });

  it('emits upgrade with the 101 response before open, and works through an http.Agent', async () => {
    const p = await peer({ protocols: ['x'] });
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true });
    try {
      const ws = track(new WebSocket(p.url, 'x', { agent }));
      const order: string[] = [];
      ws.on('upgrade', (res) =>
        order.push(`upgrade:${res.statusCode}:${res.headers['sec-websocket-protocol']}`),
      );
      ws.on('open', () => order.push('open'));
      await once(ws, 'open');
      expect(order).toEqual(['upgrade:101:x', 'open']);
      const reply = once<[Buffer]>(ws, 'message');
      ws.send('via agent');
      expect(String((await reply)[0])).toBe('via agent');
    } finally {
      agent.destroy();
    }
  });
});

describe("ws's dialling options and events", () => {
  /** A server answering every upgrade with a valid 101, recording the requests and server-side sockets. */
  function upgrader(): { server: ReturnType<typeof createServer>; requests: IncomingMessage[]; sockets: Socket[] } {
    const requests: IncomingMessage[] = [];
    const sockets: Socket[] = [];
    const server = createServer();
    server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
      requests.push(req);
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.on('end', () => socket.end());
      const accept = createAcceptKey(req.headers['sec-websocket-key'] as string);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    });
    return { server, requests, sockets };
  }

  it('close() in an unexpected-response listener ends the attempt and closes the TCP connection', async () => {
    let serverSide: Socket | undefined;
    const p = await peer({
      onUpgrade: (_request, socket) => {
        serverSide = socket;
        // A keep-alive answer: the server leaves the connection open.
        socket.write('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
        return true;
      },
    });
    const ws = track(new WebSocket(p.url));
    const errors: string[] = [];
    ws.on('error', (err) => errors.push((err as ClientError).code));
    ws.on('unexpected-response', () => ws.close());
    const [code] = await once<[number]>(ws, 'close');
    // The server sees the client end the TCP connection (before the fix it stayed open: no 'end' came and the test timed out).
    await once(serverSide!, 'end');
    expect([code, errors]).toEqual([1006, ['WS_ERR_ABORTED']]);
  });

  it("emits 'upgrade' when the 101 arrives, before checking it (as ws): a bad Sec-WebSocket-Accept still fails after it", async () => {
    const p = await rawPeer(() => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSBrZXk=\r\n\r\n');
    const ws = track(new WebSocket(p.url));
    const events: string[] = [];
    ws.on('upgrade', (res) => events.push(`upgrade ${res.statusCode}`));
    ws.on('error', (err) => events.push(`error ${(err as ClientError).code}`));
    const [code] = await once<[number]>(ws, 'close');
    expect([...events, `close ${code}`]).toEqual(['upgrade 101', 'error WS_ERR_INVALID_ACCEPT', 'close 1006']);
  });

  it('protocolVersion 8 sends Sec-WebSocket-Version: 8 and the origin in Sec-WebSocket-Origin; auth becomes Basic credentials', async () => {
    const { server, requests } = upgrader();
    const port = await listen(server);
    const ws = track(await WebSocket.connect(`ws://127.0.0.1:${port}/v8`, { protocolVersion: 8, origin: 'https://app.example', auth: 'user:pw' }));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const headers = requests[0]!.headers;
    expect([headers['sec-websocket-version'], headers['sec-websocket-origin'], headers.origin]).toEqual(['8', 'https://app.example', undefined]);
    expect(headers.authorization).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
  });

  it('finishRequest(request, websocket) is called instead of request.end(), for the first request and each redirect', async () => {
    const { server, requests } = upgrader();
    const port = await listen(server);
    const redirect = createServer();
    redirect.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
      socket.end(`HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:${port}/there\r\nContent-Length: 0\r\n\r\n`);
    });
    const from = await listen(redirect);
    const seen: unknown[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${from}/here`, {
      followRedirects: true,
      finishRequest: (request, websocket) => {
        seen.push(websocket);
        request.setHeader('X-Late', String(seen.length));
        request.end();
      },
    });
    track(ws);
    await once(ws, 'open');
    expect(seen).toEqual([ws, ws]);
    expect([requests[0]!.url, requests[0]!.headers['x-late']]).toEqual(['/there', '2']);
  });

  it("emits redirect(url, request) before following, and a listener keeps the credentials across hosts (ws's rule)", async () => {
    const { server, requests } = upgrader();
    const port = await listen(server);
    const redirect = createServer();
    redirect.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
      socket.end(`HTTP/1.1 301 Moved\r\nLocation: ws://localhost:${port}/next\r\nContent-Length: 0\r\n\r\n`);
    });
    const from = await listen(redirect);
    const ws = track(new WebSocket(`ws://127.0.0.1:${from}/`, { followRedirects: true, headers: { Authorization: 'Bearer t', Cookie: 'c=1' } }));
    const redirects: Array<[string, string | undefined]> = [];
    ws.on('redirect', (url: string, request: { getHeader(name: string): unknown; removeHeader(name: string): void }) => {
      redirects.push([url, request.getHeader('authorization') as string | undefined]);
      request.removeHeader('cookie');
    });
    await once(ws, 'open');
    expect(redirects).toEqual([[`ws://localhost:${port}/next`, 'Bearer t']]);
    expect([requests[0]!.headers.authorization, requests[0]!.headers.cookie]).toEqual(['Bearer t', undefined]);
    expect(ws.url).toBe(`ws://localhost:${port}/next`);
  });

  it('handshakeTimeout bounds each request: a server that never answers fails with WS_ERR_HANDSHAKE_TIMEOUT', async () => {
    const silent = createServer();
    silent.on('upgrade', () => undefined);
    const port = await listen(silent);
    const ws = track(new WebSocket(`ws://127.0.0.1:${port}`, { handshakeTimeout: 50 }));
    const [err] = await once<[ClientError]>(ws, 'error');
    expect([err.code, err.message]).toEqual(['WS_ERR_HANDSHAKE_TIMEOUT', 'Opening handshake has timed out: not complete within handshakeTimeout (50 ms)']);
    expect(() => new WebSocket(`ws://127.0.0.1:${port}`, { handshakeTimeout: 50, handshakeTimeoutMs: 50 })).toThrow(/give handshakeTimeout/);
  });

  it('connects to a ws+unix: URL over the Unix domain socket, with the path after the colon', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'rfc6455-ipc-'));
    const socketPath = join(dir, 'ws.sock');
    const { server, requests, sockets } = upgrader();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const ws = track(new WebSocket(`ws+unix:${socketPath}:/chat?room=1`));
      expect(ws.url).toBe(`ws+unix:${socketPath}:/chat?room=1`);
      await once(ws, 'open');
      expect(requests[0]!.url).toBe('/chat?room=1');
      ws.terminate();
      expect(() => new WebSocket('ws+unix:')).toThrow(SyntaxError);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes http.request options through: lookup and localAddress are used', async () => {
    const { server, sockets } = upgrader();
    const port = await listen(server);
    const looked: string[] = [];
    const ws = track(
      await WebSocket.connect(`ws://websocket.test:${port}`, {
        localAddress: '127.0.0.1',
        lookup: (hostname: string, options: object, callback: (...args: unknown[]) => void) => {
          looked.push(hostname);
          if ((options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
          else callback(null, '127.0.0.1', 4);
        },
      } as never),
    );
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(looked).toEqual(['websocket.test']);
    expect(sockets[0]!.remoteAddress).toBe('127.0.0.1');
  });
});
