import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RecordingSocket, tick, until, useTestScope } from '../../test/harness.ts';
import { WebSocket } from './websocket.ts';

const { peer, track } = useTestScope();

describe('writes are coalesced per tick', () => {
  it('sends made in one tick leave in one batch, in order, with exact frames', async () => {
    const socket = new RecordingSocket();
    const ws = WebSocket.fromSocket(socket, undefined, { role: 'server' });
    ws.send('a');
    ws.send(Buffer.from([1, 2]));
    ws.ping();
    expect(socket.batches).toEqual([]);
    await tick();
    expect(socket.batches).toEqual([[Buffer.from([0x81, 0x01, 0x61]), Buffer.from([0x82, 0x02, 1, 2]), Buffer.from([0x89, 0x00])]]);
    ws.send('b');
    await tick();
    expect(socket.batches).toHaveLength(2);
    expect(socket.batches[1]).toEqual([Buffer.from([0x81, 0x01, 0x62])]);
    ws.terminate();
  });

  it('a pre-encoded frame (broadcast) joins the batch of its tick, and callbacks still fire', async () => {
    const socket = new RecordingSocket();
    const ws = WebSocket.fromSocket(socket, undefined, { role: 'server' });
    const done: string[] = [];
    ws.sendFrame(Uint8Array.of(0x81, 0x01, 0x78), () => done.push('frame'));
    ws.send('y', () => done.push('send'));
    await tick();
    expect(socket.batches).toEqual([[Buffer.from([0x81, 0x01, 0x78]), Buffer.from([0x81, 0x01, 0x79])]]);
    expect(done).toEqual(['frame', 'send']);
    ws.terminate();
  });
});

describe('messages and fragments', () => {
  it('sends a fragmented message with { fin: false } that the peer reassembles', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    ws.send('hel', { fin: false });
    ws.send('lo ', { fin: false });
    ws.send('wörld', { fin: true });
    ws.send(Buffer.from([1]), { fin: false });
    ws.send(Buffer.from([2]), { binary: true });
    await until(() => server.messages.length === 2);
    expect(server.messages[0]).toEqual({ data: Buffer.from('hello wörld'), isBinary: false });
    expect(server.messages[1]).toEqual({ data: Buffer.from([1, 2]), isBinary: true });
  });
});

describe('permessage-deflate through the writer', () => {
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
    await until(() => server.messages.length === 4);
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
    await until(() => results.length === 2);
    expect(results).toEqual(['big WS_ERR_NOT_OPEN', 'next WS_ERR_NOT_OPEN']);
  });

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
      await until(() => serverWs !== undefined);
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
      await until(() => got.length === 3);
      expect(order).toEqual(['noise', 'tail', 'last']);
      expect(got[0]!.equals(noise)).toBe(true);
      expect(got.slice(1).map(String)).toEqual(['tail', 'last']);
    } finally {
      server.close();
    }
  });
});
