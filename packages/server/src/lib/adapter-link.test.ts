/**
 * The server's side of the adapter seam, over loopback with our client: what a server tells its
 * adapter (topics opened and closed, messages to forward, close) and what it does with the
 * adapter's answers (a refusal delivers nothing, a failure is counted and reported, awaited calls
 * reject), recorded by an adapter written for the test against the documented interface.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import type { WebSocket } from '@rfc6455/client';
import type { Adapter, AdapterHost, AdapterMessage } from './adapter.ts';
import type { ServerWebSocket } from './connection.ts';
import { WebSocketServer } from './websocket-server.ts';
import { connections, nextMessage, serverHarness, until } from '../../test/harness.ts';

const { listen, dial } = serverHarness();

/** An adapter that records what its server asks and answers forwards with what the test says. */
function recordingAdapter() {
  const calls: string[] = [];
  const forwarded: AdapterMessage[] = [];
  let answer: () => Promise<void> | undefined = () => Promise.resolve();
  let host: AdapterHost | undefined;
  const adapter: Adapter = {
    attach(h) {
      host = h;
      return {
        subscribe: (topic) => {
          if (topic === 'refused') throw new TypeError('this adapter cannot carry "refused"');
          calls.push(`subscribe ${topic}`);
        },
        unsubscribe: (topic) => void calls.push(`unsubscribe ${topic}`),
        forward: (message) => {
          if (message.data.length > 100) throw new RangeError('over this adapter’s 100 bytes');
          forwarded.push(message);
          return answer();
        },
        close: async () => void calls.push('close'),
      };
    },
  };
  return {
    adapter,
    calls,
    forwarded,
    host: () => host as AdapterHost,
    answerWith: (next: () => Promise<void> | undefined) => (answer = next),
  };
}

async function serverWith(adapter: Adapter, clients = 2) {
  const { wss, url } = await listen({ adapter });
  const accepted = connections<ServerWebSocket>(wss, clients);
  const peers: WebSocket[] = [];
  for (let i = 0; i < clients; i++) peers.push(await dial(url));
  return { wss, peers, serverSide: await accepted };
}

describe('AdapterLink', () => {
  it('tells the adapter when a topic gets its first subscriber on this node and loses its last, closing included', async () => {
    const rec = recordingAdapter();
    const { peers, serverSide } = await serverWith(rec.adapter);
    const [a, b] = serverSide as [ServerWebSocket, ServerWebSocket];
    a.subscribe('chess');
    b.subscribe('chess');
    b.subscribe('go');
    a.unsubscribe('chess');
    expect(rec.calls).toEqual(['subscribe chess', 'subscribe go']);
    expect([...rec.host().topics()]).toEqual(['chess', 'go']);
    expect([rec.host().hasSubscribers('go'), rec.host().hasSubscribers('tennis')]).toEqual([true, false]);
    const closed = once(b, 'close');
    (peers[1] as WebSocket).close();
    await closed;
    expect(rec.calls).toEqual(['subscribe chess', 'subscribe go', 'unsubscribe chess', 'unsubscribe go']);
  });

  it('does not subscribe a connection to a topic the adapter refuses', async () => {
    const rec = recordingAdapter();
    const { wss, serverSide } = await serverWith(rec.adapter, 1);
    const [a] = serverSide as [ServerWebSocket];
    expect(() => a.subscribe('refused')).toThrow(TypeError);
    expect([a.topics, wss.subscriberCount('refused'), wss.topicCount]).toEqual([[], 0, 0]);
  });

  it('forwards a publish and a broadcast as bytes with their frame type, and delivers the same locally', async () => {
    const rec = recordingAdapter();
    const { wss, peers, serverSide } = await serverWith(rec.adapter);
    (serverSide[0] as ServerWebSocket).subscribe('news');
    const first = nextMessage(peers[0] as WebSocket);
    expect(wss.publish('news', 'héllo')).toBe(1);
    expect([(await first)[0].toString(), (await first)[1]]).toEqual(['héllo', false]);
    const both = peers.map((p) => nextMessage(p));
    expect(wss.broadcast(new Uint8Array([1, 2]))).toBe(2);
    expect((await Promise.all(both)).map(([d, binary]) => [[...d], binary])).toEqual([
      [[1, 2], true],
      [[1, 2], true],
    ]);
    wss.publish('nobody here', 'as binary', { binary: true });
    expect(rec.forwarded.map((m) => [m.topic, Buffer.from(m.data).toString(), m.binary])).toEqual([
      ['news', 'héllo', false],
      [undefined, '\x01\x02', true],
      ['nobody here', 'as binary', true],
    ]);
  });

  it('delivers what other nodes send through the host, to subscribers or to everyone', async () => {
    const rec = recordingAdapter();
    const { peers, serverSide } = await serverWith(rec.adapter);
    (serverSide[1] as ServerWebSocket).subscribe('news');
    const got = nextMessage(peers[1] as WebSocket);
    expect(rec.host().deliver({ topic: 'news', data: Buffer.from('from afar'), binary: false })).toBe(1);
    expect((await got)[0].toString()).toBe('from afar');
    expect(rec.host().deliver({ topic: 'elsewhere', data: Buffer.from('x'), binary: false })).toBe(0);
    const all = peers.map((p) => nextMessage(p));
    expect(rec.host().deliver({ topic: undefined, data: new Uint8Array([7]), binary: true })).toBe(2);
    expect((await Promise.all(all)).map(([d]) => [...d])).toEqual([[7], [7]]);
  });

  it('keeps { local: true } to this node, and refuses a filter without it', async () => {
    const rec = recordingAdapter();
    const { wss, serverSide } = await serverWith(rec.adapter);
    const [a] = serverSide as [ServerWebSocket];
    expect(wss.broadcast('only here', { local: true })).toBe(2);
    expect(wss.broadcast('one', { local: true, filter: (ws) => ws === a })).toBe(1);
    expect(() => wss.broadcast('one', { filter: (ws) => ws === a })).toThrow(/filter runs on this node's connections only.*local: true/);
    expect(rec.forwarded).toEqual([]);
  });

  it('delivers nothing anywhere when the adapter refuses a message, and says why', async () => {
    const rec = recordingAdapter();
    const { wss, peers } = await serverWith(rec.adapter);
    let received = 0;
    for (const peer of peers) peer.on('message', () => received++);
    expect(() => wss.broadcast('x'.repeat(101))).toThrow(RangeError);
    await expect(wss.broadcastAsync('x'.repeat(101))).rejects.toThrow(RangeError);
    wss.broadcast('small', { local: true });
    await until(() => received === 2);
    expect(received).toBe(2);
  });

  it("counts and reports a forward that failed with 'forwardError', the adapter's reason as cause", async () => {
    const rec = recordingAdapter();
    const { wss } = await serverWith(rec.adapter, 1);
    const reason = new Error('Redis is away');
    rec.answerWith(() => Promise.reject(reason));
    const reported = once(wss, 'forwardError') as Promise<[WebSocketError, string | undefined]>;
    expect(wss.publish('news', 'lost elsewhere')).toBe(0);
    const [error, topic] = await reported;
    expect([error.code, error.name, topic, error.cause]).toEqual([ErrorCode.ForwardFailed, 'ServerError', 'news', reason]);
    expect(error.message).toMatch(/publish to "news" reached this node but could not be forwarded.*Redis is away/);
    expect(wss.forwardFailures).toBe(1);
  });

  it('passes an adapter error that is already WS_ERR_FORWARD_FAILED through as it is', async () => {
    const rec = recordingAdapter();
    const { wss } = await serverWith(rec.adapter, 1);
    const own = Object.assign(new Error('not connected'), { code: ErrorCode.ForwardFailed });
    rec.answerWith(() => Promise.reject(own));
    const forwardError = once(wss, 'forwardError');
    wss.broadcast('b');
    const [error] = (await forwardError) as [Error];
    expect(error).toBe(own);
  });

  it('publishAsync and broadcastAsync resolve with the local count once forwarded, and reject (without the event) when not', async () => {
    const rec = recordingAdapter();
    const { wss, serverSide } = await serverWith(rec.adapter);
    (serverSide[0] as ServerWebSocket).subscribe('news');
    let settle: () => void = () => undefined;
    rec.answerWith(() => new Promise<void>((resolve) => (settle = resolve)));
    let resolved: number | undefined;
    const pending = wss.publishAsync('news', 'x').then((count) => (resolved = count));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBeUndefined();
    settle();
    await pending;
    expect(resolved).toBe(1);

    let events = 0;
    wss.on('forwardError', () => events++);
    rec.answerWith(() => Promise.reject(new Error('down')));
    await expect(wss.broadcastAsync('y')).rejects.toMatchObject({ code: ErrorCode.ForwardFailed, cause: { message: 'down' } });
    expect([events, wss.forwardFailures]).toEqual([0, 1]);
  });

  it('checks arguments: topic, unknown options, data', async () => {
    const rec = recordingAdapter();
    const { wss } = await serverWith(rec.adapter, 1);
    expect(() => wss.publish(undefined as never, 'x')).toThrow(/topic must be a string/);
    expect(() => wss.publish('t', 'x', { binnary: true } as never)).toThrow(/unknown option "binnary"/);
    expect(() => wss.broadcast(42 as never)).toThrow(TypeError);
    await expect(wss.publishAsync(7 as never, 'x')).rejects.toThrow(TypeError);
    expect(rec.forwarded).toEqual([]);
  });

  it('closes its node when the server has shut down', async () => {
    const rec = recordingAdapter();
    const { wss } = await serverWith(rec.adapter, 1);
    await wss.shutdown({ timeoutMs: 500 });
    expect(rec.calls.at(-1)).toBe('close');
  });

  it('without an adapter, publish and broadcast are the local delivery, a filter needs nothing more', async () => {
    const { wss, url } = await listen();
    const accepted = connections<ServerWebSocket>(wss, 1);
    await dial(url);
    const [a] = await accepted;
    expect(wss.broadcast('x', { filter: (ws) => ws === a })).toBe(1);
    await expect(wss.broadcastAsync('x')).resolves.toBe(1);
    expect(wss.forwardFailures).toBe(0);
    expect(() => new WebSocketServer({ noServer: true, adapter: {} as never })).toThrow(/adapter must be an adapter/);
  });
});
