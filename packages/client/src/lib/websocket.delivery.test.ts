/**
 * Delivery around the closing handshake, client side (docs/delivery.md): `close()` never
 * overtakes what was accepted before it, the ready state says CLOSING as soon as the protocol
 * refuses sends, and `wasClean` is only claimed when the peer's FIN proves it read everything.
 */
import { randomBytes } from 'node:crypto';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '@rfc6455/frame';
import { until } from '../../test/harness.ts';
import { once, startPeer } from '../../test/peer.ts';
import type { Peer } from '../../test/peer.ts';
import { WebSocket } from './websocket.ts';

const peers: Peer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function connect(options: Parameters<typeof startPeer>[0], clientOptions: ConstructorParameters<typeof WebSocket>[1] = {}) {
  const p = await startPeer(options);
  peers.push(p);
  const ws = await WebSocket.connect(p.url, clientOptions as object);
  sockets.push(ws);
  const server = await p.nextConnection();
  return { ws, server };
}

const codeOf = (err: Error | null | undefined): string => (err ? String((err as Error & { code?: string }).code) : 'ok');

/** A Blob whose read finishes after `ms` (a large file, a slow disk). */
class SlowBlob extends Blob {
  constructor(
    parts: ConstructorParameters<typeof Blob>[0],
    readonly ms: number,
  ) {
    super(parts);
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return new Promise((resolve) => setTimeout(() => resolve(super.arrayBuffer()), this.ms));
  }
}

describe('close() after sends still waiting behind a Blob', () => {
  it('send(blob); send(text); close(): both arrive, then the close frame; both ends close cleanly (issue 13)', async () => {
    const { ws, server } = await connect({ echo: false });
    const outcomes: string[] = [];
    ws.send(new SlowBlob([Buffer.from('blob')], 30), (err) => outcomes.push(`blob ${codeOf(err)}`));
    ws.send('text', (err) => outcomes.push(`text ${codeOf(err)}`));
    ws.close(1000, 'done');
    // CLOSING at once: a send after close() is refused, not queued behind the close frame.
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    ws.send('after close', (err) => outcomes.push(`after close ${codeOf(err)}`));
    const [code, reason, wasClean] = await once<[number, Buffer, boolean]>(ws, 'close');
    expect([code, reason.toString(), wasClean]).toEqual([1000, 'done', true]);
    expect(server.messages.map((m) => [m.data.toString(), m.isBinary])).toEqual([
      ['blob', true],
      ['text', false],
    ]);
    expect(server.protocol.closeReceived).toEqual({ code: 1000, reason: 'done' });
    expect(outcomes).toEqual(['after close WS_ERR_NOT_OPEN', 'blob ok', 'text ok']);
  });

  it('the peer closes while the Blob is read: the queued sends are refused with WS_ERR_NOT_OPEN, once each', async () => {
    const { ws, server } = await connect({ echo: false });
    const closing = once<[number, Buffer, boolean]>(ws, 'close');
    let finishRead!: () => void;
    const readAllowed = new Promise<void>((resolve) => (finishRead = resolve));
    class HeldBlob extends Blob {
      override arrayBuffer(): Promise<ArrayBuffer> {
        return readAllowed.then(() => super.arrayBuffer());
      }
    }
    const outcomes: string[] = [];
    ws.send(new HeldBlob([Buffer.from('blob')]), (err) => outcomes.push(`blob ${codeOf(err)}`));
    ws.send('text', (err) => outcomes.push(`text ${codeOf(err)}`));
    ws.close(1000);
    server.protocol.sendClose(1001);
    // The client has answered the peer's close frame: only now does the Blob's read finish.
    await until(() => server.protocol.closeReceived !== undefined);
    finishRead();
    await until(() => outcomes.length === 2);
    expect(outcomes).toEqual(['blob WS_ERR_NOT_OPEN', 'text WS_ERR_NOT_OPEN']);
    expect(server.messages).toEqual([]);
    const [code, , wasClean] = await closing;
    expect([code, wasClean]).toEqual([1001, true]);
  });
});

describe('the close frame behind a message still being inflated', () => {
  it('is delivered before the close event, with readyState CLOSING, and a reply to it is refused with WS_ERR_NOT_OPEN', async () => {
    const { ws, server } = await connect({ deflate: true, echo: false }, { perMessageDeflate: true });
    expect(ws.extensions).toContain('permessage-deflate');
    // One write: a compressed message large enough to inflate on the thread pool, then a close frame.
    const payload = randomBytes(200 * 1024);
    const deflated = deflateRawSync(payload, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const compressed = encodeFrame(2, deflated.subarray(0, deflated.length - 4), { rsv1: true });
    const seen = new Promise<{ data: Buffer; state: number; reply: Promise<string> }>((resolve) =>
      ws.once('message', (data: Buffer) =>
        resolve({ data, state: ws.readyState, reply: new Promise((done) => ws.send('reply', (err) => done(codeOf(err)))) }),
      ),
    );
    const order: string[] = [];
    ws.on('message', () => order.push('message'));
    ws.on('close', () => order.push('close'));
    const closed = once<[number, Buffer, boolean]>(ws, 'close');
    server.socket.write(Buffer.concat([compressed, encodeFrame(8, Buffer.from([0x03, 0xe8]))]));
    const { data, state, reply } = await seen;
    expect(Buffer.compare(data, payload)).toBe(0);
    expect(state).toBe(WebSocket.CLOSING);
    expect(await reply).toBe('WS_ERR_NOT_OPEN');
    // The peer closed TCP while the message was still being inflated: the message came first, then a clean close.
    const [code, , wasClean] = await closed;
    expect([code, wasClean]).toEqual([1000, true]);
    expect(order).toEqual(['message', 'close']);
    expect(server.messages).toEqual([]);
  });
});

describe('wasClean needs the peer to have read everything', () => {
  it('a peer that ends TCP after the closing handshake: clean', async () => {
    const { ws, server } = await connect({ echo: false });
    ws.send('last');
    ws.close(1000);
    const [, , wasClean] = await once<[number, Buffer, boolean]>(ws, 'close');
    expect(wasClean).toBe(true);
    expect(server.closed?.wasClean).toBe(true);
  });

  it('we began the handshake and the peer never ends TCP: still clean, its close frame proves it read ours', async () => {
    const { ws, server } = await neverEndingPeer();
    ws.send('last');
    ws.close(1000);
    const [code, , wasClean] = await once<[number, Buffer, boolean]>(ws, 'close');
    expect(server.messages.map((m) => m.data.toString())).toEqual(['last']);
    expect([code, wasClean]).toEqual([1000, true]);
  });

  it('we only answered the peer close and it never ends TCP: the close timer cuts it, not clean', async () => {
    const { ws, server } = await neverEndingPeer();
    ws.send('last');
    server.protocol.sendClose(1001);
    const [code, , wasClean] = await once<[number, Buffer, boolean]>(ws, 'close');
    // Both close frames were exchanged, but nothing proves the peer read what followed its own.
    expect(server.protocol.closeReceived).toEqual({ code: 1001, reason: '' });
    expect([code, wasClean]).toEqual([1001, false]);
  });
});

/** A peer that answers close frames but never closes TCP (RFC 6455 §7.1.1 says a server should); closeTimeoutMs 150. */
async function neverEndingPeer() {
  const p = await startPeer({ echo: false });
  peers.push(p);
  const ws = await WebSocket.connect(p.url, { closeTimeoutMs: 150 });
  sockets.push(ws);
  const server = await p.nextConnection();
  server.socket.end = (() => server.socket) as typeof server.socket.end;
  return { ws, server };
}
