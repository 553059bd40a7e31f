import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@rfc6455/codes';
import { closed, until, useTestScope } from '../../test/harness.ts';
import { once } from '../../test/peer.ts';
import { WebSocket } from './websocket.ts';
import { createWebSocketStream } from './websocket-stream.ts';

const { peer, track } = useTestScope();

describe('createWebSocketStream', () => {
  it('writes before open wait for it; each write is one message, each message one chunk', async () => {
    const p = await peer();
    const ws = track(new WebSocket(p.url, { perMessageDeflate: false }));
    const duplex = createWebSocketStream(ws);
    const chunks: Buffer[] = [];
    duplex.on('data', (chunk: Buffer) => chunks.push(chunk));
    duplex.write('first');
    duplex.write(Buffer.from([1, 2, 3]));
    await until(() => chunks.length === 2);
    const server = p.connections[0]!;
    // Written strings are bytes by default (decodeStrings): both arrive as binary messages.
    expect(server.messages.map((m) => [m.data.toString('hex'), m.isBinary])).toEqual([
      [Buffer.from('first').toString('hex'), true],
      ['010203', true],
    ]);
    expect(chunks.map((c) => c.toString('hex'))).toEqual([Buffer.from('first').toString('hex'), '010203']);
  });

  it('readableObjectMode: text messages are strings, binary ones Buffers; decodeStrings: false sends text', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const duplex = createWebSocketStream(ws, { readableObjectMode: true, decodeStrings: false });
    const got: unknown[] = [];
    duplex.on('data', (chunk: unknown) => got.push(chunk));
    duplex.write('héllo');
    duplex.write(Buffer.from([9]));
    await until(() => got.length === 2);
    expect(got[0]).toBe('héllo');
    expect(Buffer.isBuffer(got[1])).toBe(true);
    expect(p.connections[0]!.messages.map((m) => m.isBinary)).toEqual([false, true]);
  });

  it('pauses the connection when the read buffer is full and resumes it when read', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const duplex = createWebSocketStream(ws, { readableHighWaterMark: 4 });
    for (const text of ['aaaa', 'bbbb', 'cccc']) server.protocol.sendText(text);
    await until(() => ws.isPaused);
    expect(duplex.readableLength).toBeGreaterThanOrEqual(4);
    const read: string[] = [];
    duplex.on('data', (chunk: Buffer) => read.push(chunk.toString()));
    await until(() => read.length === 3);
    expect(read).toEqual(['aaaa', 'bbbb', 'cccc']);
    expect(ws.isPaused).toBe(false);
  });

  it('end() closes the connection; the peer closing ends the readable side; close follows CLOSED', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const duplex = createWebSocketStream(ws);
    duplex.resume();
    const wsClosed = closed(ws);
    const events: string[] = [];
    duplex.on('finish', () => events.push('finish'));
    duplex.on('end', () => events.push('end'));
    const streamClosed = once(duplex, 'close');
    duplex.end('last');
    expect((await wsClosed).code).toBe(1005);
    await streamClosed;
    expect(events.sort()).toEqual(['end', 'finish']);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(duplex.destroyed).toBe(true);
    expect(p.connections[0]!.messages.map((m) => m.data.toString())).toEqual(['last']);
  });

  it('destroy() terminates the connection (1006) and emits close once it is CLOSED', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const duplex = createWebSocketStream(ws);
    const wsClosed = closed(ws);
    const streamClosed = once(duplex, 'close');
    duplex.destroy();
    expect((await wsClosed).code).toBe(1006);
    await streamClosed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it("an error of the connection destroys the stream with it, and the connection's close frame still goes out", async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url, { maxMessageLength: 8 }));
    const server = await p.nextConnection();
    const duplex = createWebSocketStream(ws);
    const streamError = once<[Error & { code?: string }]>(duplex, 'error');
    server.protocol.sendBinary(Buffer.alloc(9));
    const [err] = await streamError;
    expect(err.code).toBe(ErrorCode.UnsupportedMessageLength);
    expect(duplex.destroyed).toBe(true);
    expect((await server.closing).code).toBe(1009);
  });

  it('rejects an unknown option and the options the stream sets itself, naming them', async () => {
    const p = await peer();
    const ws = track(new WebSocket(p.url));
    expect(() => createWebSocketStream(ws, { readableHighWatermark: 4 } as never)).toThrow(/unknown option "readableHighWatermark"/);
    expect(() => createWebSocketStream(ws, { objectMode: true } as never)).toThrow(/objectMode cannot be set/);
    expect(() => createWebSocketStream(ws, 'x' as never)).toThrow(TypeError);
    expect(() => createWebSocketStream({} as never)).toThrow(/ws must be a WebSocket/);
  });
});
