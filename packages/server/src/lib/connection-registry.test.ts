/**
 * The open connections: state, clients, topics and heartbeat joined on open and left on close;
 * unit tests on stand-in sockets, then over loopback with our client and raw peers.
 */
import { EventEmitter, once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerWebSocket } from './connection.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import type { RegistrySettings } from './connection-registry.ts';
import { rawHandshake } from '../../test/raw.ts';
import { clientFrame, collect, serverHarness, until } from '../../test/harness.ts';

const { cleanups, listen, dial } = serverHarness();

/** What the registry uses of a connection: events, ping and terminate (which ends in 'close'). */
class StandIn extends EventEmitter {
  readonly ping = vi.fn();
  readonly terminate = vi.fn(() => this.emit('close', 1006));
}

function registry(settings: Partial<RegistrySettings<ServerWebSocket>> = {}) {
  return new ConnectionRegistry<{ user: string }, ServerWebSocket>({
    clientTracking: true,
    heartbeat: false,
    onHeartbeatTimeout: () => undefined,
    ...settings,
  });
}

const standIn = (): ServerWebSocket => new StandIn() as unknown as ServerWebSocket;

describe('ConnectionRegistry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tracks a connection with its context until it closes, then forgets it everywhere', () => {
    const reg = registry();
    const ws = standIn();
    reg.add(ws, { user: 'ada' }, undefined);
    expect([reg.size, reg.clients.has(ws), reg.stateOf(ws)?.context]).toEqual([1, true, { user: 'ada' }]);
    expect(reg.subscribe(ws, 'news')).toBe(true);
    expect(reg.binding.subscribe(ws, 'sport')).toBe(true);
    expect(reg.topicsOf(ws)).toEqual(['news', 'sport']);
    expect([...(reg.subscribersOf('news') ?? [])]).toEqual([ws]);
    ws.emit('close', 1000);
    expect([reg.size, reg.clients.size, reg.stateOf(ws), reg.topicCount, reg.topicsOf(ws)]).toEqual([0, 0, undefined, 0, []]);
    expect(reg.subscribe(ws, 'news')).toBe(false);
  });

  it('without clientTracking keeps clients empty but still counts and finds connections', () => {
    const reg = registry({ clientTracking: false });
    const ws = standIn();
    reg.add(ws, { user: 'x' }, undefined);
    expect([reg.size, reg.clients.size, [...reg.sockets()]]).toEqual([1, 0, [ws]]);
  });

  it('refuses a topic that is not a string, and a connection it does not know', () => {
    const reg = registry();
    expect(() => reg.subscribe(standIn(), 1 as unknown as string)).toThrow(TypeError);
    expect(reg.subscribe(standIn(), 'news')).toBe(false);
    expect(reg.unsubscribe(standIn(), 'news')).toBe(false);
  });

  it('pings its connections, keeps those that answer, and ends the others with WS_ERR_HEARTBEAT_TIMEOUT', () => {
    vi.useFakeTimers();
    const timedOut: ServerWebSocket[] = [];
    const reg = registry({ heartbeat: { intervalMs: 100, timeoutMs: 50 }, onHeartbeatTimeout: (ws) => timedOut.push(ws) });
    const live = new StandIn();
    const dead = new StandIn();
    const errors: Array<[string, number | undefined]> = [];
    dead.on('error', (err: { code: string; closeCode?: number }) => errors.push([err.code, err.closeCode]));
    reg.add(live as unknown as ServerWebSocket, { user: 'live' }, undefined);
    reg.add(dead as unknown as ServerWebSocket, { user: 'dead' }, undefined);
    vi.advanceTimersByTime(100);
    expect([live.ping.mock.calls.length, dead.ping.mock.calls.length]).toEqual([1, 1]);
    live.emit('pong');
    vi.advanceTimersByTime(50);
    expect(timedOut).toEqual([dead]);
    expect(errors).toEqual([['WS_ERR_HEARTBEAT_TIMEOUT', 1006]]);
    expect([dead.terminate.mock.calls.length, live.terminate.mock.calls.length, reg.size]).toEqual([1, 0, 1]);
    reg.stopHeartbeat();
    vi.advanceTimersByTime(1000);
    expect(live.ping.mock.calls.length).toBe(1);
  });
});

describe('over loopback', () => {
  it('hands the typed context from authenticate to connection and contextOf', async () => {
    interface User {
      id: number;
      name: string;
    }
    const { wss, url } = await listen<User>({
      authenticate: async (req) => {
        await new Promise((r) => setTimeout(r, 5));
        if (req.headers['sec-websocket-protocol'] !== undefined) return { id: 2, name: 'other' };
        return { id: 7, name: 'ada' };
      },
    });
    const seen = new Promise<[ServerWebSocket, User]>((resolve) => wss.on('connection', (ws, _req, user) => resolve([ws, user])));
    await dial(url);
    const [ws, user] = await seen;
    expect(user).toEqual({ id: 7, name: 'ada' });
    expect(wss.contextOf(ws)).toBe(user);
  });

  it('with clientTracking false has no clients property, as ws, but still counts connections', async () => {
    const { wss, url } = await listen({ clientTracking: false });
    const connected = once(wss, 'connection');
    await dial(url);
    await connected;
    expect('clients' in wss).toBe(false);
    expect(wss.clients).toBeUndefined();
    expect(wss.connectionCount).toBe(1);
  });

  it('terminates a peer that completed the handshake but never answers pings (1006)', async () => {
    const { wss, url } = await listen({ heartbeat: { intervalMs: 100, timeoutMs: 100 } });
    const connected = once(wss, 'connection');
    const { socket } = await rawHandshake(Number(new URL(url).port));
    cleanups.push(() => socket.destroy());
    const { bytes } = collect(socket);
    const [ws] = (await connected) as [ServerWebSocket];
    const errors: string[] = [];
    ws.on('error', (err) => void errors.push((err as Error & { code: string }).code));
    const timedOut = once(wss, 'heartbeatTimeout');
    const started = Date.now();
    // events.once() would reject on the 'error' that precedes the close: listen directly.
    const code = await new Promise<number>((resolve) => ws.on('close', (c: number) => resolve(c)));
    await timedOut;
    expect(code).toBe(1006);
    expect(errors).toContain('WS_ERR_HEARTBEAT_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(bytes()[0]).toBe(0x89);
    expect(wss.connectionCount).toBe(0);
  });

  it('keeps a peer that answers pings', async () => {
    // A pong has a second to arrive, so a loaded machine does not end a peer that answers.
    const { wss, url } = await listen({ heartbeat: { intervalMs: 50, timeoutMs: 1_000 } });
    const { socket } = await rawHandshake(Number(new URL(url).port));
    cleanups.push(() => socket.destroy());
    let pings = 0;
    socket.on('data', (d: Buffer) => {
      // Answer each ping (0x89, empty payload from our heartbeat) with a masked pong.
      for (let i = 0; i + 1 < d.length; i += 2 + (d[i + 1] as number)) {
        if (d[i] === 0x89) {
          pings++;
          socket.write(clientFrame(0xa, d.subarray(i + 2, i + 2 + (d[i + 1] as number))));
        }
      }
    });
    // Three rounds: a new ping goes out only once the previous one was answered.
    await until(() => pings >= 3);
    expect(wss.connectionCount).toBe(1);
  });
});
