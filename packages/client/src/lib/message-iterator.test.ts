import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/harness.ts';
import { startPeer } from '../../test/peer.ts';
import type { Peer } from '../../test/peer.ts';
import { ITERATOR_HIGH_WATER } from './message-iterator.ts';
import { WebSocket } from './websocket.ts';

const peers: Peer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function connect(): Promise<{ ws: WebSocket; server: Awaited<ReturnType<Peer['nextConnection']>> }> {
  const p = await startPeer({ echo: false });
  peers.push(p);
  const ws = await WebSocket.connect(p.url);
  sockets.push(ws);
  return { ws, server: await p.nextConnection() };
}

describe('for await (const message of ws)', () => {
  it('yields text as strings and binary per binaryType, and ends on a clean close', async () => {
    const { ws, server } = await connect();
    server.protocol.sendText('one');
    server.protocol.sendBinary(new Uint8Array([2]));
    server.protocol.sendText('three');
    server.protocol.sendClose(1000, 'bye');
    const got: unknown[] = [];
    for await (const message of ws) got.push(Buffer.isBuffer(message) ? [...message] : message);
    expect(got).toEqual(['one', [2], 'three']);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('throws the error of an abnormal close after the messages that came before it', async () => {
    const { ws, server } = await connect();
    server.protocol.sendText('before');
    // The connection breaks once that message is in: registered before the iterator's own listener.
    ws.once('message', () => server.socket.destroy());
    const got: unknown[] = [];
    const error = await (async () => {
      try {
        for await (const message of ws) got.push(message);
      } catch (err) {
        return err as { code: string; closeCode: number };
      }
      return undefined;
    })();
    expect(got).toEqual(['before']);
    expect(error?.code).toBe('WS_ERR_CLOSED_ABNORMALLY');
    expect(error?.closeCode).toBe(1006);
  });

  it('throws the protocol error when the peer breaks the protocol', async () => {
    const { ws, server } = await connect();
    server.socket.write(Buffer.from([0x83, 0x00])); // opcode 3 is reserved (RFC 6455 §5.2)
    await expect(
      (async () => {
        for await (const message of ws) void message;
      })(),
    ).rejects.toMatchObject({ code: 'WS_ERR_INVALID_OPCODE', closeCode: 1002 });
  });

  it('pauses the socket while the consumer is behind and resumes when it catches up', async () => {
    const { ws, server } = await connect();
    const total = ITERATOR_HIGH_WATER * 4;
    for (let i = 0; i < total; i++) server.protocol.sendText(String(i));
    const iterator = ws[Symbol.asyncIterator]();
    await until(() => ws.isPaused);
    expect(ws.isPaused).toBe(true);
    const got: string[] = [];
    for (let i = 0; i < total; i++) got.push((await iterator.next()).value as string);
    expect(got).toEqual(Array.from({ length: total }, (_, i) => String(i)));
    expect(ws.isPaused).toBe(false);
    server.protocol.sendText('after');
    expect((await iterator.next()).value).toBe('after');
  });

  it('break stops iterating without closing the connection', async () => {
    const { ws, server } = await connect();
    server.protocol.sendText('a');
    server.protocol.sendText('b');
    for await (const message of ws) {
      expect(message).toBe('a');
      break;
    }
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(ws.listenerCount('message')).toBe(0);
  });

  it('ends at once on a connection already closed', async () => {
    const { ws } = await connect();
    ws.terminate();
    await new Promise((resolve) => ws.once('close', resolve));
    const result = await ws[Symbol.asyncIterator]().next();
    expect(result.done).toBe(true);
  });
});
