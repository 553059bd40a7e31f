/**
 * The facade end to end: our client ↔ our server on loopback, through every part at once.
 *
 * Delivery across the closing handshake: both ends sending numbered messages while one of them
 * closes, so messages cross the close frame on the wire. With and without permessage-deflate (a
 * shared compressed broadcast frame without context takeover, a per-connection compressor with
 * it), with `send`, `broadcast` and `publish`.
 *
 * The promise (docs/delivery.md): on a connection whose closing handshake completes, every message
 * a send accepted (callback without error; broadcast/publish counting the connection) reaches the
 * other end's application, in order; every send that was not accepted says so (the callback gets
 * `WS_ERR_NOT_OPEN`, broadcast/publish do not count the connection).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import type { ServerWebSocket } from './connection.ts';
import type { WebSocketServerOptions } from './options.ts';
import { WebSocketServer } from './websocket-server.ts';
import { portOf } from '../../test/raw.ts';
import { echo, nextMessage, serverHarness, until } from '../../test/harness.ts';

const { cleanups, listen, dial } = serverHarness();

describe('WebSocketServer', () => {
  it('accepts our client, echoes text, binary and empty messages, and reports a clean close', async () => {
    const { wss, url } = await listen();
    const closes: Array<[number, string]> = [];
    wss.on('connection', (ws) => {
      echo(ws);
      ws.on('close', (code: number, reason: Buffer) => closes.push([code, reason.toString()]));
    });
    const client = await dial(`${url}/any/path`);
    expect(wss.clients.size).toBe(1);
    client.send('héllo ✓');
    const [text, textBinary] = await nextMessage(client);
    expect([text.toString(), textBinary]).toEqual(['héllo ✓', false]);
    client.send(new Uint8Array([0, 255, 7]));
    const [bin, binBinary] = await nextMessage(client);
    expect([[...bin], binBinary]).toEqual([[0, 255, 7], true]);
    client.send('');
    const [empty] = await nextMessage(client);
    expect(empty.length).toBe(0);
    client.close(4000, 'bye');
    const [code] = (await once(client, 'close')) as [number, Buffer];
    expect(code).toBe(4000);
    // The server's side closes once the client's close frame comes back to it.
    await until(() => closes.length > 0);
    expect(closes).toEqual([[4000, 'bye']]);
    expect(wss.clients.size).toBe(0);
    expect(wss.connectionCount).toBe(0);
  });

  it('echoes a 16 MiB message', async () => {
    const { wss, url } = await listen();
    wss.on('connection', echo);
    const client = await dial(url);
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 997) big[i] = i & 0xff;
    client.send(big);
    const [back, isBinary] = await nextMessage(client);
    expect(isBinary).toBe(true);
    expect(back.length).toBe(big.length);
    expect(Buffer.compare(back, big)).toBe(0);
  });

  it('address() throws in noServer mode', () => {
    const wss = new WebSocketServer({ noServer: true });
    expect(() => wss.address()).toThrow(/noServer/);
    void wss.shutdown();
  });
});

describe("close(callback), with ws's meaning, and the constructor's callback", () => {
  it('close() stops accepting but leaves open connections open; close follows when the last one closes', async () => {
    const { wss, url, port } = await listen();
    wss.on('connection', echo);
    const client = await dial(url);
    let closed = false;
    const calledBack = new Promise<unknown[]>((resolve) => wss.close((...args) => resolve(args)));
    wss.on('close', () => (closed = true));
    // Still open and working.
    client.send('still here');
    const [back] = await nextMessage(client);
    expect(back.toString()).toBe('still here');
    expect(closed).toBe(false);
    // No longer listening: a new client cannot connect.
    const late = new WebSocket(`ws://127.0.0.1:${port}`);
    const [err] = (await once(late, 'error')) as [{ code: string }];
    expect(err.code).toBe('WS_ERR_CONNECTION_FAILED');
    client.close(1000);
    expect(await calledBack).toEqual([]);
    expect(closed).toBe(true);
  });

  it('close(callback) on a closed server calls back with an Error; close({}) points to shutdown', async () => {
    const wss = new WebSocketServer({ noServer: true, heartbeat: false });
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    const [err] = await new Promise<unknown[]>((resolve) => wss.close((...args) => resolve(args)));
    expect((err as Error).message).toBe('WebSocketServer.close(): the server is not running.');
    expect(() => wss.close({ code: 1001 } as never)).toThrow(/to close them with a code and reason, call shutdown\(options\)/);
  });

  it('with clientTracking false and no server of its own, close is emitted without waiting for connections, as ws', async () => {
    const wss = new WebSocketServer({ noServer: true, heartbeat: false, clientTracking: false });
    const closed = once(wss, 'close');
    wss.close();
    await closed;
  });

  it("the constructor's callback listens for 'listening'; with noServer it would never run, so it throws", async () => {
    const listening = new Promise<WebSocketServer>((resolve) => {
      const wss: WebSocketServer = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false }, () => resolve(wss));
    });
    const wss = await listening;
    cleanups.push(() => wss.shutdown({ timeoutMs: 100 }));
    expect(portOf(wss.address())).toBeGreaterThan(0);
    expect(() => new WebSocketServer({ noServer: true }, () => undefined)).toThrow(/a noServer server never emits 'listening'/);
  });
});

type Deflate = 'no deflate' | 'deflate, context takeover' | 'deflate, no context takeover';
type Method = 'send' | 'broadcast' | 'publish';
type Initiator = 'client' | 'server';

/** One end's sends, in call order, and what it received. */
interface Ledger {
  /** Each send's label and its outcome: undefined until known, then 'accepted' or the refusal's error code. */
  sends: Array<{ label: string; outcome: string | undefined }>;
  received: string[];
}

const newLedger = (): Ledger => ({ sends: [], received: [] });
const accepted = (ledger: Ledger): string[] => ledger.sends.filter((s) => s.outcome === 'accepted').map((s) => s.label);

/** A message: its label, then (for the large one) incompressible padding that makes zlib work on the thread pool. */
function body(label: string, large: boolean): string {
  return large ? `${label}|${randomBytes(96 * 1024).toString('base64')}` : label;
}
const labelOf = (data: Buffer | string): string => String(data).split('|', 1)[0]!;

async function connect(deflate: Deflate) {
  const options: Omit<WebSocketServerOptions, 'port'> = {
    host: '127.0.0.1',
    heartbeat: false,
    compressionThreshold: 0,
    perMessageDeflate: deflate === 'no deflate' ? false : deflate === 'deflate, no context takeover' ? { serverNoContextTakeover: true } : true,
  };
  const wss = new WebSocketServer({ port: 0, ...options });
  cleanups.push(() => wss.shutdown({ timeoutMs: 200 }));
  await once(wss, 'listening');
  const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${portOf(wss.address())}`, {
    perMessageDeflate: deflate === 'no deflate' ? false : { compressionThreshold: 0 },
  });
  cleanups.push(() => client.terminate());
  const [[server]] = await Promise.all([connected, once(client, 'open')]);
  expect(client.extensions === '').toBe(deflate === 'no deflate');
  server.subscribe('all');
  return { wss, server, client };
}

/**
 * Run one case: both ends send on every turn of the event loop; the initiator closes after 30
 * sends (in the same tick as its last send, after a large message when deflating); the other end
 * keeps sending until a send is refused. Resolves with both ledgers once both ends have closed.
 */
async function exchange(deflate: Deflate, method: Method, initiator: Initiator) {
  const { wss, server, client } = await connect(deflate);
  const ledgers = { client: newLedger(), server: newLedger() };
  client.on('message', (data) => ledgers.client.received.push(labelOf(data as Buffer)));
  server.on('message', (data) => ledgers.server.received.push(labelOf(data as Buffer)));
  const closes = {
    client: once(client, 'close') as Promise<[number, Buffer, boolean]>,
    server: once(server, 'close') as Promise<[number, Buffer, boolean]>,
  };

  /** Send one message from `side`; returns false once a send was refused (synchronously or later). */
  const sendFrom = (side: Initiator, label: string, large = false): void => {
    const entry: Ledger['sends'][number] = { label, outcome: undefined };
    ledgers[side].sends.push(entry);
    const data = body(label, large);
    const settle = (err?: Error | null): void => {
      expect(entry.outcome, `${label}: callback called twice`).toBeUndefined();
      entry.outcome = err ? String((err as Error & { code?: string }).code) : 'accepted';
    };
    if (side === 'client') client.send(data, settle);
    else if (method === 'send') server.send(data, settle);
    else {
      const count = method === 'broadcast' ? wss.broadcast(data) : wss.publish('all', data);
      entry.outcome = count === 1 ? 'accepted' : 'not counted';
    }
  };
  const refused = (side: Initiator): boolean => ledgers[side].sends.some((s) => s.outcome !== undefined && s.outcome !== 'accepted');

  const closer = initiator === 'client' ? client : server;
  const other: Initiator = initiator === 'client' ? 'server' : 'client';
  let turn = 0;
  await new Promise<void>((resolve, reject) => {
    const step = (): void => {
      turn++;
      if (turn <= 30) {
        const large = turn === 30 && deflate !== 'no deflate';
        sendFrom(initiator, `${initiator}:${turn}`, large);
        if (turn === 30) {
          closer.close(1000);
          // Refused at once: the closing handshake has begun.
          sendFrom(initiator, `${initiator}:after-close`);
        }
      }
      sendFrom(other, `${other}:${turn}`);
      if (refused(other) && turn > 30) resolve();
      else if (turn > 20_000) reject(new Error(`the ${other} end was never refused: the close frame did not arrive`));
      else setImmediate(step);
    };
    step();
  });
  const [clientClose, serverClose] = await Promise.all([closes.client, closes.server]);
  return { ledgers, clientClose, serverClose };
}

const cases: Array<[Deflate, Method]> = [];
for (const deflate of ['no deflate', 'deflate, context takeover', 'deflate, no context takeover'] as const) {
  for (const method of ['send', 'broadcast', 'publish'] as const) cases.push([deflate, method]);
}

describe('every accepted message crosses the closing handshake over sockets', () => {
  for (const [deflate, method] of cases) {
    for (const initiator of ['client', 'server'] as const) {
      it(`${deflate}, server uses ${method}, the ${initiator} closes`, async () => {
        const { ledgers, clientClose, serverClose } = await exchange(deflate, method, initiator);
        expect([clientClose[0], clientClose[2]]).toEqual([1000, true]);
        expect([serverClose[0], serverClose[2]]).toEqual([1000, true]);
        for (const side of ['client', 'server'] as const) {
          const peer = side === 'client' ? 'server' : 'client';
          const sends = ledgers[side].sends;
          // Every send learnt its outcome: accepted, or refused with the documented signal.
          const outcomes = new Set(sends.map((s) => s.outcome));
          const refusal = side === 'server' && method !== 'send' ? 'not counted' : 'WS_ERR_NOT_OPEN';
          expect([...outcomes].sort()).toEqual(['accepted', refusal].sort());
          // Accepted ones come first, refused ones after: nothing accepted once a send was refused.
          const firstRefused = sends.findIndex((s) => s.outcome !== 'accepted');
          expect(sends.slice(firstRefused).every((s) => s.outcome !== 'accepted'), `${side}: accepted after a refusal`).toBe(true);
          expect(ledgers[peer].received, `${peer} received everything ${side} had accepted, in order`).toEqual(accepted(ledgers[side]));
        }
        expect(accepted(ledgers[initiator])).toHaveLength(30);
      });
    }
  }
});

describe('the client closes while the server has data queued behind backpressure', () => {
  /** A server connection with 16 MiB queued for a client that stopped reading, then the client's close frame. */
  async function closeWhileQueued(closeTimeoutMs: number) {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, closeTimeoutMs, backpressure: 'queue' });
    cleanups.push(() => wss.shutdown({ timeoutMs: 200 }));
    await once(wss, 'listening');
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
    const client = new WebSocket(`ws://127.0.0.1:${portOf(wss.address())}`);
    cleanups.push(() => client.terminate());
    const [[server]] = await Promise.all([connected, once(client, 'open')]);
    client.pause();
    const written: number[] = [];
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 256; i++) server.send(chunk, (err) => err || written.push(i));
    let received = 0;
    client.on('message', () => received++);
    const closes = {
      client: once(client, 'close') as Promise<[number, Buffer, boolean]>,
      server: once(server, 'close') as Promise<[number, Buffer, boolean]>,
    };
    client.close(1000);
    // The server has the close frame: its reply waits behind the 16 MiB.
    await until(() => server.readyState !== WebSocket.OPEN);
    return { client, closes, written, received: () => received };
  }

  it('the client reads on within closeTimeoutMs: every message, then a clean close on both ends', async () => {
    const { client, closes, written, received } = await closeWhileQueued(10_000);
    client.resume();
    const [clientClose, serverClose] = await Promise.all([closes.client, closes.server]);
    expect([clientClose[0], clientClose[2]]).toEqual([1000, true]);
    expect([serverClose[0], serverClose[2]]).toEqual([1000, true]);
    expect(received()).toBe(256);
    expect(written).toHaveLength(256);
  });

  it('the client stalls past closeTimeoutMs: the server cuts it and reports the close as not clean', async () => {
    const { client, closes, received } = await closeWhileQueued(200);
    // Every send callback may have succeeded (the bytes reached the kernel), so only wasClean can tell
    // the server that the client may not have read them: it must be false.
    const [code, , wasClean] = await closes.server;
    expect([code, wasClean]).toEqual([1000, false]);
    client.resume();
    const [clientCode, , clientClean] = await closes.client;
    expect([clientCode, clientClean]).toEqual([1006, false]);
    expect(received()).toBeLessThan(256);
  });
});
