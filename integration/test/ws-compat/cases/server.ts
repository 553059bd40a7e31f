/**
 * doc/ws.md, "Class: WebSocketServer": the constructor's options (here) and the server's events
 * and methods (server-events.ts). Each case uses the ws API only.
 */
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { cases, check, next, same } from '../harness.ts';
import type { Impl, Scope } from '../harness.ts';
import events from './server-events.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- ws-shaped objects of either library */

/** Send a WebSocket upgrade request by hand and resolve with the status the server answered. */
export function upgradeStatus(port: number, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw TCP client that sends an upgrade request and resolves with the response head and what came after it. */
export function rawUpgrade(scope: Scope, port: number, extra: Record<string, string> = {}, path = '/'): Promise<{ socket: Socket; head: string; rest: Buffer }> {
  const socket = connect(port, '127.0.0.1');
  scope.defer(() => socket.destroy());
  const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'];
  for (const [name, value] of Object.entries(extra)) lines.push(`${name}: ${value}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.removeListener('data', onData);
      resolve({ socket, head: buffer.subarray(0, end + 4).toString('latin1'), rest: buffer.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** The value of header `name` in a raw response head. */
export function headerIn(head: string, name: string): string | undefined {
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(line.indexOf(':') + 1).trim();
}

/** A masked client frame (RFC 6455 §5.3) with a payload of at most 125 bytes. */
export function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]), mask, masked]);
}

/** Everything `socket` receives until `done(bytes)` holds. */
export function readUntil(socket: Socket, done: (bytes: Buffer) => boolean, initial: Uint8Array = new Uint8Array(0)): Promise<Buffer> {
  return new Promise((resolve) => {
    let bytes = Buffer.from(initial);
    if (done(bytes)) return resolve(bytes);
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (done(bytes)) resolve(bytes);
    });
  });
}

/** A server with `options` whose connections are handed to `onConnection`, and its port. */
async function serve(impl: Impl, scope: Scope, options: Record<string, unknown>, onConnection: (ws: any, req: IncomingMessage) => void = () => undefined): Promise<{ wss: any; port: number; url: string }> {
  const server = await scope.listen(impl, options);
  server.wss.on('connection', onConnection);
  return server;
}

/** The first frame the server sends after the 101, given a client offering permessage-deflate. */
async function firstFrame(impl: Impl, scope: Scope, perMessageDeflate: unknown, message: string): Promise<Buffer> {
  const { port } = await serve(impl, scope, { perMessageDeflate }, (ws) => ws.send(message));
  const { socket, rest } = await rawUpgrade(scope, port, { 'Sec-WebSocket-Extensions': 'permessage-deflate' });
  return readUntil(socket, (bytes) => bytes.length >= 2 && bytes.length >= 2 + (bytes[1]! & 0x7f), rest);
}

const options = cases('new WebSocketServer(options[, callback])', {
  'server.option.port': async (impl, scope) => {
    const { port, url } = await serve(impl, scope, {});
    check(port > 0, 'port 0 picks a free port');
    const ws = scope.client(impl, url);
    await next(ws, 'open');
  },
  'server.option.host': async (impl, scope) => {
    const { wss } = await serve(impl, scope, { host: '127.0.0.1' });
    const address = wss.address();
    same([address.address, address.family], ['127.0.0.1', 'IPv4'], 'bound to the host');
  },
  'server.option.backlog': async (impl, scope) => {
    const { url } = await serve(impl, scope, { backlog: 8 });
    await next(scope.client(impl, url), 'open');
  },
  'server.option.server': async (impl, scope) => {
    const { createServer } = await import('node:http');
    const http = createServer((_req, res) => res.end('plain http'));
    const wss = new impl.WebSocketServer({ server: http });
    wss.on('connection', (ws: any) => ws.send('hello'));
    scope.defer(() => new Promise((resolve) => http.close(resolve)));
    scope.defer(() => wss.close());
    http.listen(0, '127.0.0.1');
    await next(http, 'listening');
    const { port } = http.address() as { port: number };
    const body = await fetch(`http://127.0.0.1:${port}/`).then((res) => res.text());
    const ws = scope.client(impl, `ws://127.0.0.1:${port}`);
    const [data] = await next(ws, 'message');
    same([body, String(data)], ['plain http', 'hello'], 'the routes of the HTTP server keep working beside the WebSocket server');
    for (const client of wss.clients) client.terminate();
  },
  'server.option.noServer': async (impl, scope) => {
    const { createServer } = await import('node:http');
    const wss = new impl.WebSocketServer({ noServer: true });
    const http = createServer();
    http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws: any) => wss.emit('connection', ws, req)));
    scope.defer(() => new Promise((resolve) => http.close(resolve)));
    scope.defer(() => wss.close());
    http.listen(0, '127.0.0.1');
    await next(http, 'listening');
    const connected = next(wss, 'connection');
    const ws = scope.client(impl, `ws://127.0.0.1:${(http.address() as { port: number }).port}/x`);
    const [, req] = await connected;
    await next(ws, 'open');
    same(req.url, '/x', 'the request reaches the callback');
    let threw = false;
    try {
      wss.address();
    } catch {
      threw = true;
    }
    check(threw, 'address() throws in noServer mode');
  },
  'server.option.path': async (impl, scope) => {
    const { port } = await serve(impl, scope, { path: '/ws' });
    same((await upgradeStatus(port, '/other')).status, 400, 'another path is refused with 400');
    same((await upgradeStatus(port, '/ws?token=1')).status, 101, 'the path matches without the query');
  },
  'server.option.clientTracking': async (impl, scope) => {
    const tracked = await serve(impl, scope, {});
    const untracked = await serve(impl, scope, { clientTracking: false });
    const [a, b] = [scope.client(impl, tracked.url), scope.client(impl, untracked.url)];
    await Promise.all([next(a, 'open'), next(b, 'open')]);
    same([tracked.wss.clients.size, untracked.wss.clients], [1, undefined], 'clients only with clientTracking');
  },
  'server.option.WebSocket': async (impl, scope) => {
    class Custom extends impl.WebSocket {
      hello(): string {
        return 'custom';
      }
    }
    let client: any;
    const connected = new Promise<any>((resolve) => void serve(impl, scope, { WebSocket: Custom }, resolve).then(({ url }) => (client = scope.client(impl, url))));
    const ws = await connected;
    await next(client, 'open');
    same([ws instanceof Custom, ws.hello()], [true, 'custom'], 'connections are instances of the given class');
  },
  'server.option.perMessageDeflate': async (impl, scope) => {
    const { port, url } = await serve(impl, scope, { perMessageDeflate: true });
    const { head } = await rawUpgrade(scope, port, { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' });
    // The parameters of the answer are the server's choice (RFC 7692 §7.1); ws documents none.
    check(headerIn(head, 'sec-websocket-extensions')?.split(';')[0] === 'permessage-deflate', 'the offer is accepted');
    const ws = scope.client(impl, url);
    await next(ws, 'open');
    check(String(ws.extensions).startsWith('permessage-deflate'), 'a client that offers it gets it');
    const off = await serve(impl, scope, {});
    const plain = await rawUpgrade(scope, off.port, { 'Sec-WebSocket-Extensions': 'permessage-deflate' });
    same(headerIn(plain.head, 'sec-websocket-extensions'), undefined, 'off by default');
  },
  'server.option.perMessageDeflate.parameters': async (impl, scope) => {
    const perMessageDeflate = { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 11, concurrencyLimit: 4 };
    const { port } = await serve(impl, scope, { perMessageDeflate });
    const { head } = await rawUpgrade(scope, port, { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' });
    const params = (headerIn(head, 'sec-websocket-extensions') ?? '').split(';').map((p) => p.trim()).sort();
    same(params, ['client_max_window_bits=11', 'client_no_context_takeover', 'permessage-deflate', 'server_max_window_bits=10', 'server_no_context_takeover'], 'the parameters answered');
  },
  'server.option.perMessageDeflate.threshold': async (impl, scope) => {
    // doc/ws.md: smaller payloads are not compressed "if context takeover is disabled".
    const small = await firstFrame(impl, scope, { serverNoContextTakeover: true }, 'hi');
    const compressed = await firstFrame(impl, scope, { serverNoContextTakeover: true, threshold: 0 }, 'hi');
    const big = await firstFrame(impl, scope, { serverNoContextTakeover: true, threshold: 2 }, 'hi');
    same([small[0], compressed[0], big[0]], [0x81, 0xc1, 0xc1], 'below the threshold (default 1024) uncompressed (RSV1 clear), at or above it compressed');
  },
  'server.option.perMessageDeflate.threshold-context-takeover': async (impl, scope) => {
    const frame = await firstFrame(impl, scope, { threshold: 1024 }, 'hi');
    same(frame[0], 0xc1, 'with context takeover the threshold does not apply: every message is compressed');
  },
  'server.option.perMessageDeflate.default-threshold-context-takeover': async (impl, scope) => {
    const frame = await firstFrame(impl, scope, true, 'hi');
    same(frame[0], 0xc1, 'perMessageDeflate: true compresses a 2-byte message (context takeover)');
  },
  'server.option.perMessageDeflate.zlibDeflateOptions': async (impl, scope) => {
    const text = 'a'.repeat(100);
    const stored = await firstFrame(impl, scope, { threshold: 0, zlibDeflateOptions: { level: 0, memLevel: 9 } }, text);
    const best = await firstFrame(impl, scope, { threshold: 0, zlibDeflateOptions: { level: 9 } }, text);
    check(stored[0] === 0xc1 && (stored[1]! & 0x7f) >= 100, `level 0 stores the text (${stored[1]! & 0x7f} bytes)`);
    check(best[0] === 0xc1 && (best[1]! & 0x7f) < 20, `level 9 compresses it (${best[1]! & 0x7f} bytes)`);
  },
  'server.option.perMessageDeflate.zlibOptions-any': async (impl, scope) => {
    // doc/ws.md: zlib*Options are "additional options to pass to zlib" (ws's README example sets chunkSize).
    const { port } = await serve(impl, scope, { perMessageDeflate: { zlibDeflateOptions: { chunkSize: 1024 }, zlibInflateOptions: { chunkSize: 10 * 1024 } } });
    const { head } = await rawUpgrade(scope, port, { 'Sec-WebSocket-Extensions': 'permessage-deflate' });
    same(headerIn(head, 'sec-websocket-extensions'), 'permessage-deflate', 'accepted with chunkSize');
  },
  'server.option.verifyClient': async (impl, scope) => {
    const { port } = await serve(impl, scope, { verifyClient: (info: { req: IncomingMessage }) => info.req.url === '/ok' });
    same([(await upgradeStatus(port, '/no')).status, (await upgradeStatus(port, '/ok')).status], [401, 101], 'false refuses with 401, true accepts');
  },
  'server.option.verifyClient.info': async (impl, scope) => {
    const seen: unknown[] = [];
    const { port } = await serve(impl, scope, { verifyClient: (info: any) => (seen.push([info.origin, info.secure, info.req.url]), true) });
    await upgradeStatus(port, '/in', { Origin: 'https://app.example' });
    same(seen, [['https://app.example', false, '/in']], 'info is { origin, secure, req }');
  },
  'server.option.verifyClient.callback': async (impl, scope) => {
    const verifyClient = (info: any, cb: (...args: unknown[]) => void): void => {
      setTimeout(() => (info.req.url === '/ok' ? cb(true) : cb(false, 403, 'Go away', { 'X-Why': 'test' })), 5);
    };
    const { port } = await serve(impl, scope, { verifyClient });
    const refused = await upgradeStatus(port, '/no');
    same([refused.status, refused.headers['x-why'], (await upgradeStatus(port, '/ok')).status], [403, 'test', 101], 'cb(false, code, message, headers) refuses with them');
  },
  'server.option.maxPayload': async (impl, scope) => {
    const { url } = await serve(impl, scope, { maxPayload: 10 }, (peer) => peer.on('error', () => undefined));
    const ws = scope.client(impl, url);
    await next(ws, 'open');
    ws.on('error', () => undefined);
    ws.send('0123456789');
    ws.send('0123456789x');
    const [code] = await next(ws, 'close');
    same(code, 1009, 'a message over maxPayload closes with 1009');
  },
  'server.option.handleProtocols': async (impl, scope) => {
    const { url } = await serve(impl, scope, { handleProtocols: (protocols: Set<string>, req: IncomingMessage) => (protocols.has('b') && req.url === '/' ? 'b' : false) });
    const ws = scope.client(impl, url, ['a', 'b']);
    await next(ws, 'open');
    same(ws.protocol, 'b', 'the chosen subprotocol');
  },
  'server.option.handleProtocols.default': async (impl, scope) => {
    const { url } = await serve(impl, scope, {});
    const ws = scope.client(impl, url, ['first', 'second']);
    await next(ws, 'open');
    same(ws.protocol, 'first', 'without handleProtocols the first offered is used');
  },
  'server.option.skipUTF8Validation': async (impl, scope) => {
    const got = new Promise<any[]>((resolve) => void serve(impl, scope, { skipUTF8Validation: true }, (ws) => ws.on('message', (...args: any[]) => resolve(args))).then(({ port }) => rawUpgrade(scope, port).then(({ socket }) => socket.write(clientFrame(0x1, Buffer.from([0x61, 0xff]))))));
    const [data, isBinary] = await got;
    same([Buffer.from(data).toString('hex'), isBinary], ['61ff', false], 'invalid UTF-8 text is delivered as it came');
  },
  'server.option.autoPong': async (impl, scope) => {
    const pings: string[] = [];
    const { port } = await serve(impl, scope, { autoPong: false }, (ws) => {
      ws.on('ping', (data: Buffer) => pings.push(String(data)));
      ws.on('message', () => ws.send('done'));
    });
    const { socket, rest } = await rawUpgrade(scope, port);
    socket.write(Buffer.concat([clientFrame(0x9, Buffer.from('hi')), clientFrame(0x1, Buffer.from('go'))]));
    const bytes = await readUntil(socket, (b) => b.includes('done'), rest);
    same([pings, bytes.toString('hex')], [['hi'], `8104${Buffer.from('done').toString('hex')}`], 'no pong is sent, the ping is emitted');
  },
  'server.option.allowSynchronousEvents': async (impl, scope) => {
    const order: string[] = [];
    const done = new Promise<void>((resolve) =>
      void serve(impl, scope, { allowSynchronousEvents: false }, (ws) =>
        ws.on('message', (data: Buffer) => {
          order.push(String(data));
          queueMicrotask(() => order.push(`after ${String(data)}`));
          if (String(data) === 'two') setImmediate(resolve);
        }),
      ).then(({ port }) => rawUpgrade(scope, port).then(({ socket }) => socket.write(Buffer.concat([clientFrame(0x1, Buffer.from('one')), clientFrame(0x1, Buffer.from('two'))])))),
    );
    await done;
    same(order, ['one', 'after one', 'two', 'after two'], "false: one 'message' per tick, so the microtasks of one run before the next");
  },
  'server.option.closeTimeout': async (impl, scope) => {
    const closed = new Promise<any[]>((resolve) => void serve(impl, scope, { closeTimeout: 100 }, (ws) => (ws.on('close', (...args: any[]) => resolve(args)), ws.close(1000))).then(({ port }) => rawUpgrade(scope, port)));
    const [code] = await closed;
    same(code, 1006, 'a peer that never answers the close frame is cut off after closeTimeout');
  },
  'server.option.maxFragments': async (impl, scope) => {
    const { port } = await serve(impl, scope, { maxFragments: 2 }, (ws) => ws.on('error', () => undefined));
    const { socket, rest } = await rawUpgrade(scope, port);
    socket.write(Buffer.concat([clientFrame(0x1, Buffer.from('a'), false), clientFrame(0x0, Buffer.from('b'), false), clientFrame(0x0, Buffer.from('c'))]));
    const bytes = await readUntil(socket, (b) => b.length >= 4, rest);
    same([bytes[0], bytes.readUInt16BE(2)], [0x88, 1008], 'a message in more fragments closes with 1008');
  },
  'server.callback': async (impl, scope) => {
    const wss = await new Promise<any>((resolve) => {
      const server: any = new impl.WebSocketServer({ port: 0, host: '127.0.0.1' }, () => resolve(server));
      scope.defer(() => server.close());
    });
    check(wss.address().port > 0, "the callback runs on 'listening'");
  },
});

export default [...options, ...events];
