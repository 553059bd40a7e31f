/**
 * The in-process adapter: two servers of one process sharing topics and broadcasts, each with its
 * own clients over loopback.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from '@rfc6455/client';
import type { ServerWebSocket } from './connection.ts';
import { createInProcessAdapter } from './in-process-adapter.ts';
import { connections, serverHarness, until } from '../../test/harness.ts';

const { listen, dial } = serverHarness();

/** Two servers on one adapter, one client on each, and everything each client receives. */
async function pair() {
  const adapter = createInProcessAdapter();
  const nodes = [];
  for (let i = 0; i < 2; i++) {
    const { wss, url } = await listen({ adapter });
    const accepted = connections<ServerWebSocket>(wss, 1);
    const client = await dial(url);
    const got: string[] = [];
    client.on('message', (data) => void got.push(String(data)));
    nodes.push({ wss, client, ws: (await accepted)[0] as ServerWebSocket, got });
  }
  return nodes as [(typeof nodes)[0], (typeof nodes)[0]];
}

describe('createInProcessAdapter', () => {
  it('a publish on one server reaches the subscribers of the other, once, in order', async () => {
    const [a, b] = await pair();
    a.ws.subscribe('room');
    b.ws.subscribe('room');
    for (let i = 0; i < 5; i++) expect(a.wss.publish('room', `m${i}`)).toBe(1);
    b.wss.publish('room', 'from b');
    const expected = ['m0', 'm1', 'm2', 'm3', 'm4', 'from b'];
    await until(() => a.got.length === 6 && b.got.length === 6);
    expect([a.got, b.got]).toEqual([expected, expected]);
  });

  it('broadcast reaches every connection of both; local: true only its own; unsubscribe stops delivery on both', async () => {
    const [a, b] = await pair();
    b.wss.broadcast('all');
    b.wss.broadcast('b only', { local: true });
    a.ws.subscribe('t');
    b.ws.subscribe('t');
    b.ws.unsubscribe('t');
    a.wss.publish('t', 'a alone');
    b.wss.broadcast('end');
    await until(() => a.got.at(-1) === 'end' && b.got.at(-1) === 'end');
    expect(a.got).toEqual(['all', 'a alone', 'end']);
    expect(b.got).toEqual(['all', 'b only', 'end']);
  });

  it('a server that has shut down leaves the adapter; the other keeps serving', async () => {
    const [a, b] = await pair();
    a.ws.subscribe('t');
    const closed = once(b.client as WebSocket, 'close');
    await b.wss.shutdown({ timeoutMs: 500 });
    await closed;
    expect(a.wss.publish('t', 'still here')).toBe(1);
    await until(() => a.got.length === 1);
    expect(a.got).toEqual(['still here']);
    expect(b.got).toEqual([]);
  });
});
