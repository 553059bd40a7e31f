import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '@rfc6455/frame';
import { once, startPeer } from '../../test/peer.ts';
import type { Peer } from '../../test/peer.ts';
import type { CloseEvent, ErrorEvent, MessageEvent } from './events.ts';
import { WebSocket } from './websocket.ts';

const peers: Peer[] = [];
const sockets: WebSocket[] = [];

async function peer(options?: Parameters<typeof startPeer>[0]): Promise<Peer> {
  const p = await startPeer(options);
  peers.push(p);
  return p;
}

function track(ws: WebSocket): WebSocket {
  sockets.push(ws);
  return ws;
}

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

function closed(ws: WebSocket): Promise<{ code: number; reason: string; wasClean: boolean }> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer, wasClean: boolean) => resolve({ code, reason: reason.toString(), wasClean })));
}

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
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (got.length === 5) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
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

  it('dispatches WHATWG events: onopen, onmessage with strings and binaryType, onclose', async () => {
    const p = await peer();
    const ws = track(new WebSocket(p.url));
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
    const events: string[] = [];
    ws.onopen = (event) => {
      events.push(`open:${event.type}:${event.target === ws}`);
      ws.send('text');
    };
    const messages: unknown[] = [];
    ws.onmessage = (event: MessageEvent) => {
      messages.push(event.data);
      if (messages.length === 1) {
        ws.binaryType = 'arraybuffer';
        ws.send(Buffer.from([9, 8]));
      } else if (messages.length === 2) {
        ws.binaryType = 'blob';
        ws.send(Buffer.from([7]));
      } else {
        ws.close(1000, 'done');
      }
    };
    const close = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', (event: CloseEvent) => resolve(event)));
    const event = await close;
    expect(events).toEqual(['open:open:true']);
    expect(messages[0]).toBe('text');
    expect(messages[1]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(messages[1] as ArrayBuffer)]).toEqual([9, 8]);
    expect(messages[2]).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (messages[2] as Blob).arrayBuffer())]).toEqual([7]);
    expect(event.code).toBe(1000);
    expect(event.wasClean).toBe(true);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(ws.onmessage).toBeTypeOf('function');
  });

  it('adds a listener once, supports handleEvent objects, { once }, removeEventListener and dispatchEvent', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const seen: string[] = [];
    const fn = (event: MessageEvent): void => void seen.push(`fn:${String(event.data)}`);
    ws.addEventListener('message', fn);
    ws.addEventListener('message', fn);
    ws.addEventListener('message', { handleEvent: (event: MessageEvent) => seen.push(`obj:${String(event.data)}`) }, { once: true });
    ws.send('a');
    await once(ws, 'message');
    ws.removeEventListener('message', fn);
    ws.dispatchEvent({ type: 'message', data: 'synthetic' } as unknown as MessageEvent);
    ws.send('b');
    await once(ws, 'message');
    expect(seen).toEqual(['fn:a', 'obj:a']);
    ws.addEventListener('custom', fn);
    ws.dispatchEvent({ type: 'custom', data: 'x' } as unknown as MessageEvent);
    expect(seen).toEqual(['fn:a', 'obj:a', 'fn:x']);
  });

  it('echoes a 16 MiB binary message intact', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    big[big.length - 1] = 0xab;
    const reply = once<[Buffer, boolean]>(ws, 'message');
    ws.send(big);
    const [data, isBinary] = await reply;
    expect(isBinary).toBe(true);
    expect(data.length).toBe(big.length);
    expect(data.equals(big)).toBe(true);
  }, 30_000);

  it('sends a fragmented message with { fin: false } that the peer reassembles', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    ws.send('hel', { fin: false });
    ws.send('lo ', { fin: false });
    ws.send('wörld', { fin: true });
    ws.send(Buffer.from([1]), { fin: false });
    ws.send(Buffer.from([2]), { binary: true });
    await new Promise<void>((resolve) => {
      const check = (): void => (server.messages.length === 2 ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(server.messages[0]).toEqual({ data: Buffer.from('hello wörld'), isBinary: false });
    expect(server.messages[1]).toEqual({ data: Buffer.from([1, 2]), isBinary: true });
  });

  it('receives a fragmented message from the peer as one message', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const message = once<[Buffer, boolean]>(ws, 'message');
    server.protocol.sendText('ab', { fin: false });
    server.protocol.sendPing('mid');
    server.protocol.sendText('cd', { fin: true });
    const [data, isBinary] = await message;
    expect(data.toString()).toBe('abcd');
    expect(isBinary).toBe(false);
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

describe('closing', () => {
  it('client-initiated: close frame with code and reason, clean close', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const done = closed(ws);
    ws.close(4000, 'bye now');
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    const result = await done;
    expect(result).toEqual({ code: 4000, reason: '', wasClean: true });
    expect(server.protocol.closeReceived).toEqual({ code: 4000, reason: 'bye now' });
    expect((await server.closing).wasClean).toBe(true);
  });

  it('server-initiated: the client echoes the code and reports the peer\'s code and reason', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const event = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    server.protocol.sendClose(4001, 'going');
    const result = await event;
    expect(result.code).toBe(4001);
    expect(result.reason).toBe('going');
    expect(result.wasClean).toBe(true);
    expect((await server.closing).code).toBe(4001);
  });

  it('an invalid close code from the peer fails the connection with 1002', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const errors: Array<{ code: string; closeCode: number | undefined }> = [];
    ws.on('error', (err) => {
      const e = err as Error & { code: string; closeCode?: number };
      errors.push({ code: e.code, closeCode: e.closeCode });
    });
    const done = closed(ws);
    // 1005 may never be sent on the wire (RFC 6455 §7.4.1).
    server.socket.write(encodeFrame(0x8, Buffer.from([0x03, 0xed])));
    const result = await done;
    expect(errors).toEqual([{ code: 'WS_ERR_INVALID_CLOSE_CODE', closeCode: 1002 }]);
    expect(result.code).toBe(1002);
    expect(result.wasClean).toBe(false);
    const serverSide = await server.closing;
    expect(server.protocol.closeReceived?.code).toBe(1002);
    expect(serverSide.code).toBe(1002);
  });

  it('an unmasked frame is fine from a server but a masked one fails with 1002', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const error = once<[Error & { code: string }]>(ws, 'error');
    const done = closed(ws);
    server.socket.write(encodeFrame(0x1, Buffer.from('x'), { maskKey: new Uint8Array([1, 2, 3, 4]) }));
    expect((await error)[0].code).toBe('WS_ERR_UNEXPECTED_MASK');
    expect((await done).code).toBe(1002);
  });

  it('an abrupt end of the TCP connection closes with 1006, not clean', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const event = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
    server.socket.destroy();
    const result = await event;
    expect(result.code).toBe(1006);
    expect(result.wasClean).toBe(false);
  });

  it('terminate() ends the connection at once with 1006', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const done = closed(ws);
    ws.terminate();
    expect(await done).toEqual({ code: 1006, reason: '', wasClean: false });
  });

  it('close timeout: a peer that never answers the close frame is cut off after closeTimeoutMs', async () => {
    const p = await peer({
      onUpgrade: (request, socket) => {
        // Accept, then read and ignore everything.
        const key = request.headers['sec-websocket-key'] as string;
        void import('@rfc6455/handshake').then(({ createAcceptKey }) => {
          socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${createAcceptKey(key)}\r\n\r\n`);
        });
        socket.resume();
        return true;
      },
    });
    const ws = track(await WebSocket.connect(p.url, { closeTimeoutMs: 150 }));
    const started = Date.now();
    const done = closed(ws);
    ws.close();
    const result = await done;
    expect(result.code).toBe(1006);
    expect(result.wasClean).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('send after close: the callback and sendAsync get WS_ERR_NOT_OPEN, bufferedAmount grows, nothing throws', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const done = closed(ws);
    ws.close();
    const err = await new Promise<Error & { code?: string }>((resolve) => ws.send('late', (e) => resolve(e as Error)));
    expect(err.code).toBe('WS_ERR_NOT_OPEN');
    await done;
    expect(ws.send('12345')).toBe(false);
    expect(ws.bufferedAmount).toBe(4 + 5);
    await expect(ws.sendAsync('x')).rejects.toMatchObject({ code: 'WS_ERR_NOT_OPEN' });
    const pingErr = await new Promise<Error & { code?: string }>((resolve) => ws.ping('p', undefined, (e) => resolve(e as Error)));
    expect(pingErr.code).toBe('WS_ERR_NOT_OPEN');
  });
});

describe('WHATWG argument validation', () => {
  it('close(): InvalidAccessError for codes other than 1000 and 3000–4999, SyntaxError for a long reason', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    for (const code of [999, 1001, 1005, 1006, 2999, 5000, 3000.5]) {
      expect(() => ws.close(code)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    }
    expect(() => ws.close(1000, 'é'.repeat(62))).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const done = closed(ws);
    ws.close(1000, 'x'.repeat(123));
    expect((await done).code).toBe(1000);
  });

  it('close(): the code rules follow the role, and a reason given as bytes is exactly the view\'s bytes', async () => {
    const { Duplex } = await import('node:stream');
    const wire = (): { socket: InstanceType<typeof Duplex>; written: Buffer[] } => {
      const written: Buffer[] = [];
      const socket = new Duplex({
        read() {},
        write(chunk: Buffer, _encoding, callback) {
          written.push(chunk);
          callback();
        },
      });
      return { socket, written };
    };
    // A client-role socket may close only with 1000 or 3000–4999 (WHATWG); a server-role one with
    // any code an endpoint may send, but never 1005 (RFC 6455 §7.4.1).
    const client = WebSocket.fromSocket(wire().socket, undefined, { role: 'client' });
    expect(() => client.close(1001)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    client.terminate();
    const server = wire();
    const serverWs = WebSocket.fromSocket(server.socket, undefined, { role: 'server' });
    expect(() => serverWs.close(1005)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    const secret = Buffer.from('SECRET-hi-SECRET');
    serverWs.close(1001, secret.subarray(7, 9));
    await new Promise((resolve) => setImmediate(resolve));
    // FIN + close opcode, unmasked length 4, code 1001 (0x03e9), "hi": nothing of the buffer around the view.
    expect(Buffer.concat(server.written).toString('hex')).toBe('880403e96869');
    serverWs.terminate();
    const other = wire();
    const otherWs = WebSocket.fromSocket(other.socket, undefined, { role: 'server' });
    otherWs.close(4000, new DataView(secret.buffer, secret.byteOffset + 7, 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(other.written).toString('hex')).toBe('88040fa06869');
    otherWs.terminate();
  });

  it('send(): InvalidStateError while CONNECTING, TypeError for other data', async () => {
    const p = await peer();
    const ws = track(new WebSocket(p.url));
    expect(() => ws.send('x')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    await once(ws, 'open');
    expect(() => ws.send(42 as unknown as string)).toThrow(TypeError);
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

  it('close() while CONNECTING aborts: error WS_ERR_ABORTED, then close 1006', async () => {
    const p = await peer();
    const ws = track(new WebSocket(p.url));
    const events: string[] = [];
    ws.onerror = (event: ErrorEvent) => events.push(`error:${(event.error as { code: string }).code}`);
    ws.onclose = (event: CloseEvent) => events.push(`close:${event.code}:${event.wasClean}`);
    ws.onopen = () => events.push('open');
    ws.close();
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual(['error:WS_ERR_ABORTED', 'close:1006:false']);
  });
});

describe('sendAsync and backpressure', () => {
  it('sendAsync resolves once flushed, in order with send', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    ws.send('one');
    await ws.sendAsync(Buffer.alloc(100_000, 1));
    await ws.sendAsync('three', { binary: true });
    await new Promise<void>((resolve) => {
      const check = (): void => (server.messages.length === 3 ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(server.messages.map((m) => [m.data.length, m.isBinary])).toEqual([
      [3, false],
      [100_000, true],
      [5, true],
    ]);
  });

  it('send returns false past highWaterMark and emits drain when the buffer empties', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url, { highWaterMark: 64 * 1024 }));
    const server = await p.nextConnection();
    server.socket.pause();
    const chunk = Buffer.alloc(32 * 1024);
    let result = true;
    let sent = 0;
    while (result && sent < 4096) {
      result = ws.send(chunk);
      sent++;
    }
    expect(result).toBe(false);
    expect(ws.bufferedAmount).toBeGreaterThan(64 * 1024);
    const drained = once(ws, 'drain');
    server.socket.resume();
    await drained;
    expect(ws.bufferedAmount).toBeLessThanOrEqual(64 * 1024);
    await new Promise<void>((resolve) => {
      const check = (): void => (server.messages.length === sent ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(server.messages.length).toBe(sent);
  });

  it('keeps message order around a Blob read asynchronously', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    ws.send('first');
    ws.send(new Blob([Buffer.from('blob-second')]));
    ws.send('third');
    expect(ws.bufferedAmount).toBeGreaterThanOrEqual(11 + 5);
    await new Promise<void>((resolve) => {
      const check = (): void => (server.messages.length === 3 ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(server.messages.map((m) => [m.data.toString(), m.isBinary])).toEqual([
      ['first', false],
      ['blob-second', true],
      ['third', false],
    ]);
  });

  it('calls a queued Blob send back once, with WS_ERR_NOT_OPEN, when the connection closes while the Blob is read', async () => {
    // A Blob still being read when the connection closes: the close fails the queued send, and the
    // read finishing later must not call the callback a second time.
    class SlowBlob extends Blob {
      override arrayBuffer(): Promise<ArrayBuffer> {
        return new Promise((resolve) => setTimeout(() => resolve(super.arrayBuffer()), 50));
      }
    }
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const codes: unknown[] = [];
    ws.send(new SlowBlob([Buffer.from('abc')]), (err) => codes.push((err as { code?: unknown } | null | undefined)?.code));
    ws.terminate();
    await closed(ws);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(codes).toEqual(['WS_ERR_NOT_OPEN']);
    expect(ws.bufferedAmount).toBe(3);
  });
});

describe('pause and resume', () => {
  it('stops reading while paused and delivers the held messages after resume', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const got: string[] = [];
    ws.on('message', (data) => got.push(String(data)));
    ws.pause();
    expect(ws.isPaused).toBe(true);
    server.protocol.sendText('while paused');
    await new Promise((resolve) => setTimeout(resolve, 50));
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

describe('heartbeat', () => {
  it('measures latency while the peer answers pings', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url, { heartbeat: { intervalMs: 20, timeoutMs: 200 } }));
    const server = await p.nextConnection();
    expect(ws.latency).toBeUndefined();
    await once(ws, 'pong');
    expect(ws.latency).toBeTypeOf('number');
    expect(ws.latency!).toBeGreaterThanOrEqual(0);
    expect(server.pings[0]!.length).toBe(8);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('terminates a peer that never answers: error WS_ERR_HEARTBEAT_TIMEOUT, close 1006', async () => {
    const p = await peer({ autoPong: false });
    const ws = track(await WebSocket.connect(p.url, { heartbeat: { intervalMs: 30, timeoutMs: 60 } }));
    const server = await p.nextConnection();
    const errors: string[] = [];
    ws.on('error', (err) => errors.push((err as Error & { code: string }).code));
    const started = Date.now();
    const result = await closed(ws);
    expect(errors).toEqual(['WS_ERR_HEARTBEAT_TIMEOUT']);
    expect(result).toEqual({ code: 1006, reason: '', wasClean: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(server.pings).toHaveLength(1);
  });
});

describe('more transport cases', () => {
  it('emits drain with a highWaterMark below the socket\'s own', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url, { highWaterMark: 10 }));
    const server = await p.nextConnection();
    server.socket.pause();
    let result = true;
    let sent = 0;
    while (result && sent < 100_000) {
      result = ws.send(Buffer.alloc(8 * 1024));
      sent++;
    }
    expect(result).toBe(false);
    const drained = once(ws, 'drain');
    server.socket.resume();
    await drained;
    expect(ws.bufferedAmount).toBeLessThanOrEqual(10);
  });

  it('connects over IPv6 loopback when the machine has it', async () => {
    const { createServer } = await import('node:http');
    const probe = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => resolve(true));
    });
    probe.close();
    if (!ok) return;
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

  it('fromSocket on a socket that already closed emits close 1006', async () => {
    const { PassThrough } = await import('node:stream');
    const stream = new PassThrough();
    stream.destroy();
    const ws = WebSocket.fromSocket(stream, undefined, { role: 'server' });
    expect(await closed(ws)).toEqual({ code: 1006, reason: '', wasClean: false });
    expect(() => WebSocket.fromSocket(stream, undefined, { role: 'peer' as 'server' })).toThrow(TypeError);
  });
});

describe('ws-style handshake events and agents', () => {
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

describe('permessage-deflate', () => {
  it('offers it when asked, compresses both ways, and keeps order and flush callbacks with async encodes', async () => {
    const p = await peer({ deflate: true, echo: false });
    const ws = track(await WebSocket.connect(p.url, { perMessageDeflate: { compressionThreshold: 0 } }));
    const server = await p.nextConnection();
    expect(p.requests[0]!.headers['sec-websocket-extensions']).toBe('permessage-deflate; client_max_window_bits');
    expect(ws.extensions).toMatch(/^permessage-deflate/);
    const rsv1: boolean[] = [];
    server.socket.prependListener('data', (chunk: Buffer) => rsv1.push((chunk[0]! & 0x40) !== 0));
    const big = Buffer.alloc(200_000, 'abc');
    const flushed: string[] = [];
    ws.send('small', () => flushed.push('small'));
    const bigDone = ws.sendAsync(big).then(() => flushed.push('big'));
    ws.send('after', () => flushed.push('after'));
    await bigDone;
    await new Promise<void>((resolve) => {
      const check = (): void => (server.messages.length === 3 && flushed.length === 3 ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(flushed).toEqual(['small', 'big', 'after']);
    expect(server.messages.map((m) => [m.data.length, m.isBinary])).toEqual([
      [5, false],
      [200_000, true],
      [5, false],
    ]);
    expect(server.messages[1]!.data.equals(big)).toBe(true);
    expect(rsv1[0]).toBe(true);

    const reply = once<[Buffer, boolean]>(ws, 'message');
    server.protocol.sendBinary(big);
    const [got] = await reply;
    expect(got.equals(big)).toBe(true);
  });

  // Behaviour change (issue 5): the client offers permessage-deflate by default; `false` turns it off.
  it('offers it by default, runs uncompressed when the server declines, and does not offer it with false', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    expect(p.requests[0]!.headers['sec-websocket-extensions']).toBe('permessage-deflate; client_max_window_bits');
    expect(ws.extensions).toBe('');
    const reply = once<[Buffer]>(ws, 'message');
    ws.send('plain');
    expect(String((await reply)[0])).toBe('plain');
    const p2 = await peer();
    track(await WebSocket.connect(p2.url, { perMessageDeflate: false }));
    expect(p2.requests[0]!.headers['sec-websocket-extensions']).toBeUndefined();
  });

  it('honours send(data, { compress: false }) and the compressionThreshold option', async () => {
    const p = await peer({ deflate: true, echo: false });
    const ws = track(await WebSocket.connect(p.url, { compressionThreshold: 100 }));
    const server = await p.nextConnection();
    const wire: Buffer[] = [];
    server.socket.prependListener('data', (chunk: Buffer) => wire.push(Buffer.from(chunk)));
    const long = 'x'.repeat(100);
    await ws.sendAsync(long);
    await ws.sendAsync(long, { compress: false });
    await ws.sendAsync('x'.repeat(99));
    await ws.sendAsync(Buffer.from(long), { compress: true });
    await new Promise<void>((resolve) => {
      const check = (): void => (server.messages.length === 4 ? resolve() : void setTimeout(check, 5));
      check();
    });
    // Walk the masked client frames (RFC 6455 §5.2) for their first byte: FIN + RSV1 + opcode.
    const bytes = Buffer.concat(wire);
    const firstBytes: number[] = [];
    for (let at = 0; at < bytes.length; ) {
      firstBytes.push(bytes[at]!);
      const length7 = bytes[at + 1]! & 0x7f;
      const extra = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
      const length = length7 === 126 ? bytes.readUInt16BE(at + 2) : length7;
      at += 2 + extra + 4 + length;
    }
    // 0xc1 compressed text, 0x81 plain text, 0xc2 compressed binary.
    expect(firstBytes).toEqual([0xc1, 0x81, 0x81, 0xc2]);
    expect(server.messages.map((m) => [m.data.toString(), m.isBinary])).toEqual([
      [long, false],
      [long, false],
      ['x'.repeat(99), false],
      [long, true],
    ]);
    expect(() => ws.send('x', { compress: 'no' as unknown as boolean })).toThrow('options.compress must be a boolean');
    expect(() => new WebSocket('ws://example.com', { compressionThreshold: -1 })).toThrow(RangeError);
  });

  it('calls each send callback once its frame is written, in order, when an async encode fails the rest', async () => {
    const p = await peer({ deflate: true, echo: false });
    const ws = track(await WebSocket.connect(p.url, { perMessageDeflate: { compressionThreshold: 0 } }));
    await p.nextConnection();
    const results: string[] = [];
    const big = Buffer.alloc(100_000, 'q');
    ws.send(big, (err) => results.push(`big ${err ? (err as { code?: string }).code : 'ok'}`));
    ws.send('next', (err) => results.push(`next ${err ? (err as { code?: string }).code : 'ok'}`));
    ws.terminate();
    await new Promise<void>((resolve) => {
      const check = (): void => (results.length === 2 ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(results).toEqual(['big WS_ERR_NOT_OPEN', 'next WS_ERR_NOT_OPEN']);
  });
});

describe('fromSocket with permessage-deflate', () => {
  it('a server-role socket runs extensionHandlers; a large async-encoded frame (header + payload) still gets its callback', async () => {
    const { createServer } = await import('node:http');
    const { randomBytes } = await import('node:crypto');
    const { acceptClientRequest } = await import('@rfc6455/handshake');
    const { createDeflateServerNegotiator } = await import('@rfc6455/deflate');
    const { PerMessageDeflate } = await import('@rfc6455/deflate/node');
    const server = createServer();
    let serverWs: WebSocket | undefined;
    server.on('upgrade', (request, socket: Socket, head: Buffer) => {
      const negotiator = createDeflateServerNegotiator();
      const accepted = acceptClientRequest({ headers: request.rawHeaders }, { extensions: [negotiator] });
      socket.write(accepted.response);
      serverWs = WebSocket.fromSocket(socket, head, {
        role: 'server',
        extensions: 'permessage-deflate',
        extensionHandlers: accepted.extensions.map(
          (e) => new PerMessageDeflate({ role: 'server', config: negotiator.configure(e.params), compressionThreshold: 0 }),
        ),
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const ws = track(await WebSocket.connect(`ws://127.0.0.1:${port}`, { perMessageDeflate: true }));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(serverWs!.extensions).toBe('permessage-deflate');
      // Random bytes do not compress: the frame stays > 16 KiB, written as header then payload.
      const noise = randomBytes(100_000);
      const got: Buffer[] = [];
      ws.on('message', (data: Buffer) => got.push(data));
      const order: string[] = [];
      serverWs!.send(noise, () => order.push('noise'));
      serverWs!.send('tail', () => order.push('tail'));
      await serverWs!.sendAsync(Buffer.from('last'));
      order.push('last');
      await new Promise<void>((resolve) => {
        const check = (): void => (got.length === 3 ? resolve() : void setTimeout(check, 5));
        check();
      });
      expect(order).toEqual(['noise', 'tail', 'last']);
      expect(got[0]!.equals(noise)).toBe(true);
      expect(got.slice(1).map(String)).toEqual(['tail', 'last']);
    } finally {
      server.close();
    }
  });
});

describe('typed ws-style events', () => {
  it('types on/once/off by event, accepting the narrower listeners code written for ws uses', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const got: string[] = [];
    const onMessage = (data: Buffer, isBinary: boolean): void => void got.push(`${data.toString()}:${isBinary}`);
    ws.on('message', onMessage);
    ws.once('close', (code: number, reason: Buffer, wasClean: boolean) => got.push(`close:${code}:${reason.length}:${wasClean}`));
    ws.prependListener('pong', (data: Buffer) => got.push(`pong:${data.length}`));
    // @ts-expect-error a 'close' listener's first argument is the code, a number
    ws.on('close', (code: string) => code);
    // @ts-expect-error 'message' data is never a number
    ws.off('message', (data: number) => data);
    ws.on('custom-event', (a: number, b: string) => [a, b]);
    ws.removeAllListeners('close');
    ws.removeAllListeners('custom-event');
    ws.once('close', (code) => got.push(`close:${code}`));
    ws.send('typed');
    await new Promise<void>((resolve) => {
      const check = (): void => (got.length === 1 ? resolve() : void setTimeout(check, 5));
      check();
    });
    ws.off('message', onMessage);
    ws.ping('');
    await new Promise((resolve) => setTimeout(resolve, 20));
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
    expect(got).toEqual(['typed:false', 'pong:0', 'close:1005']);
  });
});
