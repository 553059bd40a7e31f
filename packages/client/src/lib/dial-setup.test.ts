import { describe, expect, it } from 'vitest';
import { until, useTestScope } from '../../test/harness.ts';
import { once } from '../../test/peer.ts';
import type { ClientError } from './client-error.ts';
import { WebSocket } from './websocket.ts';

const { peer, track } = useTestScope();

describe('permessage-deflate offers', () => {
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
    await until(() => server.messages.length === 3 && flushed.length === 3);
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
});

describe('handshake timeout', () => {
  it('gives up after handshakeTimeoutMs when the server never answers', async () => {
    const p = await peer({ onUpgrade: () => true });
    const started = Date.now();
    const err = (await WebSocket.connect(p.url, { handshakeTimeoutMs: 150 }).catch((e: unknown) => e)) as ClientError;
    expect(err.code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
    expect(err.closeCode).toBe(1006);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
