import { once } from 'node:events';
import { constants, createSecureServer } from 'node:http2';
import type { IncomingMessage } from 'node:http';
import type { ClientHttp2Stream, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { connectHeaders, listenH2, rawConnect, rawSession, testCertificate } from '../../test/h2.ts';
import { echo, nextMessage, serverHarness } from '../../test/harness.ts';
import type { ServerWebSocket } from './connection.ts';
import { HttpError, ServerErrorCode } from './server-error.ts';
import type { ServerError } from './server-error.ts';
import { WebSocketServer } from './websocket-server.ts';

const { cleanups } = serverHarness();

/** Our client over HTTP/2 to `url`, terminated by the cleanups. */
async function dialH2(url: string, options: ConstructorParameters<typeof WebSocket>[1] = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, { http2: true, rejectUnauthorized: false, perMessageDeflate: false, ...(options as object) });
  cleanups.push(() => ws.terminate());
  await once(ws, 'open');
  return ws;
}

/** The close event's code and reason (a plain listener: an 'error' first must not reject it). */
function closeOf(ws: WebSocket | ServerWebSocket): Promise<[number, string]> {
  return new Promise((resolve) => {
    ws.once('close', (code: number, reason: Buffer) => resolve([code, String(reason)]));
  });
}

describe('WebSockets over HTTP/2 (RFC 8441): our client and our server', () => {
  for (const secure of [true, false]) {
    it(`${secure ? 'h2 (TLS)' : 'h2c'}: echo, httpVersion '2' on both ends, exact close code and reason`, async () => {
      const { wss, url } = await listenH2(cleanups, {}, { secure });
      const connected = once(wss, 'connection') as Promise<[ServerWebSocket, IncomingMessage]>;
      const ws = await dialH2(`${url}/chat`);
      const [peer, request] = await connected;
      echo(peer);
      expect(ws.httpVersion).toBe('2');
      expect(peer.httpVersion).toBe('2');
      expect(request.httpVersion).toBe('2.0');
      expect(request.method).toBe('CONNECT');
      expect(request.socket.remoteAddress).toBe('127.0.0.1');
      expect(request.headers[':protocol']).toBe('websocket');
      expect(request.url).toBe('/chat');
      ws.send('hello');
      expect(await nextMessage(ws)).toEqual([Buffer.from('hello'), false]);
      ws.send(Buffer.from([1, 2, 3]));
      expect(await nextMessage(ws)).toEqual([Buffer.from([1, 2, 3]), true]);
      const serverClosed = closeOf(peer);
      const clientClosed = closeOf(ws);
      ws.close(4000, 'bye');
      expect(await serverClosed).toEqual([4000, 'bye']);
      expect(await clientClosed).toEqual([4000, 'bye']);
    });
  }

  it('closing a WebSocket ends its stream, not the session: a second WebSocket shares the session', async () => {
    const { wss, url } = await listenH2(cleanups);
    wss.on('connection', echo);
    const first = await dialH2(url, { keepHttp2Session: true });
    const second = await dialH2(url);
    const session = (first.socket as unknown as ClientHttp2Stream).session;
    expect((second.socket as unknown as ClientHttp2Stream).session).toBe(session);
    const closed = closeOf(first);
    first.close(1000);
    expect(await closed).toEqual([1000, '']);
    expect(session?.closed).toBe(false);
    second.send('still here');
    expect(await nextMessage(second)).toEqual([Buffer.from('still here'), false]);
  });

  it('the shared session closes with its last stream unless kept', async () => {
    const { wss, url } = await listenH2(cleanups);
    wss.on('connection', echo);
    const ws = await dialH2(url);
    const session = (ws.socket as unknown as ClientHttp2Stream).session!;
    const sessionClosed = once(session, 'close');
    ws.close(1000);
    await sessionClosed;
    expect(session.closed).toBe(true);
  });

  it('negotiates permessage-deflate over HTTP/2 and compresses on the stream', async () => {
    const { wss, url } = await listenH2(cleanups, { perMessageDeflate: true, compressionThreshold: 0 });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dialH2(url, { perMessageDeflate: true });
    const [peer] = await connected;
    echo(peer);
    expect(ws.extensions).toMatch(/^permessage-deflate/);
    expect(peer.extensions).toMatch(/^permessage-deflate/);
    const text = 'compress me '.repeat(2000);
    let received = 0;
    (ws.socket as unknown as ClientHttp2Stream).on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    ws.send(text);
    const [data] = await nextMessage(ws);
    expect(data.toString()).toBe(text);
    // The echo of 24,000 bytes of text arrived compressed: far fewer bytes on the stream.
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(2000);
  });

  it('runs the hooks: authenticate context, subprotocol, extra headers', async () => {
    const { wss, url } = await listenH2(cleanups, {
      authenticate: (request) => ({ user: String(request.headers['x-user']) }),
      handleProtocols: (protocols) => (protocols.has('v2') ? 'v2' : false),
      headers: { 'X-Served-By': 'h2' },
    });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket<{ user: string }>, IncomingMessage, { user: string }]>;
    const ws = new WebSocket(url, ['v1', 'v2'], { http2: true, rejectUnauthorized: false, headers: { 'X-User': 'ada' } });
    cleanups.push(() => ws.terminate());
    await once(ws, 'open');
    const [peer, , context] = await connected;
    expect(context).toEqual({ user: 'ada' });
    expect(peer.context).toEqual({ user: 'ada' });
    expect(ws.protocol).toBe('v2');
    expect(peer.protocol).toBe('v2');
  });
});

describe('refusals over HTTP/2', () => {
  const cases: Array<[string, Record<string, string | undefined>, string, number, Record<string, string>]> = [
    ['another version', { 'sec-websocket-version': '8' }, '/', 400, { 'sec-websocket-version': '13' }],
    ['another :protocol', { ':protocol': 'connect-udp' }, '/', 501, {}],
    ['a bad :scheme', { ':scheme': 'ftp' }, '/', 400, {}],
    ['a path that is not ours', {}, '/elsewhere', 404, {}],
  ];
  for (const [what, change, path, status, headers] of cases) {
    it(`${what}: ${status}`, async () => {
      const { wss, origin, port } = await listenH2(cleanups, { path: '/' });
      const errors: ServerError[] = [];
      wss.on('handshakeError', (err) => errors.push(err));
      const session = await rawSession(cleanups, origin);
      const answer = await rawConnect(session, connectHeaders(`127.0.0.1:${port}`, path, change));
      expect(answer.headers[':status']).toBe(status);
      for (const [name, value] of Object.entries(headers)) expect(answer.headers[name]).toBe(value);
      expect(answer.body.length).toBeGreaterThan(0);
      expect(errors.map((err) => err.code)).toEqual([ServerErrorCode.HandshakeRejected]);
      expect(errors[0]?.status).toBe(status);
    });
  }

  it('a refused origin gets 403 and authenticate’s HttpError its status and headers', async () => {
    const { origin, port } = await listenH2(cleanups, {
      origins: ['https://good.example'],
      authenticate: () => {
        throw new HttpError(401, 'who are you', { 'WWW-Authenticate': 'Bearer' });
      },
    });
    const session = await rawSession(cleanups, origin);
    const refused = await rawConnect(session, connectHeaders(`127.0.0.1:${port}`, '/', { origin: 'https://evil.example' }));
    expect(refused.headers[':status']).toBe(403);
    const unauthorised = await rawConnect(session, connectHeaders(`127.0.0.1:${port}`, '/', { origin: 'https://good.example' }));
    expect(unauthorised.headers[':status']).toBe(401);
    expect(unauthorised.headers['www-authenticate']).toBe('Bearer');
    expect(unauthorised.body).toBe('who are you');
  });

  it('our client reports a refusal with its status and body', async () => {
    const { url } = await listenH2(cleanups, { path: '/ws' });
    const ws = new WebSocket(`${url}/nope`, { http2: true, rejectUnauthorized: false });
    const [err] = (await once(ws, 'error')) as [Error & { code: string; status: number; body: string }];
    expect(err.code).toBe('WS_ERR_UNEXPECTED_STATUS');
    expect(err.status).toBe(404);
    expect(err.body).toBe('No WebSocket endpoint at /nope.');
  });

  it('plain requests stay the application’s; only extended CONNECT streams are ours', async () => {
    const { origin } = await listenH2(cleanups, {}, { onRequest: (_req, res) => res.end('page') });
    const session = await rawSession(cleanups, origin);
    const stream = session.request({ ':path': '/' });
    const [headers] = (await once(stream, 'response')) as [Record<string, unknown>];
    let body = '';
    stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
    await once(stream, 'end');
    expect(headers[':status']).toBe(200);
    expect(body).toBe('page');
  });
});

describe('stream resets and flow control', () => {
  it('RST_STREAM from the client: the server connection closes 1006 with WS_ERR_STREAM_RESET', async () => {
    const { wss, origin, port } = await listenH2(cleanups);
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const session = await rawSession(cleanups, origin);
    const stream = session.request(connectHeaders(`127.0.0.1:${port}`), { endStream: false });
    const [response] = (await once(stream, 'response')) as [Record<string, unknown>];
    expect(response[':status']).toBe(200);
    const [peer] = await connected;
    const errored = once(peer, 'error') as Promise<[Error & { code: string }]>;
    const closed = closeOf(peer);
    // RST_STREAM(CANCEL) alone, as a browser sends when a tab goes away (close() then destroy()).
    stream.close(constants.NGHTTP2_CANCEL);
    stream.destroy();
    const [err] = await errored;
    expect(err.code).toBe('WS_ERR_STREAM_RESET');
    expect(err.message).toMatch(/CANCEL/);
    expect(await closed).toEqual([1006, '']);
    expect(session.closed).toBe(false);
  });

  it('terminate() resets the stream with CANCEL (RFC 8441 §6); the client reports WS_ERR_STREAM_RESET and 1006', async () => {
    const { wss, url } = await listenH2(cleanups);
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dialH2(url);
    const [peer] = await connected;
    const errored = once(ws, 'error') as Promise<[Error & { code: string }]>;
    const closed = closeOf(ws);
    peer.terminate();
    expect((await errored)[0].code).toBe('WS_ERR_STREAM_RESET');
    expect(await closed).toEqual([1006, '']);
    expect((ws.socket as unknown as ClientHttp2Stream).rstCode).toBe(constants.NGHTTP2_CANCEL);
  });

  it('a reader that stops: flow control holds the data in bufferedAmount and the backpressure policy bounds it', async () => {
    const maxBufferedAmount = 256 * 1024;
    const { wss, url } = await listenH2(cleanups, { maxBufferedAmount, backpressure: 'close', closeTimeoutMs: 300 });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const ws = await dialH2(url);
    const [peer] = await connected;
    ws.pause();
    const chunk = Buffer.alloc(32 * 1024, 7);
    const slow = once(wss, 'slowConsumer') as Promise<[ServerWebSocket, number]>;
    let sent = 0;
    // Bounded: 64 broadcasts of 32 KiB is 8× the limit; the policy must act long before.
    const pump = async (): Promise<void> => {
      for (let i = 0; i < 64 && peer.readyState === peer.OPEN; i++) {
        sent += wss.broadcast(chunk) * chunk.length;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    await pump();
    const [who, buffered] = await slow;
    expect(who).toBe(peer);
    expect(buffered).toBeGreaterThanOrEqual(maxBufferedAmount);
    // What the server holds is bounded by the limit plus one message, whatever was offered.
    expect(buffered).toBeLessThanOrEqual(maxBufferedAmount + chunk.length);
    expect(sent).toBeLessThan(64 * chunk.length);
    // The peer's window stayed closed, so the stream was reset after closeTimeoutMs.
    expect((await closeOf(peer))[0]).toBe(1006);
  });
});

describe('one TLS port for HTTP/2 and HTTP/1.1 (allowHTTP1)', () => {
  it('serves our client over h2 and over HTTP/1.1 on the same port', async () => {
    const { wss, url } = await listenH2(cleanups, {}, { allowHTTP1: true });
    const versions: string[] = [];
    wss.on('connection', (peer) => {
      versions.push(peer.httpVersion ?? '');
      echo(peer);
    });
    const h2 = await dialH2(url);
    const http1 = new WebSocket(url, { rejectUnauthorized: false });
    cleanups.push(() => http1.terminate());
    await once(http1, 'open');
    expect(h2.httpVersion).toBe('2');
    expect(http1.httpVersion).toBe('1.1');
    expect(versions.sort()).toEqual(['1.1', '2']);
    http1.send('over 1.1');
    expect((await nextMessage(http1))[0].toString()).toBe('over 1.1');
  });

  it("http2: 'auto' uses h2 where extended CONNECT is on, HTTP/1.1 where ALPN picks it", async () => {
    const { wss, url } = await listenH2(cleanups, {}, { allowHTTP1: true });
    wss.on('connection', echo);
    const auto = new WebSocket(url, { http2: 'auto', rejectUnauthorized: false });
    cleanups.push(() => auto.terminate());
    await once(auto, 'open');
    expect(auto.httpVersion).toBe('2');
    // An HTTP/1.1-only TLS server: ALPN has no h2, so the same TLS connection carries the upgrade.
    const { createServer } = await import('node:https');
    const https = createServer(testCertificate());
    const http1Server = new WebSocketServer({ server: https, heartbeat: false });
    http1Server.on('connection', echo);
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    cleanups.push(async () => {
      await http1Server.shutdown({ timeoutMs: 200 });
      https.closeAllConnections();
      await new Promise<void>((resolve) => https.close(() => resolve()));
    });
    const fallback = new WebSocket(`wss://127.0.0.1:${(https.address() as AddressInfo).port}`, { http2: 'auto', rejectUnauthorized: false });
    cleanups.push(() => fallback.terminate());
    await once(fallback, 'open');
    expect(fallback.httpVersion).toBe('1.1');
    fallback.send('fell back');
    expect((await nextMessage(fallback))[0].toString()).toBe('fell back');
  });

  it('http2: true against a server without h2 fails with WS_ERR_EXTENDED_CONNECT_UNSUPPORTED', async () => {
    const { createServer } = await import('node:https');
    const https = createServer(testCertificate());
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => https.close(() => resolve())));
    const ws = new WebSocket(`wss://127.0.0.1:${(https.address() as AddressInfo).port}`, { http2: true, rejectUnauthorized: false });
    const errored = once(ws, 'error') as Promise<[Error & { code: string }]>;
    const closed = closeOf(ws);
    expect((await errored)[0].code).toBe('WS_ERR_EXTENDED_CONNECT_UNSUPPORTED');
    expect((await closed)[0]).toBe(1006);
  });
});

describe('handleStream', () => {
  it("takes an extended CONNECT from a framework's own 'stream' handler", async () => {
    const server = createSecureServer({ ...testCertificate(), settings: { enableConnectProtocol: true } });
    const wss = new WebSocketServer({ noServer: true, heartbeat: false });
    server.on('stream', (stream: ServerHttp2Stream, headers) => {
      if (headers[':method'] === 'CONNECT') {
        wss.handleStream(stream, headers, (ws, request) => {
          ws.send(`hello ${request.url}`);
        });
      } else {
        stream.respond({ ':status': 404 });
        stream.end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      await wss.shutdown({ timeoutMs: 200 });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const ws = await dialH2(`wss://127.0.0.1:${(server.address() as AddressInfo).port}/room`);
    expect((await nextMessage(ws))[0].toString()).toBe('hello /room');
  });

  it('throws a TypeError for what is not an extended CONNECT', () => {
    const wss = new WebSocketServer({ noServer: true, heartbeat: false });
    cleanups.push(() => wss.close());
    const fake = { respond: () => undefined } as unknown as ServerHttp2Stream;
    expect(() => wss.handleStream(fake, { ':method': 'GET' }, () => undefined)).toThrow(/extended CONNECT/);
    expect(() => wss.handleStream(null as never, {}, () => undefined)).toThrow(TypeError);
  });
});
