import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WebSocket } from './websocket.ts';

/** A socket stand-in that records how the stream machinery hands it data: one write, or a batch. */
class RecordingSocket extends Duplex {
  readonly batches: Buffer[][] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.batches.push([chunk]);
    done();
  }
  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.batches.push(chunks.map((c) => c.chunk));
    done();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

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
