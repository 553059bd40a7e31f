import { describe, expect, it } from 'vitest';
import { closed, tick, until, useTestScope } from '../../test/harness.ts';
import { WebSocket } from './websocket.ts';

const { peer, track } = useTestScope();

describe('Blob sends', () => {
  it('keeps message order around a Blob read asynchronously', async () => {
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    ws.send('first');
    ws.send(new Blob([Buffer.from('blob-second')]));
    ws.send('third');
    expect(ws.bufferedAmount).toBeGreaterThanOrEqual(11 + 5);
    await until(() => server.messages.length === 3);
    expect(server.messages.map((m) => [m.data.toString(), m.isBinary])).toEqual([
      ['first', false],
      ['blob-second', true],
      ['third', false],
    ]);
  });

  it('calls a queued Blob send back once, with WS_ERR_NOT_OPEN, when the connection closes while the Blob is read', async () => {
    // A Blob still being read when the connection closes: the close fails the queued send, and the
    // read finishing later must not call the callback a second time.
    let finishRead!: () => void;
    const readAllowed = new Promise<void>((resolve) => (finishRead = resolve));
    let read: Promise<ArrayBuffer> | undefined;
    class SlowBlob extends Blob {
      override arrayBuffer(): Promise<ArrayBuffer> {
        read = readAllowed.then(() => super.arrayBuffer());
        return read;
      }
    }
    const p = await peer({ echo: false });
    const ws = track(await WebSocket.connect(p.url));
    const codes: unknown[] = [];
    ws.send(new SlowBlob([Buffer.from('abc')]), (err) => codes.push((err as { code?: unknown } | null | undefined)?.code));
    ws.terminate();
    await closed(ws);
    // Only now does the read finish, after the close has answered the send.
    finishRead();
    await read;
    await tick();
    expect(codes).toEqual(['WS_ERR_NOT_OPEN']);
    expect(ws.bufferedAmount).toBe(3);
  });
});
