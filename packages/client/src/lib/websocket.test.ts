import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '@rfc6455/frame';
import { RecordingSocket, closed, tick, until, useTestScope } from '../../test/harness.ts';
import { once } from '../../test/peer.ts';
import { WebSocket } from './websocket.ts';

const { peer, track } = useTestScope();

describe('open and messages', () => {
  it('opens, reports the subprotocol and echoes text, binary and empty messages (ws-style)', async () => {
    const p = await peer({ protocols: ['chat.v2'] });
    const ws = track(await WebSocket.connect(p.url, { protocols: ['chat.v1', 'chat.v2'] }));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(ws.readyState).toBe(ws.OPEN);
    expect(ws.protocol).toBe('chat.v2');
    expect(ws.extensions).toBe('');
    expect(ws.url).toBe(`${p.url}/`);

    const got: Array<[string, boolean]> = [];
    ws.on('message', (data, isBinary) => got.push([(data as Buffer).toString('hex'), isBinary]));
    ws.send('héllo');
    ws.send(new Uint8Array([1, 2, 3]));
    ws.send('');
    ws.send(new ArrayBuffer(0));
    ws.send(new Uint16Array([0x0102]).subarray(0, 1));
    await until(() => got.length === 5);
    expect(got).toEqual([
      [Buffer.from('héllo').toString('hex'), false],
      ['010203', true],
      ['', false],
      ['', true],
      [Buffer.from(new Uint16Array([0x0102]).buffer).toString('hex'), true],
    ]);
    const server = p.connections[0]!;
    expect(server.messages.map((m) => [m.data.toString('hex'), m.isBinary])).toEqual(got);
  });
});

describe('ping and pong', () => {
  it('pings the peer and gets the pong with the same payload; answers the peer\'s ping', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const pong = once<[Buffer]>(ws, 'pong');
    ws.ping('are you there');
    expect((await pong)[0].toString()).toBe('are you there');
    expect(server.pings.map(String)).toEqual(['are you there']);

    const ping = once<[Buffer]>(ws, 'ping');
    const serverPong = once<[Buffer]>(server, 'pong');
    server.protocol.sendPing(Buffer.from([1, 2, 3]));
    expect([...(await ping)[0]]).toEqual([1, 2, 3]);
    expect([...(await serverPong)[0]]).toEqual([1, 2, 3]);
  });

  it('refuses a ping payload over 125 bytes and a ping while CONNECTING', async () => {
    const p = await peer();
    const ws = track(new WebSocket(p.url));
    expect(() => ws.ping()).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    await once(ws, 'open');
    expect(() => ws.ping(Buffer.alloc(126))).toThrow(RangeError);
  });
});

describe('WHATWG argument validation', () => {
  it('close(): InvalidAccessError for a code no endpoint may send (ws: 1001 and 1011 are fine from a client), SyntaxError for a long reason', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    for (const code of [999, 1004, 1005, 1006, 1015, 2999, 5000, 3000.5]) {
      expect(() => ws.close(code)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    }
    expect(() => ws.close(1000, 'é'.repeat(62))).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const done = closed(ws);
    ws.close(1001, 'x'.repeat(123));
    expect((await done).code).toBe(1001);
  });

  it('close(): the code rules follow the role, and a reason given as bytes is exactly the view\'s bytes', async () => {
    const wire = (): { socket: RecordingSocket; readonly written: Buffer } => {
      const socket = new RecordingSocket();
      return { socket, get written() { return socket.written; } };
    };
    // Either role may close with any code an endpoint may send (ws's rule), but never 1005 (RFC 6455 §7.4.1).
    const clientWire = wire();
    const client = WebSocket.fromSocket(clientWire.socket, undefined, { role: 'client' });
    expect(() => client.close(1005)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    client.close(1011);
    await new Promise((resolve) => setImmediate(resolve));
    // FIN + close, masked length 2: the unmasked payload is 1011 (0x03f3).
    const frame = clientWire.written;
    expect(frame.subarray(0, 2).toString('hex')).toBe('8882');
    expect(Buffer.from([frame[6]! ^ frame[2]!, frame[7]! ^ frame[3]!]).toString('hex')).toBe('03f3');
    client.terminate();
    const server = wire();
    const serverWs = WebSocket.fromSocket(server.socket, undefined, { role: 'server' });
    expect(() => serverWs.close(1005)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    const secret = Buffer.from('SECRET-hi-SECRET');
    serverWs.close(1001, secret.subarray(7, 9));
    await new Promise((resolve) => setImmediate(resolve));
    // FIN + close opcode, unmasked length 4, code 1001 (0x03e9), "hi": nothing of the buffer around the view.
    expect(server.written.toString('hex')).toBe('880403e96869');
    serverWs.terminate();
    const other = wire();
    const otherWs = WebSocket.fromSocket(other.socket, undefined, { role: 'server' });
    otherWs.close(4000, new DataView(secret.buffer, secret.byteOffset + 7, 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(other.written.toString('hex')).toBe('88040fa06869');
    otherWs.terminate();
  });

  it('send(): InvalidStateError while CONNECTING, TypeError for other data', async () => {
    const p = await peer();
    const ws = track(new WebSocket(p.url));
    expect(() => ws.send('x')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    await once(ws, 'open');
    expect(() => ws.send(Symbol('x') as unknown as string)).toThrow(TypeError);
    expect(() => ws.send(Buffer.from([0xff]), { binary: false })).toThrow(TypeError);
  });

  it('constructor: SyntaxError for bad URLs and subprotocols, RangeError/TypeError naming bad options', () => {
    expect(() => new WebSocket('ftp://example.com')).toThrow(SyntaxError);
    expect(() => new WebSocket('ws://example.com/#frag')).toThrow(SyntaxError);
    expect(() => new WebSocket('not a url')).toThrow(SyntaxError);
    expect(() => new WebSocket('ws://example.com', ['a', 'a'])).toThrow(SyntaxError);
    expect(() => new WebSocket('ws://example.com', 'bad protocol')).toThrow(SyntaxError);
    expect(() => new WebSocket('ws://example.com', { handshakeTimeoutMs: 0 })).toThrow(/handshakeTimeoutMs/);
    expect(() => new WebSocket('ws://example.com', { maxPayloadLength: -1 })).toThrow(RangeError);
    expect(() => new WebSocket('ws://example.com', { heartbeat: { intervalMs: 0 } })).toThrow(/heartbeat.intervalMs/);
    expect(() => new WebSocket('ws://example.com', { followRedirects: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => new WebSocket('ws://example.com', { proxy: 42 as unknown as string })).toThrow(/proxy/);
    expect(() => new WebSocket('ws://example.com', { perMessageDeflate: 'yes' as unknown as boolean })).toThrow(/perMessageDeflate/);
    expect(() => new WebSocket('ws://example.com', { headers: { 'Sec-WebSocket-Key': 'x' } })).toThrow(TypeError);
  });
});

describe('pause and resume', () => {
  it('stops reading while paused and delivers the held messages after resume', async () => {
    // A client-role socket over a stream the test feeds: whether bytes were read is exact, not a matter of time.
    const socket = new RecordingSocket();
    const ws = track(WebSocket.fromSocket(socket, undefined, { role: 'client' }));
    const got: string[] = [];
    ws.on('message', (data) => got.push(String(data)));
    ws.pause();
    expect(ws.isPaused).toBe(true);
    socket.push(encodeFrame(0x1, Buffer.from('while paused')));
    await tick();
    expect(got).toEqual([]);
    ws.resume();
    await once(ws, 'message');
    expect(got).toEqual(['while paused']);
  });
});

describe('fromSocket and sendFrame', () => {
  it('wraps an upgraded socket in the server role and writes pre-encoded frames', async () => {
    const { createServer } = await import('node:http');
    const { acceptClientRequest } = await import('@rfc6455/handshake');
    const server = createServer();
    let serverWs: WebSocket | undefined;
    server.on('upgrade', (request, socket: Socket, head: Buffer) => {
      const accepted = acceptClientRequest({ method: 'GET', headers: request.rawHeaders }, { protocols: ['p1'] });
      socket.write(accepted.response);
      serverWs = WebSocket.fromSocket(socket, head, { role: 'server', protocol: accepted.protocol ?? '', extensions: '' });
      serverWs.on('message', (data, isBinary) => serverWs!.send(data as Buffer, { binary: isBinary }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const ws = track(await WebSocket.connect(`ws://127.0.0.1:${port}`, { protocols: 'p1' }));
      expect(serverWs!.readyState).toBe(WebSocket.OPEN);
      expect(serverWs!.protocol).toBe('p1');
      const echo = once<[Buffer, boolean]>(ws, 'message');
      ws.send('round trip');
      expect((await echo)[0].toString()).toBe('round trip');
      const frame = once<[Buffer, boolean]>(ws, 'message');
      const flushed = new Promise<Error | null | undefined>((resolve) => serverWs!.sendFrame(encodeFrame(0x2, Buffer.from([5, 6])), resolve));
      expect(await flushed).toBeFalsy();
      expect([...(await frame)[0]]).toEqual([5, 6]);
      // The server role may close with 1001 (going away); a client may not.
      const done = closed(ws);
      serverWs!.close(1001, 'shutdown');
      expect(await done).toEqual({ code: 1001, reason: 'shutdown', wasClean: true });
    } finally {
      server.close();
    }
  });
});

describe("ws's lifecycle and sending rules", () => {
  for (const method of ['close', 'terminate'] as const) {
    it(`${method}() from an upgrade listener ends the attempt: error WS_ERR_ABORTED, close 1006, never open`, async () => {
      const p = await peer();
      const ws = track(new WebSocket(p.url));
      const events: string[] = [];
      ws.on('upgrade', () => {
        events.push('upgrade');
        ws[method]();
      });
      ws.on('open', () => events.push('open'));
      ws.on('error', (err) => events.push(`error ${(err as Error & { code: string }).code}`));
      const done = closed(ws);
      events.push(`close ${(await done).code}`);
      // The server's end of the upgraded socket closes too: the connection carries nothing.
      const server = await p.nextConnection();
      await new Promise((resolve) => (server.socket.destroyed ? resolve(undefined) : server.socket.once('close', resolve)));
      expect(events).toEqual(['upgrade', 'error WS_ERR_ABORTED', 'close 1006']);
      expect(server.messages).toEqual([]);
    });
  }

  it('send() takes what ws takes: a number as its text, byte arrays, undefined as an empty binary message', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    ws.send(42);
    ws.send([1, 2, 255]);
    ws.send(undefined);
    ws.send({ valueOf: () => 'obj' });
    await until(() => server.messages.length === 4);
    expect(server.messages.map((m) => [m.data.toString('hex'), m.isBinary])).toEqual([
      [Buffer.from('42').toString('hex'), false],
      ['0102ff', true],
      ['', true],
      [Buffer.from('obj').toString('hex'), true],
    ]);
  });

  it('send options: an unknown key, or a mask the role forbids (RFC 6455 §5.1), throws a TypeError', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    expect(() => ws.send('x', { binray: true } as never)).toThrow(/unknown option "binray"; did you mean "binary"\?/);
    expect(() => ws.send('x', { mask: false })).toThrow(/mask: false on a client/);
    expect(() => ws.ping('x', false)).toThrow(/ping\(data, mask\): mask: false on a client/);
    const server = await p.nextConnection();
    ws.send('ok', { mask: true });
    await until(() => server.messages.length === 1);
    expect(String(server.messages[0]!.data)).toBe('ok');
  });

  it('ping(data, mask, cb) and pong(data, cb) call back once written; the peer gets the payloads', async () => {
    const p = await peer({ echo: false, autoPong: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const results: unknown[] = [];
    await new Promise<void>((resolve) => ws.ping('p1', true, (err) => (results.push(err), resolve())));
    await new Promise<void>((resolve) => ws.pong(7, (err) => (results.push(err), resolve())));
    await until(() => server.pings.length === 1 && server.pongs.length === 1);
    // Node's write callback: no error (undefined or null) for each.
    expect(results.map((err) => err ?? 'ok')).toEqual(['ok', 'ok']);
    expect([String(server.pings[0]), String(server.pongs[0])]).toEqual(['p1', '7']);
  });
});
