/** doc/ws.md, "Class: WebSocketServer": the server's events and methods. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { cases, check, next, same } from '../harness.ts';
import type { Impl, Scope } from '../harness.ts';
import { headerIn, rawUpgrade, upgradeStatus } from './server.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- ws-shaped objects of either library */

/** A plain HTTP server on a free loopback port whose 'upgrade' requests go to `onUpgrade`. */
async function httpWithUpgrade(scope: Scope, onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): Promise<{ http: Server; port: number }> {
  const http = createServer();
  http.on('upgrade', onUpgrade);
  scope.defer(() => new Promise((resolve) => http.close(resolve)));
  scope.defer(() => http.closeAllConnections());
  http.listen(0, '127.0.0.1');
  await next(http, 'listening');
  return { http, port: (http.address() as { port: number }).port };
}

/** Whether `fn` throws. */
function throws(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

/** A noServer server closed after the case. */
function noServer(impl: Impl, scope: Scope, options: Record<string, unknown> = {}): any {
  const wss = new impl.WebSocketServer({ noServer: true, ...options });
  scope.defer(() => {
    for (const client of wss.clients ?? []) client.terminate();
    wss.close();
  });
  return wss;
}

export default cases('Class: WebSocketServer (events and methods)', {
  'server.event.listening': async (impl, scope) => {
    const wss = new impl.WebSocketServer({ port: 0, host: '127.0.0.1' });
    scope.defer(() => wss.close());
    await next(wss, 'listening');
    check(wss.address().port > 0, "'listening' once bound");
  },
  'server.event.connection': async (impl, scope) => {
    const { wss, url } = await scope.listen(impl);
    const connected = next(wss, 'connection');
    const client = scope.client(impl, `${url}/room?id=1`, { headers: { 'X-Token': 'abc' } });
    const [ws, req] = await connected;
    await next(client, 'open');
    same([ws.readyState, req.url, req.headers['x-token']], [1, '/room?id=1', 'abc'], '(websocket, request), open');
  },
  'server.event.error': async (impl, scope) => {
    const { port } = await scope.listen(impl);
    const second = new impl.WebSocketServer({ port, host: '127.0.0.1' });
    scope.defer(() => second.close());
    const [err] = await next(second, 'error');
    same(err.code, 'EADDRINUSE', "the HTTP server's error");
  },
  'server.event.close': async (impl) => {
    const wss = new impl.WebSocketServer({ port: 0, host: '127.0.0.1' });
    await next(wss, 'listening');
    const closed = next(wss, 'close');
    wss.close();
    await closed;
    check(!wss.address(), 'the HTTP server created internally is closed');
  },
  'server.event.headers': async (impl, scope) => {
    const { wss, port } = await scope.listen(impl);
    const urls: string[] = [];
    wss.on('headers', (headers: string[], req: IncomingMessage) => {
      urls.push(`${headers[0]} for ${req.url}`);
      headers.push('Set-Cookie: session=1');
    });
    const res = await upgradeStatus(port, '/in');
    same([res.status, res.headers['set-cookie'], urls], [101, ['session=1'], ['HTTP/1.1 101 Switching Protocols for /in']], 'the lines can be changed before they are written');
  },
  'server.event.wsClientError': async (impl, scope) => {
    const { wss, port } = await scope.listen(impl);
    const messages: string[] = [];
    wss.on('wsClientError', (err: Error, socket: Duplex, req: IncomingMessage) => {
      messages.push(req.url ?? '');
      socket.end(`HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\nX-Error: ${err instanceof Error}\r\n\r\n`);
    });
    const { head } = await rawUpgrade(scope, port, { 'Sec-WebSocket-Version': '12' }, '/bad');
    same([head.split('\r\n')[0], headerIn(head, 'x-error'), messages], ["HTTP/1.1 418 I'm a teapot", 'true', ['/bad']], 'the listener answers the bad request itself');
  },
  'server.address': async (impl, scope) => {
    const { wss, port } = await scope.listen(impl);
    const address = wss.address();
    same([address.port, address.family, address.address], [port, 'IPv4', '127.0.0.1'], '{ port, family, address }');
  },
  'server.clients': async (impl, scope) => {
    const { wss, url } = await scope.listen(impl);
    const ws = scope.client(impl, url);
    await next(ws, 'open');
    const [peer] = [...wss.clients];
    const closed = next(peer, 'close');
    same(wss.clients.size, 1, 'the open connection');
    ws.close();
    await closed;
    same(wss.clients.size, 0, 'a closed connection leaves the set');
  },
  'server.close.keeps-connections': async (impl, scope) => {
    const { wss, url } = await scope.listen(impl);
    wss.on('connection', (peer: any) => peer.on('message', (data: Buffer) => peer.send(data)));
    const ws = scope.client(impl, url);
    await next(ws, 'open');
    let closedEarly = false;
    const calledBack = new Promise<unknown[]>((resolve) => wss.close((...args: unknown[]) => resolve(args)));
    wss.once('close', () => (closedEarly = true));
    ws.send('still open');
    const [data] = await next(ws, 'message');
    same([String(data), closedEarly], ['still open', false], 'close() leaves open connections open, and waits for them');
    ws.close();
    same(await calledBack, [], "the callback runs on 'close', once the last connection has closed");
  },
  'server.close.already-closed': async (impl, scope) => {
    const wss = noServer(impl, scope);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    const [err] = await new Promise<unknown[]>((resolve) => wss.close((...args: unknown[]) => resolve(args)));
    check(err instanceof Error, 'a closed server calls back with an Error');
  },
  'server.close.refuses-new': async (impl, scope) => {
    const wss = noServer(impl, scope);
    const { port } = await httpWithUpgrade(scope, (req, socket, head) => wss.handleUpgrade(req, socket, head, () => undefined));
    wss.close();
    same((await upgradeStatus(port)).status, 503, 'a handshake after close() is refused with 503');
  },
  'server.handleUpgrade': async (impl, scope) => {
    const wss = noServer(impl, scope);
    let client: any;
    const got = new Promise<any[]>((resolve) => void httpWithUpgrade(scope, (req, socket, head) => wss.handleUpgrade(req, socket, head, (...args: any[]) => resolve(args))).then(({ port }) => (client = scope.client(impl, `ws://127.0.0.1:${port}/up`))));
    const [ws, req] = await got;
    await next(client, 'open');
    same([ws.readyState, req.url, wss.clients.size], [1, '/up', 1], 'the callback gets (websocket, request), tracked');
  },
  'server.handleUpgrade.twice': async (impl, scope) => {
    const wss = noServer(impl, scope);
    const outcome: string[] = [];
    const { port } = await httpWithUpgrade(scope, (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, () => outcome.push('upgraded'));
      outcome.push(throws(() => wss.handleUpgrade(req, socket, head, () => outcome.push('again'))) ? 'threw' : 'did not throw');
    });
    const { rest } = await rawUpgrade(scope, port);
    same([outcome, rest.length], [['upgraded', 'threw'], 0], 'a second call for one socket throws and writes nothing');
  },
  'server.shouldHandle': async (impl, scope) => {
    const Base: new (options: object) => any = impl.WebSocketServer;
    class Picky extends Base {
      shouldHandle(req: IncomingMessage): boolean {
        return req.headers['x-allow'] === 'yes';
      }
    }
    const wss = new Picky({ noServer: true });
    scope.defer(() => wss.close());
    const { port } = await httpWithUpgrade(scope, (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws: any) => ws.terminate()));
    same([(await upgradeStatus(port, '/', { 'X-Allow': 'no' })).status, (await upgradeStatus(port, '/', { 'X-Allow': 'yes' })).status], [400, 101], 'an override decides');
  },
  'server.completeUpgrade': async (impl, scope) => {
    const wss = noServer(impl, scope);
    const { port } = await httpWithUpgrade(scope, (req, socket, head) => {
      wss.completeUpgrade({}, req.headers['sec-websocket-key'], new Set(['chat']), req, socket, head, (ws: any) => ws.send('direct'));
    });
    const { head, socket, rest } = await rawUpgrade(scope, port);
    const frame = rest.length >= 8 ? rest : Buffer.concat([rest, ...(await next(socket, 'data'))]);
    same([headerIn(head, 'sec-websocket-protocol'), frame.subarray(2, 8).toString()], ['chat', 'direct'], 'completes the handshake it is given');
  },
});
