import { describe, expect, it } from 'vitest';
import { RecordingSocket, closed, tick, until, useTestScope } from '../../test/harness.ts';
import { once } from '../../test/peer.ts';
import { WebSocket } from './websocket.ts';

const { peer, track } = useTestScope();

describe('not OPEN', () => {
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

describe('sendAsync and backpressure', () => {
  it('sendAsync resolves once flushed, in order with send', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    ws.send('one');
    await ws.sendAsync(Buffer.alloc(100_000, 1));
    await ws.sendAsync('three', { binary: true });
    await until(() => server.messages.length === 3);
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
    await until(() => server.messages.length === sent);
    expect(server.messages.length).toBe(sent);
  });

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
});

describe('the send path, on a stream the test records', () => {
  it('writes an OPEN send at once, as one exact frame', async () => {
    const socket = new RecordingSocket();
    const ws = WebSocket.fromSocket(socket, undefined, { role: 'server' });
    const flushed = new Promise<unknown>((resolve) => ws.send('hi', resolve));
    expect(await flushed).toBeFalsy();
    expect(socket.written.toString('hex')).toBe('81026869');
    ws.terminate();
  });

  it('counts a send made after the connection ended in UTF-8 bytes (a lone surrogate as 3) and tells its callback', async () => {
    const socket = new RecordingSocket();
    const ws = WebSocket.fromSocket(socket, undefined, { role: 'server' });
    ws.terminate();
    await closed(ws);
    const errors: unknown[] = [];
    expect(ws.send('é', (err) => errors.push((err as { code?: string }).code))).toBe(false);
    expect(ws.bufferedAmount).toBe(2);
    ws.send('\ud800');
    expect(ws.bufferedAmount).toBe(5);
    expect(ws.sendFrame(Uint8Array.of(0x81, 0x00), (err) => errors.push((err as { code?: string }).code))).toBe(false);
    ws.ping('x', (err) => errors.push((err as { code?: string }).code));
    await tick();
    expect(errors).toEqual(['WS_ERR_NOT_OPEN', 'WS_ERR_NOT_OPEN', 'WS_ERR_NOT_OPEN']);
    // Frames and pings are not data accepted by send: bufferedAmount stays.
    expect(ws.bufferedAmount).toBe(5);
    expect(socket.written.length).toBe(0);
  });
});
