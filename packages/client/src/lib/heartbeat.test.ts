import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecordingSocket, closed, tick, useTestScope } from '../../test/harness.ts';
import { Heartbeat } from './heartbeat.ts';
import type { ClientError } from './client-error.ts';
import { once } from '../../test/peer.ts';
import { WebSocket } from './websocket.ts';

const { peer, track } = useTestScope();

describe('heartbeat', () => {
  it('measures latency while the peer answers pings', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url, { heartbeat: { intervalMs: 20, timeoutMs: 200 } }));
    const server = await p.nextConnection();
    expect(ws.latency).toBeUndefined();
    await once(ws, 'pong');
    expect(ws.latency).toBeTypeOf('number');
    expect(ws.latency!).toBeGreaterThanOrEqual(0);
    expect(server.pings[0]!.length).toBe(8);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('terminates a peer that never answers: error WS_ERR_HEARTBEAT_TIMEOUT, close 1006', async () => {
    const p = await peer({ autoPong: false });
    const ws = track(new WebSocket(p.url, { heartbeat: { intervalMs: 30, timeoutMs: 60 } }));
    const errors: string[] = [];
    ws.on('error', (err) => errors.push((err as Error & { code: string }).code));
    // The heartbeat starts at open: time from there (and listen from the start), not from whenever
    // this test gets round to it on a loaded machine.
    let started = 0;
    ws.once('open', () => (started = Date.now()));
    const result = await closed(ws);
    const server = await p.nextConnection();
    expect(errors).toEqual(['WS_ERR_HEARTBEAT_TIMEOUT']);
    expect(result).toEqual({ code: 1006, reason: '', wasClean: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(server.pings).toHaveLength(1);
  });
});

describe('Heartbeat, on fake timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings every intervalMs with one ping in flight, and records the latency of the pong that answers it', () => {
    vi.useFakeTimers();
    const pings: Buffer[] = [];
    const timeouts: ClientError[] = [];
    const heartbeat = new Heartbeat(100, 50, (payload) => pings.push(Buffer.from(payload)) > 0, (err) => timeouts.push(err));
    vi.advanceTimersByTime(99);
    expect(pings).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(pings).toHaveLength(1);
    expect(pings[0]!.length).toBe(8);
    // A pong with another payload (unsolicited, RFC 6455 §5.5.3) does not answer ours.
    heartbeat.onPong(Buffer.from('other'));
    vi.advanceTimersByTime(20);
    heartbeat.onPong(pings[0]!);
    expect(heartbeat.latency).toBeTypeOf('number');
    vi.advanceTimersByTime(100);
    expect(pings).toHaveLength(2);
    expect(timeouts).toEqual([]);
    heartbeat.stop();
    vi.advanceTimersByTime(1000);
    expect(pings).toHaveLength(2);
  });

  it('reports WS_ERR_HEARTBEAT_TIMEOUT timeoutMs after an unanswered ping, and sends no second ping meanwhile', () => {
    vi.useFakeTimers();
    let pings = 0;
    const timeouts: ClientError[] = [];
    const heartbeat = new Heartbeat(10, 35, () => ++pings > 0, (err) => timeouts.push(err));
    vi.advanceTimersByTime(10 + 34);
    expect(timeouts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(pings).toBe(1);
    expect(timeouts.map((err) => [err.code, err.closeCode])).toEqual([['WS_ERR_HEARTBEAT_TIMEOUT', 1006]]);
    heartbeat.stop();
  });

  it('does not wait for a pong when the ping could not be sent', () => {
    vi.useFakeTimers();
    const timeouts: ClientError[] = [];
    const heartbeat = new Heartbeat(10, 5, () => false, (err) => timeouts.push(err));
    vi.advanceTimersByTime(100);
    expect(timeouts).toEqual([]);
    heartbeat.stop();
  });

  it('a server-role socket starts its heartbeat when handed over: the ping frame is on the wire', async () => {
    // Only the timers are fake: the per-tick cork is released on the real process.nextTick.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const socket = new RecordingSocket();
    const ws = WebSocket.fromSocket(socket, undefined, { role: 'server', heartbeat: { intervalMs: 1000 } });
    vi.advanceTimersByTime(1000);
    await tick();
    // FIN + ping, unmasked from a server, 8 bytes of payload.
    expect(socket.written.subarray(0, 2).toString('hex')).toBe('8908');
    ws.terminate();
  });
});
