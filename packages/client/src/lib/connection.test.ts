import { describe, expect, it } from 'vitest';
import { encodeFrame } from '@rfc6455/frame';
import { RecordingSocket, closed, tick, useTestScope } from '../../test/harness.ts';
import { once } from '../../test/peer.ts';
import { WebSocket } from './websocket.ts';

const { peer, track } = useTestScope();

describe('socket to protocol', () => {
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

describe('the peer breaks the protocol', () => {
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
});

describe('handing over a socket', () => {
  it('fromSocket on a socket that already closed emits close 1006', async () => {
    const { PassThrough } = await import('node:stream');
    const stream = new PassThrough();
    stream.destroy();
    const ws = WebSocket.fromSocket(stream, undefined, { role: 'server' });
    expect(await closed(ws)).toEqual({ code: 1006, reason: '', wasClean: false });
    expect(() => WebSocket.fromSocket(stream, undefined, { role: 'peer' as 'server' })).toThrow(TypeError);
  });
});

describe('the pump, on a stream the test feeds', () => {
  it('delivers the bytes read past the handshake after fromSocket returns, before later socket data', async () => {
    const socket = new RecordingSocket();
    // A client-role socket: frames from the "server" are unmasked (RFC 6455 §5.1).
    const ws = WebSocket.fromSocket(socket, encodeFrame(0x1, Buffer.from('early')), { role: 'client' });
    const got: string[] = [];
    ws.on('message', (data) => got.push(String(data)));
    socket.push(encodeFrame(0x1, Buffer.from('later')));
    expect(got).toEqual([]);
    await tick();
    expect(got).toEqual(['early', 'later']);
    ws.terminate();
  });

  it('fails the connection with 1011 when a listener throws, and lets the exception go on up', async () => {
    const socket = new RecordingSocket();
    const ws = WebSocket.fromSocket(socket, undefined, { role: 'client' });
    ws.on('message', () => {
      throw new Error('listener bug');
    });
    // Emitted as a socket's read does, so the exception comes out of the emit.
    expect(() => socket.emit('data', encodeFrame(0x2, Buffer.from([1])))).toThrow('listener bug');
    await tick();
    // Our close frame: FIN + close, masked, length 2; unmasked it is 1011 (0x03f3).
    const frame = socket.written;
    expect(frame.subarray(0, 2).toString('hex')).toBe('8882');
    const mask = frame.subarray(2, 6);
    expect([frame[6]! ^ mask[0]!, frame[7]! ^ mask[1]!]).toEqual([0x03, 0xf3]);
    ws.terminate();
  });

  it('answers the end of the stream by ending its own half', async () => {
    const socket = new RecordingSocket();
    const ws = WebSocket.fromSocket(socket, undefined, { role: 'server' });
    const done = closed(ws);
    socket.push(null);
    await tick();
    expect(socket.writableEnded).toBe(true);
    socket.destroy();
    expect(await done).toEqual({ code: 1006, reason: '', wasClean: false });
  });
});

describe("ws's per-connection options", () => {
  it('maxPayload (ws) fails a larger message with 1009 and WS_ERR_UNSUPPORTED_MESSAGE_LENGTH; 0 lifts the limit', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url, { maxPayload: 10 }));
    const server = await p.nextConnection();
    const errors: string[] = [];
    ws.on('error', (err) => errors.push((err as Error & { code: string }).code));
    const done = closed(ws);
    server.protocol.sendText('0123456789');
    server.protocol.sendText('0123456789A');
    expect((await done).code).toBe(1009);
    expect(errors).toEqual(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH']);
    expect((await server.closing).code).toBe(1009);
  });

  it('skipUTF8Validation delivers text that is not UTF-8 instead of failing with 1007', async () => {
    const p = await peer({ echo: false });
    const strict = track(await WebSocket.connect(p.url));
    const lax = track(await WebSocket.connect(p.url, { skipUTF8Validation: true }));
    const [first, second] = [await p.nextConnection(), await p.nextConnection()];
    const failed = closed(strict);
    const message = once<[Buffer, boolean]>(lax, 'message');
    first.socket.write(encodeFrame(0x1, Buffer.from([0xff, 0x61])));
    second.socket.write(encodeFrame(0x1, Buffer.from([0xff, 0x61])));
    expect((await failed).code).toBe(1007);
    const [data, isBinary] = await message;
    expect([data.toString('hex'), isBinary]).toEqual(['ff61', false]);
  });

  it('allowSynchronousEvents: false emits one message per turn of the event loop, then close after them', async () => {
    const p = await peer({ echo: false });
    const run = async (allowSynchronousEvents: boolean): Promise<string[]> => {
      const ws = track(await WebSocket.connect(p.url, { allowSynchronousEvents }));
      const server = await p.nextConnection();
      const log: string[] = [];
      // Set by each message, cleared by the next turn of the event loop: tells whether a message
      // came in the same turn as the one before it.
      let sameTurn = false;
      ws.on('message', (data) => {
        log.push(`${String(data)}:${sameTurn ? 'same' : 'later'}`);
        sameTurn = true;
        setImmediate(() => (sameTurn = false));
      });
      const done = closed(ws);
      // Three messages and the close frame in one write: one read.
      server.socket.write(Buffer.concat([encodeFrame(0x1, Buffer.from('a')), encodeFrame(0x1, Buffer.from('b')), encodeFrame(0x1, Buffer.from('c')), encodeFrame(0x8, Buffer.from([0x03, 0xe8]))]));
      log.push(`close ${(await done).code}`);
      return log;
    };
    expect(await run(true)).toEqual(['a:later', 'b:same', 'c:same', 'close 1000']);
    expect(await run(false)).toEqual(['a:later', 'b:later', 'c:later', 'close 1000']);
  });

  it('generateMask fills the masking key of each frame', async () => {
    const p = await peer({ echo: false });
    let calls = 0;
    const ws = track(
      await WebSocket.connect(p.url, {
        generateMask: (mask) => {
          calls++;
          mask.set([0x11, 0x22, 0x33, 0x44]);
        },
      }),
    );
    const server = await p.nextConnection();
    const raw: Buffer[] = [];
    // Copied before the peer unmasks the bytes in place.
    server.socket.prependListener('data', (chunk: Buffer) => raw.push(Buffer.from(chunk)));
    const got = once<[Buffer]>(server, 'message');
    ws.send('hi');
    expect(String((await got)[0])).toBe('hi');
    // FIN text, masked length 2, the key we gave, then 'h' ^ 0x11, 'i' ^ 0x22.
    expect(Buffer.concat(raw).toString('hex')).toBe(`8182${'11223344'}${(0x68 ^ 0x11).toString(16)}${(0x69 ^ 0x22).toString(16)}`);
    expect(calls).toBe(1);
  });
});
