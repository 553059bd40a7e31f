/** doc/ws.md, "createWebSocketStream(websocket[, options])": a Duplex over a connection. */
import type { Duplex } from 'node:stream';
import { cases, check, next, same } from '../harness.ts';
import type { Impl, Scope } from '../harness.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- ws-shaped objects of either library */

/** A server whose connections are handed to `onConnection`, and an open client with a stream over it. */
async function streamPair(impl: Impl, scope: Scope, onConnection: (peer: any) => void, options?: object): Promise<{ ws: any; duplex: Duplex }> {
  const { wss, url } = await scope.listen(impl);
  wss.on('connection', onConnection);
  const ws = scope.client(impl, url);
  const duplex: Duplex = impl.createWebSocketStream(ws, options);
  scope.defer(() => duplex.destroy());
  return { ws, duplex };
}

/** Everything read from `duplex` until `count` chunks have come. */
function read(duplex: Duplex, count: number): Promise<unknown[]> {
  return new Promise((resolve) => {
    const chunks: unknown[] = [];
    duplex.on('data', (chunk: unknown) => {
      chunks.push(chunk);
      if (chunks.length === count) resolve(chunks);
    });
  });
}

export default cases('createWebSocketStream', {
  'stream.write-and-read': async (impl, scope) => {
    const { duplex } = await streamPair(impl, scope, (peer) => peer.on('message', (data: Buffer, isBinary: boolean) => peer.send(data, { binary: isBinary })));
    // Written before 'open': the writes wait for it.
    duplex.write('one');
    duplex.write(Buffer.from([1, 2]));
    const chunks = (await read(duplex, 2)) as Buffer[];
    same(chunks.map((c) => [Buffer.isBuffer(c), c.toString('hex')]), [[true, '6f6e65'], [true, '0102']], 'each write is a message, each message a Buffer chunk');
  },
  'stream.readableObjectMode': async (impl, scope) => {
    const { duplex } = await streamPair(
      impl,
      scope,
      (peer) => {
        peer.send('text');
        peer.send(Buffer.from([7]));
      },
      { readableObjectMode: true },
    );
    const [text, binary] = await read(duplex, 2);
    same([typeof text, text, Buffer.isBuffer(binary)], ['string', 'text', true], 'text messages are strings in readable object mode');
  },
  'stream.backpressure': async (impl, scope) => {
    const { ws, duplex } = await streamPair(
      impl,
      scope,
      (peer) => {
        for (let i = 0; i < 8; i++) peer.send(Buffer.alloc(16, i));
      },
      { readableHighWaterMark: 16 },
    );
    await next(ws, 'open');
    for (let i = 0; i < 100 && !ws.isPaused; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    check(ws.isPaused, 'a full read buffer pauses the connection');
    const chunks = await read(duplex, 8);
    same((chunks as Buffer[]).map((c) => c[0]), [0, 1, 2, 3, 4, 5, 6, 7], 'every message arrives, in order, once read');
    check(!ws.isPaused, 'reading resumes the connection');
  },
  'stream.end-closes': async (impl, scope) => {
    let serverClose: Promise<any[]> | undefined;
    const { ws, duplex } = await streamPair(impl, scope, (peer) => {
      serverClose = next(peer, 'close');
    });
    duplex.resume();
    const closed = next(duplex, 'close');
    duplex.end();
    const [code] = await next(ws, 'close');
    await closed;
    same([code, (await serverClose!)[0]], [1005, 1005], 'end() starts the closing handshake without a status code');
    check(duplex.destroyed, "the stream is destroyed once both halves are done, and emits 'close'");
  },
  'stream.destroy-terminates': async (impl, scope) => {
    const { ws, duplex } = await streamPair(impl, scope, () => undefined);
    await next(ws, 'open');
    const closed = next(duplex, 'close');
    duplex.destroy();
    const [code] = await next(ws, 'close');
    await closed;
    same(code, 1006, 'destroy() terminates the connection');
  },
});
