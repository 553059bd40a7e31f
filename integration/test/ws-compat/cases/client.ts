/**
 * doc/ws.md, "Class: WebSocket": constructor options, events and methods of a client. The peer is
 * always the same — ws's own server from npm, or a hand-written HTTP server where a case needs
 * the raw handshake — so that each case measures the client only.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer as PeerServer } from 'ws';
import { cases, check, next, same } from '../harness.ts';
import type { Impl, Scope } from '../harness.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- ws-shaped objects of either library */

/** ws's server on a free loopback port, closed after the case. */
async function peer(scope: Scope, options: Record<string, unknown> = {}): Promise<{ wss: PeerServer; url: string; port: number }> {
  const wss = new PeerServer({ port: 0, host: '127.0.0.1', ...options });
  scope.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  await next(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  return { wss, url: `ws://127.0.0.1:${port}`, port };
}

/** The next connection of `wss`, with its request. */
async function connection(wss: PeerServer): Promise<[any, IncomingMessage]> {
  return (await next(wss, 'connection')) as [any, IncomingMessage];
}

/** A plain HTTP server whose upgrade requests go to `onUpgrade`; its sockets are destroyed after the case. */
async function raw(scope: Scope, onUpgrade: (req: IncomingMessage, socket: Socket) => void, listenOn?: string): Promise<{ server: Server; port: number; url: string }> {
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onUpgrade(req, socket);
  });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  scope.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  if (listenOn !== undefined) {
    await new Promise<void>((resolve) => server.listen(listenOn, resolve));
    return { server, port: 0, url: '' };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, port, url: `ws://127.0.0.1:${port}` };
}

/** Answer an upgrade request with a valid 101 (RFC 6455 §4.2.2). */
function accept(req: IncomingMessage, socket: Socket, extra = ''): void {
  const key = createHash('sha1').update(`${req.headers['sec-websocket-key'] as string}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${key}\r\n${extra}\r\n`);
}

/**
 * A client whose errors the case does not look at: ws throws an 'error' event nobody listens to
 * (the cleanup's terminate() of a CONNECTING client emits one).
 */
function client(impl: Impl, scope: Scope, url: string, ...rest: unknown[]): any {
  const ws = scope.client(impl, url, ...rest);
  ws.on('error', () => undefined);
  return ws;
}

/** A server that fails the connection (RFC 6455 §7.1.7) answers our close frame by ending TCP. */
function endOnData(socket: Socket): void {
  socket.once('data', () => socket.end());
}

/** A client to `url`, once open. */
async function open(impl: Impl, scope: Scope, url: string, ...rest: unknown[]): Promise<any> {
  const ws = client(impl, scope, url, ...rest);
  await next(ws, 'open');
  return ws;
}

/** A client whose connection attempt fails: the error's message and the close code. */
async function failure(impl: Impl, scope: Scope, url: string, ...rest: unknown[]): Promise<{ error: any; code: number; opened: boolean }> {
  const ws = scope.client(impl, url, ...rest);
  let error: any;
  let opened = false;
  ws.on('error', (err: unknown) => (error ??= err));
  ws.on('open', () => (opened = true));
  const [code] = await next(ws, 'close');
  return { error, code, opened };
}

/** An unmasked server frame (RFC 6455 §5.2) with a payload under 126 bytes. */
function frame(opcode: number, payload: Buffer | string, fin = true): Buffer {
  const body = Buffer.from(payload);
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, body.length]), body]);
}

/** Everything `count` messages bring, as [text, isBinary]. */
function messages(ws: any, count: number): Promise<Array<[string, boolean]>> {
  return new Promise((resolve) => {
    const got: Array<[string, boolean]> = [];
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      got.push([Buffer.from(data as Buffer).toString(), isBinary]);
      if (got.length === count) resolve(got);
    });
  });
}

export default cases('Class: WebSocket', {
  // ── new WebSocket(address[, protocols][, options]) ──────────────────────────────────────────
  'client.constructor.protocols': async (impl, scope) => {
    const { url } = await peer(scope, { handleProtocols: (set: Set<string>) => (set.has('b') ? 'b' : false) });
    const ws = await open(impl, scope, url, ['a', 'b']);
    same(ws.protocol, 'b', 'the subprotocol the server selected');
    check(ws.readyState === impl.WebSocket.OPEN && ws.OPEN === 1, 'OPEN, as the static and instance constant');
  },
  'client.constructor.options-in-place-of-protocols': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const got = connection(wss);
    await open(impl, scope, url, { headers: { 'X-Two-Args': 'yes' } });
    same((await got)[1].headers['x-two-args'], 'yes', 'options given as the second argument');
  },
  'client.option.allowSynchronousEvents': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => {
      peerWs.send('a');
      peerWs.send('b');
    });
    const ws = client(impl, scope, url, { allowSynchronousEvents: false });
    const order: string[] = [];
    let sameTurn = false;
    const done = new Promise<void>((resolve) =>
      ws.on('message', (data: Buffer) => {
        order.push(`${String(data)}:${sameTurn ? 'same' : 'later'}`);
        sameTurn = true;
        setImmediate(() => (sameTurn = false));
        if (order.length === 2) resolve();
      }),
    );
    await done;
    same(order, ['a:later', 'b:later'], 'each message in its own turn of the event loop');
  },
  'client.option.autoPong': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = await open(impl, scope, url, { autoPong: false });
    const [peerWs] = await server;
    let ponged = false;
    peerWs.on('pong', () => (ponged = true));
    const ping = next(ws, 'ping');
    peerWs.ping('hello');
    same(String((await ping)[0]), 'hello', "the 'ping' event carries the payload");
    // A round trip after the ping: had a pong been sent, it would have arrived before this echo.
    const echo = next(peerWs, 'message');
    ws.send('after');
    await echo;
    check(!ponged, 'autoPong: false sends no pong');
  },
  'client.option.closeTimeout': async (impl, scope) => {
    // A server that reads but never answers the closing handshake.
    const { url } = await raw(scope, (req, socket) => accept(req, socket));
    const ws = await open(impl, scope, url, { closeTimeout: 100 });
    ws.close(1000);
    const [code] = await next(ws, 'close', 2000);
    same(code, 1006, 'the connection is terminated after closeTimeout');
  },
  'client.option.createConnection': async (impl, scope) => {
    const { port, url } = await peer(scope);
    const { connect } = await import('node:net');
    const seen: unknown[] = [];
    await open(impl, scope, url.replace('127.0.0.1', 'localhost'), {
      createConnection: (options: { host?: string; port?: number | string }) => {
        seen.push([options.host, Number(options.port)]);
        return connect({ host: '127.0.0.1', port });
      },
    });
    same(seen, [['localhost', port]], 'createConnection opens the transport, with the URL host and port');
  },
  'client.option.finishRequest': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const got = connection(wss);
    let seen: unknown;
    const ws = client(impl, scope, url, {
      finishRequest: (request: any, websocket: unknown) => {
        seen = websocket;
        request.setHeader('X-Late', 'set');
        request.end();
      },
    });
    await next(ws, 'open');
    same((await got)[1].headers['x-late'], 'set', 'the header set by finishRequest');
    check(seen === ws, 'finishRequest gets the WebSocket');
  },
  'client.option.followRedirects': async (impl, scope) => {
    const { wss, port } = await peer(scope);
    const got = connection(wss);
    const { url } = await raw(scope, (_req, socket) => socket.end(`HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:${port}/moved\r\nContent-Length: 0\r\n\r\n`));
    const ws = await open(impl, scope, `${url}/start`, { followRedirects: true });
    same([(await got)[1].url, ws.url], ['/moved', `ws://127.0.0.1:${port}/moved`], 'the redirect was followed');
  },
  'client.option.followRedirects-default-off': async (impl, scope) => {
    const { url } = await raw(scope, (_req, socket) => socket.end('HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n'));
    const { error, code, opened } = await failure(impl, scope, url);
    same([opened, code, /302/.test(String(error?.message))], [false, 1006, true], 'a redirect is an unexpected response by default');
  },
  'client.option.maxRedirects': async (impl, scope) => {
    let hops = 0;
    const { url } = await raw(scope, (_req, socket) => {
      hops++;
      socket.end('HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n');
    });
    const { error, code } = await failure(impl, scope, url, { followRedirects: true, maxRedirects: 2 });
    same([hops, code, error instanceof Error], [3, 1006, true], 'two redirects followed, the third refused');
  },
  'client.option.generateMask': async (impl, scope) => {
    let key: Buffer | undefined;
    const { url } = await raw(scope, (req, socket) => {
      accept(req, socket);
      socket.once('data', (chunk: Buffer) => {
        key = Buffer.from(chunk.subarray(2, 6));
        socket.destroy();
      });
    });
    const ws = await open(impl, scope, url, { generateMask: (mask: Buffer) => mask.fill(0x2a) });
    ws.send('x');
    await next(ws, 'close');
    same(key?.toString('hex'), '2a2a2a2a', 'the masking key is the one generateMask wrote');
  },
  'client.option.handshakeTimeout': async (impl, scope) => {
    const { url } = await raw(scope, () => undefined);
    const { error, code, opened } = await failure(impl, scope, url, { handshakeTimeout: 50 });
    same([opened, code, /timed out/.test(String(error?.message))], [false, 1006, true], 'the handshake times out');
  },
  'client.option.headers': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const got = connection(wss);
    await open(impl, scope, url, { headers: { Cookie: 'a=1', 'X-Extra': 'x' } });
    const { headers } = (await got)[1];
    same([headers.cookie, headers['x-extra']], ['a=1', 'x'], 'the extra headers');
  },
  'client.option.maxFragments': async (impl, scope) => {
    const { url } = await raw(scope, (req, socket) => {
      accept(req, socket);
      endOnData(socket);
      socket.write(Buffer.concat([frame(0x1, 'a', false), frame(0x0, 'b', false), frame(0x0, 'c', true)]));
    });
    const ws = client(impl, scope, url, { maxFragments: 2 });
    const error = next(ws, 'error');
    await next(ws, 'close');
    same((await error)[0].code, 'WS_ERR_TOO_MANY_BUFFERED_PARTS', 'a message in more fragments fails the connection');
  },
  'client.option.maxPayload': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => peerWs.send('x'.repeat(11)));
    const ws = client(impl, scope, url, { maxPayload: 10 });
    const error = next(ws, 'error');
    await next(ws, 'close');
    same((await error)[0].code, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'a message over maxPayload fails the connection');
  },
  'client.failure-close-code': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => peerWs.send('x'.repeat(11)));
    const ws = client(impl, scope, url, { maxPayload: 10 });
    const [code] = await next(ws, 'close');
    same(code, 1006, 'the close event of a connection this end failed (here with 1009) says 1006');
  },
  'client.option.origin': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const got = connection(wss);
    await open(impl, scope, url, { origin: 'https://app.example' });
    same((await got)[1].headers.origin, 'https://app.example', 'the Origin header');
  },
  'client.option.perMessageDeflate': async (impl, scope) => {
    const { wss, url } = await peer(scope, { perMessageDeflate: true });
    const got = connection(wss);
    const ws = await open(impl, scope, url, { perMessageDeflate: { serverNoContextTakeover: true, threshold: 0 } });
    const offer = String((await got)[1].headers['sec-websocket-extensions']);
    check(offer.includes('permessage-deflate') && offer.includes('server_no_context_takeover'), `the offer asks for server_no_context_takeover: ${offer}`);
    check(String(ws.extensions).includes('permessage-deflate'), 'the extension was negotiated');
    const [peerWs] = await got;
    const echoed = next(ws, 'message');
    peerWs.on('message', (data: Buffer) => peerWs.send(data, { binary: false }));
    ws.send('compressed both ways');
    same(String((await echoed)[0]), 'compressed both ways', 'a message through permessage-deflate');
  },
  'client.option.perMessageDeflate-false': async (impl, scope) => {
    const { wss, url } = await peer(scope, { perMessageDeflate: true });
    const got = connection(wss);
    const ws = await open(impl, scope, url, { perMessageDeflate: false });
    same([(await got)[1].headers['sec-websocket-extensions'], ws.extensions], [undefined, ''], 'nothing offered');
  },
  'client.option.protocolVersion': async (impl, scope) => {
    let headers: IncomingMessage['headers'] | undefined;
    const { url } = await raw(scope, (req, socket) => {
      headers = req.headers;
      accept(req, socket);
    });
    await open(impl, scope, url, { protocolVersion: 8, origin: 'https://o.example' });
    same([headers?.['sec-websocket-version'], headers?.['sec-websocket-origin'], headers?.origin], ['8', 'https://o.example', undefined], 'version 8 and its origin header');
    let threw: unknown;
    try {
      new impl.WebSocket(url, { protocolVersion: 7 });
    } catch (err) {
      threw = err;
    }
    check(threw instanceof RangeError, 'an unsupported version is a RangeError');
  },
  'client.option.skipUTF8Validation': async (impl, scope) => {
    const { url } = await raw(scope, (req, socket) => {
      accept(req, socket);
      socket.write(frame(0x1, Buffer.from([0xff, 0x61])));
    });
    const ws = client(impl, scope, url, { skipUTF8Validation: true });
    const [data, isBinary] = await next(ws, 'message');
    same([Buffer.from(data).toString('hex'), isBinary], ['ff61', false], 'invalid UTF-8 delivered unchecked');
  },
  'client.option.utf8-checked-by-default': async (impl, scope) => {
    const { url } = await raw(scope, (req, socket) => {
      accept(req, socket);
      endOnData(socket);
      socket.write(frame(0x1, Buffer.from([0xff, 0x61])));
    });
    const ws = client(impl, scope, url);
    const error = next(ws, 'error');
    await next(ws, 'close');
    same((await error)[0].code, 'WS_ERR_INVALID_UTF8', 'invalid UTF-8 fails the connection');
  },
  'client.option.auth': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const got = connection(wss);
    await open(impl, scope, url, { auth: 'user:secret' });
    same((await got)[1].headers.authorization, `Basic ${Buffer.from('user:secret').toString('base64')}`, 'auth as Basic credentials');
  },
  'client.option.http-request-passthrough': async (impl, scope) => {
    const { wss, port } = await peer(scope);
    const got = connection(wss);
    const looked: string[] = [];
    await open(impl, scope, `ws://websocket.invalid:${port}`, {
      localAddress: '127.0.0.1',
      lookup: (hostname: string, options: any, callback: (...args: unknown[]) => void) => {
        looked.push(hostname);
        if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
        else callback(null, '127.0.0.1', 4);
      },
    });
    same([looked[0], (await got)[1].socket.remoteAddress], ['websocket.invalid', '127.0.0.1'], 'lookup and localAddress reach Node');
  },
  'client.ipc-url': async (impl, scope) => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-compat-ipc-'));
    scope.defer(() => rmSync(dir, { recursive: true, force: true }));
    const socketPath = join(dir, 'ws.sock');
    let path: string | undefined;
    await raw(
      scope,
      (req, socket) => {
        path = req.url;
        accept(req, socket);
      },
      socketPath,
    );
    const ws = await open(impl, scope, `ws+unix:${socketPath}:/chat?x=1`);
    same([path, ws.url], ['/chat?x=1', `ws+unix:${socketPath}:/chat?x=1`], 'the request path after the socket path');
  },

  // ── Events ──────────────────────────────────────────────────────────────────────────────────
  'client.event.close': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => peerWs.close(4001, 'bye'));
    const ws = client(impl, scope, url);
    const [code, reason] = await next(ws, 'close');
    same([code, Buffer.isBuffer(reason), String(reason), ws.readyState], [4001, true, 'bye', 3], 'code, reason as a Buffer, CLOSED');
  },
  'client.event.error': async (impl, scope) => {
    const { url } = await raw(scope, (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    const { error, code } = await failure(impl, scope, url);
    same([error instanceof Error, /403/.test(String(error?.message)), code], [true, true, 1006], 'an error, then close 1006');
  },
  'client.event.message': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => {
      peerWs.send('text');
      peerWs.send(Buffer.from([1, 2]));
    });
    const ws = client(impl, scope, url);
    const got: unknown[] = [];
    await new Promise<void>((resolve) =>
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        got.push([Buffer.isBuffer(data), data.toString('hex'), isBinary]);
        if (got.length === 2) resolve();
      }),
    );
    same(got, [[true, Buffer.from('text').toString('hex'), false], [true, '0102', true]], 'Buffers, and isBinary');
  },
  'client.event.open': async (impl, scope) => {
    const { url } = await peer(scope);
    const ws = client(impl, scope, url);
    same(ws.readyState, 0, 'CONNECTING before open');
    await next(ws, 'open');
    same(ws.readyState, 1, 'OPEN on open');
  },
  'client.event.ping-pong': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = await open(impl, scope, url);
    const [peerWs] = await server;
    const ping = next(ws, 'ping');
    const autoPong = next(peerWs, 'pong');
    peerWs.ping('p');
    same([String((await ping)[0]), String((await autoPong)[0])], ['p', 'p'], "'ping' and the automatic pong");
    const pong = next(ws, 'pong');
    peerWs.pong('q');
    same(String((await pong)[0]), 'q', "'pong' carries the payload");
  },
  'client.event.redirect': async (impl, scope) => {
    const { port } = await peer(scope);
    const { url } = await raw(scope, (_req, socket) => socket.end(`HTTP/1.1 301 Moved\r\nLocation: ws://localhost:${port}/r\r\nContent-Length: 0\r\n\r\n`));
    const ws = client(impl, scope, url, { followRedirects: true, headers: { Authorization: 'Bearer t' } });
    ws.on('error', () => undefined);
    const [to, request] = await next(ws, 'redirect');
    same([to, request.getHeader('authorization')], [`ws://localhost:${port}/r`, 'Bearer t'], 'the new URL, and the request with its headers (a listener: none dropped)');
    await next(ws, 'open');
  },
  'client.event.redirect-drops-credentials': async (impl, scope) => {
    const { wss, port } = await peer(scope);
    const got = connection(wss);
    const { url } = await raw(scope, (_req, socket) => socket.end(`HTTP/1.1 301 Moved\r\nLocation: ws://localhost:${port}/r\r\nContent-Length: 0\r\n\r\n`));
    await open(impl, scope, url, { followRedirects: true, headers: { Authorization: 'Bearer t', Cookie: 'c=1', 'X-Keep': 'k' } });
    const { headers } = (await got)[1];
    same([headers.authorization, headers.cookie, headers['x-keep']], [undefined, undefined, 'k'], 'another host: Authorization and Cookie dropped');
  },
  'client.event.unexpected-response': async (impl, scope) => {
    const { url } = await raw(scope, (_req, socket) => socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n'));
    const ws = client(impl, scope, url);
    const errors: unknown[] = [];
    ws.on('error', (err: unknown) => errors.push(err));
    const [request, response] = await next(ws, 'unexpected-response');
    same([response.statusCode, response.headers['www-authenticate'], typeof request.getHeader, errors.length], [401, 'Bearer', 'function', 0], 'the request and response, no error');
  },
  'client.event.unexpected-response-close': async (impl, scope) => {
    let serverSide: Socket | undefined;
    const { url } = await raw(scope, (_req, socket) => {
      serverSide = socket;
      socket.write('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    });
    const ws = client(impl, scope, url);
    ws.on('error', () => undefined);
    ws.on('unexpected-response', () => ws.close());
    const [code] = await next(ws, 'close');
    await next(serverSide!, 'end');
    same(code, 1006, 'close() in the listener ends the attempt and the TCP connection');
  },
  'client.event.upgrade': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('headers', (headers: string[]) => headers.push('Set-Cookie: s=1'));
    const ws = client(impl, scope, url);
    const order: string[] = [];
    ws.on('upgrade', (response: IncomingMessage) => order.push(`upgrade ${response.statusCode} ${String(response.headers['set-cookie'])}`));
    ws.on('open', () => order.push('open'));
    await next(ws, 'open');
    same(order, ['upgrade 101 s=1', 'open'], "'upgrade' with the response, before 'open'");
  },
  'client.event.upgrade-before-check': async (impl, scope) => {
    const { url } = await raw(scope, (_req, socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSBrZXk=\r\n\r\n'));
    const ws = client(impl, scope, url);
    const order: string[] = [];
    ws.on('upgrade', () => order.push('upgrade'));
    ws.on('error', () => order.push('error'));
    ws.on('open', () => order.push('open'));
    const [code] = await next(ws, 'close');
    same([...order, code], ['upgrade', 'error', 1006], "'upgrade' for any 101, then the failed check");
  },
  'client.event.upgrade-close': async (impl, scope) => {
    const { url } = await peer(scope);
    const ws = client(impl, scope, url);
    let opened = false;
    let error: unknown;
    ws.on('upgrade', () => ws.close());
    ws.on('open', () => (opened = true));
    ws.on('error', (err: unknown) => (error = err));
    const [code] = await next(ws, 'close');
    same([opened, error instanceof Error, code, ws.readyState], [false, true, 1006, 3], 'close() from the upgrade listener: error, close 1006, never open');
  },
  'client.event.upgrade-terminate': async (impl, scope) => {
    const { url } = await peer(scope);
    const ws = client(impl, scope, url);
    let opened = false;
    ws.on('upgrade', () => ws.terminate());
    ws.on('open', () => (opened = true));
    ws.on('error', () => undefined);
    const [code] = await next(ws, 'close');
    same([opened, code], [false, 1006], 'terminate() from the upgrade listener: never open');
  },

  // ── Methods and properties ──────────────────────────────────────────────────────────────────
  'client.addEventListener': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => {
      peerWs.send('one');
      peerWs.send('two');
    });
    const ws = client(impl, scope, url);
    const seen: string[] = [];
    ws.addEventListener('message', (event: any) => seen.push(`once:${event.data}`), { once: true });
    const all = new Promise<void>((resolve) =>
      ws.addEventListener('message', (event: any) => {
        seen.push(`all:${event.data}`);
        if (event.data === 'two') resolve();
      }),
    );
    await all;
    same(seen, ['once:one', 'all:one', 'all:two'], 'MessageEvent with string data; once removes itself');
  },
  'client.removeEventListener': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => peerWs.send('m'));
    const ws = client(impl, scope, url);
    let removed = 0;
    const listener = (): void => {
      removed++;
    };
    ws.addEventListener('message', listener);
    ws.removeEventListener('message', listener);
    await next(ws, 'message');
    same(removed, 0, 'a removed listener is not called');
  },
  'client.binaryType': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => {
      peerWs.send(Buffer.from([1]));
      peerWs.send(Buffer.from([2]));
    });
    const ws = client(impl, scope, url);
    same(ws.binaryType, 'nodebuffer', 'the default');
    ws.binaryType = 'not-a-type';
    same(ws.binaryType, 'nodebuffer', 'an unknown value is ignored');
    ws.binaryType = 'arraybuffer';
    const got: string[] = [];
    await new Promise<void>((resolve) =>
      ws.on('message', (data: unknown) => {
        got.push(data instanceof ArrayBuffer ? 'arraybuffer' : Array.isArray(data) ? `fragments:${Buffer.concat(data as Buffer[]).toString('hex')}` : typeof data);
        ws.binaryType = 'fragments';
        if (got.length === 2) resolve();
      }),
    );
    same(got, ['arraybuffer', 'fragments:02'], 'ArrayBuffer, then an array of Buffers');
  },
  'client.binaryType-fragments': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => {
      peerWs.send(Buffer.from([1]), { fin: false });
      peerWs.send(Buffer.from([2]), { fin: true });
    });
    const ws = client(impl, scope, url);
    ws.binaryType = 'fragments';
    const [data] = await next(ws, 'message');
    same((data as Buffer[]).map((part) => part.toString('hex')), ['01', '02'], 'one Buffer per fragment received');
  },
  'client.bufferedAmount': async (impl, scope) => {
    const { url } = await peer(scope);
    const ws = await open(impl, scope, url);
    same(ws.bufferedAmount, 0, 'nothing queued');
    await new Promise<void>((resolve, reject) => ws.send('x'.repeat(1000), (err?: Error) => (err ? reject(err) : resolve())));
    same(ws.bufferedAmount, 0, 'sent data is no longer counted');
    ws.close();
    await next(ws, 'close');
    ws.send('abc');
    same(ws.bufferedAmount, 3, 'after close, each send adds its length');
  },
  'client.bufferedAmount-immediate': async (impl, scope) => {
    const { url } = await peer(scope);
    const ws = await open(impl, scope, url);
    ws.send('x'.repeat(100));
    same(ws.bufferedAmount, 0, 'data written to the socket at once is not counted (ws: "If the data is immediately sent, the value is 0")');
  },
  'client.close': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = await open(impl, scope, url);
    const [peerWs] = await server;
    const serverSaw = next(peerWs, 'close');
    ws.close(1001, 'going');
    same(ws.readyState, 2, 'CLOSING at once');
    const [code, reason] = await next(ws, 'close');
    const [peerCode, peerReason] = await serverSaw;
    same([code, String(reason), peerCode, String(peerReason)], [1001, 'going', 1001, 'going'], 'a client may close with 1001 (ws accepts it)');
  },
  'client.close-invalid-code': async (impl, scope) => {
    const { url } = await peer(scope);
    const ws = await open(impl, scope, url);
    let threw = 0;
    for (const code of [1004, 1005, 1006, 2999, 5000]) {
      try {
        ws.close(code);
      } catch {
        threw++;
      }
    }
    same([threw, ws.readyState], [5, 1], 'a code no endpoint may send throws and leaves the connection open');
  },
  'client.close-before-open': async (impl, scope) => {
    const { url } = await peer(scope);
    const { error, code, opened } = await (async () => {
      const ws = client(impl, scope, url);
      let err: any;
      let wasOpened = false;
      ws.on('error', (e: unknown) => (err = e));
      ws.on('open', () => (wasOpened = true));
      ws.close();
      const [c] = await next(ws, 'close');
      return { error: err, code: c, opened: wasOpened };
    })();
    same([opened, code, /closed before the connection was established/.test(String(error?.message))], [false, 1006, true], 'close() while CONNECTING aborts');
  },
  'client.extensions-and-protocol': async (impl, scope) => {
    const { url } = await peer(scope, { perMessageDeflate: false });
    const ws = await open(impl, scope, url);
    same([ws.extensions, ws.protocol], ['', ''], 'none negotiated: empty strings');
  },
  'client.on-attributes': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    wss.on('connection', (peerWs: any) => {
      peerWs.send('hi');
      peerWs.close(4000);
    });
    const ws = client(impl, scope, url);
    const seen: string[] = [];
    ws.onopen = (event: any) => seen.push(`open:${event.type}`);
    ws.onmessage = (event: any) => seen.push(`message:${event.data}`);
    const closed = new Promise<void>((resolve) => {
      ws.onclose = (event: any) => {
        seen.push(`close:${event.code}:${event.wasClean}`);
        resolve();
      };
    });
    ws.onerror = (event: any) => seen.push(`error:${event.message}`);
    await closed;
    same(seen, ['open:open', 'message:hi', 'close:4000:true'], 'onopen, onmessage, onclose with event objects');
  },
  'client.onerror': async (impl, scope) => {
    const { url } = await raw(scope, (_req, socket) => socket.end('HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n'));
    const ws = client(impl, scope, url);
    const event = await new Promise<any>((resolve) => (ws.onerror = resolve));
    same([event.type, event.error instanceof Error, /500/.test(event.message)], ['error', true, true], 'an ErrorEvent');
  },
  'client.pause-resume-isPaused': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = client(impl, scope, url);
    ws.pause();
    same(ws.isPaused, false, 'pause() is a no-op while CONNECTING');
    await next(ws, 'open');
    const [peerWs] = await server;
    ws.pause();
    same(ws.isPaused, true, 'paused');
    let received = false;
    ws.on('message', () => (received = true));
    // Sent while paused; the peer's send callback says it left the server.
    await new Promise<void>((resolve) => peerWs.send('held', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    check(!received, 'no message while paused');
    const message = next(ws, 'message');
    ws.resume();
    same([ws.isPaused, String((await message)[0])], [false, 'held'], 'resume() delivers it');
  },
  'client.ping-callback': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = await open(impl, scope, url);
    const [peerWs] = await server;
    const got = next(peerWs, 'ping');
    const pong = next(ws, 'pong');
    const result = await new Promise<unknown>((resolve) => ws.ping(123, true, (err?: unknown) => resolve(err ?? 'ok')));
    same([result, String((await got)[0]), String((await pong)[0])], ['ok', '123', '123'], 'the callback, a number as its text, the automatic pong');
  },
  'client.pong-callback': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = await open(impl, scope, url);
    const [peerWs] = await server;
    const got = next(peerWs, 'pong');
    const result = await new Promise<unknown>((resolve) => ws.pong('u', (err?: unknown) => resolve(err ?? 'ok')));
    same([result, String((await got)[0])], ['ok', 'u'], 'an unsolicited pong and its callback');
  },
  'client.ping-before-open-throws': async (impl, scope) => {
    const { url } = await peer(scope);
    const ws = client(impl, scope, url);
    let threw = false;
    try {
      ws.ping();
    } catch {
      threw = true;
    }
    check(threw, 'ping() while CONNECTING throws');
  },
  'client.send-options': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = await open(impl, scope, url);
    const [peerWs] = await server;
    const got = messages(peerWs, 2);
    ws.send('as binary', { binary: true, compress: false, mask: true });
    ws.send('frag-', { fin: false });
    ws.send('ment', { fin: true });
    same(await got, [['as binary', true], ['frag-ment', false]], 'binary, and a message in two fragments');
  },
  'client.send-data-types': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = await open(impl, scope, url);
    const [peerWs] = await server;
    const got = messages(peerWs, 5);
    ws.send(42);
    ws.send(new Uint16Array([0x6968]));
    ws.send(new ArrayBuffer(2));
    ws.send(new DataView(Buffer.from('dv').buffer, Buffer.from('dv').byteOffset, 2));
    ws.send([104, 105]);
    same(await got, [['42', false], ['hi', true], ['\u0000\u0000', true], ['dv', true], ['hi', true]], 'a number as text, views and arrays as binary');
  },
  'client.send-blob': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = await open(impl, scope, url);
    const [peerWs] = await server;
    const got = messages(peerWs, 2);
    ws.send(new Blob(['blob']));
    ws.send('after');
    same(await got, [['blob', true], ['after', false]], 'a Blob, and the send after it in order');
  },
  'client.send-callback': async (impl, scope) => {
    const { url } = await peer(scope);
    const ws = await open(impl, scope, url);
    const ok = await new Promise<unknown>((resolve) => ws.send('x', (err?: unknown) => resolve(err ?? 'ok')));
    ws.close();
    await next(ws, 'close');
    const late = await new Promise<unknown>((resolve) => ws.send('y', (err?: unknown) => resolve(err)));
    same([ok, late instanceof Error], ['ok', true], 'the callback once written; an error after close');
  },
  'client.send-before-open-throws': async (impl, scope) => {
    const { url } = await peer(scope);
    const ws = client(impl, scope, url);
    let threw = false;
    try {
      ws.send('early');
    } catch {
      threw = true;
    }
    check(threw, 'send() while CONNECTING throws');
  },
  'client.terminate': async (impl, scope) => {
    const { wss, url } = await peer(scope);
    const server = connection(wss);
    const ws = await open(impl, scope, url);
    const [peerWs] = await server;
    const serverSaw = next(peerWs, 'close');
    ws.terminate();
    const [code] = await next(ws, 'close');
    same([code, (await serverSaw)[0]], [1006, 1006], 'no closing handshake: 1006 on both ends');
  },
  'client.url': async (impl, scope) => {
    const { port } = await peer(scope);
    const ws = client(impl, scope, `http://127.0.0.1:${port}/path?q=1`);
    same(ws.url, `ws://127.0.0.1:${port}/path?q=1`, 'http: becomes ws:');
    await next(ws, 'open');
  },
  'client.ready-state-constants': async (impl) => {
    const W = impl.WebSocket;
    same([W.CONNECTING, W.OPEN, W.CLOSING, W.CLOSED], [0, 1, 2, 3], 'static constants');
    same([W.prototype.CONNECTING, W.prototype.CLOSED], [0, 3], 'instance constants');
  },
  'client.invalid-url': async (impl) => {
    const thrown: string[] = [];
    for (const url of ['ftp://example.com', 'ws://example.com/#fragment', 'not a url']) {
      try {
        new impl.WebSocket(url);
      } catch (err) {
        thrown.push((err as Error).name);
      }
    }
    same(thrown, ['SyntaxError', 'SyntaxError', 'SyntaxError'], 'a bad URL is a SyntaxError');
  },
});
