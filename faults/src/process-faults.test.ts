/**
 * The peer process dies or freezes mid-traffic. Our server or client runs in this process; the
 * peer is a separate process (src/peers/peer.ts) that both streams to us and receives our stream.
 *
 * - SIGKILL: the kernel closes the dead process's sockets (FIN, or RST when it had unread data), so
 *   our end sees close 1006 promptly, without the heartbeat; what it received is an in-order,
 *   duplicate-free prefix; `wasClean` is false, so it knows its own accepted sends may be lost;
 *   and a send after the close is refused with WS_ERR_NOT_OPEN.
 * - SIGSTOP: a frozen process's kernel still acknowledges TCP, so nothing but the heartbeat can
 *   tell: it must end the connection within its documented bound (intervalMs + timeoutMs, plus the
 *   lateness our timers measurably had), with close 1006 and WS_ERR_HEARTBEAT_TIMEOUT.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket } from '@rfc6455/server';
import { closeOf, keepLedger, stream } from './lib/ledger.ts';
import type { Ledger } from './lib/ledger.ts';
import { endAllPeers, startClientPeer, startServerPeer } from './lib/peer-process.ts';
import type { PeerProcess } from './lib/peer-process.ts';
import { measureLateness, pause } from './lib/timing.ts';

// `pnpm faults` (FAULTS_FULL=1) runs every case five times.
const ROUNDS = process.env['FAULTS_FULL'] === '1' ? [1, 2, 3, 4, 5] : [1];
const HEARTBEAT = { intervalMs: 250, timeoutMs: 250 };
const BOUND_MS = HEARTBEAT.intervalMs + HEARTBEAT.timeoutMs;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await endAllPeers();
});


/** Our server in this process, and a client peer process connected to it, streaming both ways. */
async function serverWithClientPeer(heartbeat: typeof HEARTBEAT | false) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat });
  cleanups.push(() => wss.shutdown({ timeoutMs: 200 }));
  await once(wss, 'listening');
  const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
  const peer = await startClientPeer({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/` });
  const [ws] = await connected;
  return { wss, ws: ws as WebSocket, peer };
}

/** A server peer process, and our client in this process connected to it, streaming both ways. */
async function clientWithServerPeer(heartbeat: typeof HEARTBEAT | undefined) {
  const { peer, port } = await startServerPeer({});
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, heartbeat === undefined ? {} : { heartbeat });
  cleanups.push(() => ws.terminate());
  await once(ws, 'open');
  await peer.next('connection');
  return { ws, peer };
}

/** Stream both ways for a moment, so the fault hits live traffic. */
async function traffic(ws: WebSocket, peer: PeerProcess): Promise<{ ledger: Ledger; stop: () => void }> {
  const ledger = keepLedger(ws);
  const stop = stream(ws, ledger, 2, 256);
  peer.command('stream', { everyMs: 2, bytes: 256 });
  await pause(300);
  return { ledger, stop };
}

function expectPrefixOnce(ledger: Ledger): void {
  expect(ledger.received).toBeGreaterThan(0);
  expect(ledger.outOfOrder).toBe(0);
  expect(ledger.duplicates).toBe(0);
}

async function expectLaterSendRefused(ws: WebSocket, ledger: Ledger): Promise<void> {
  const refused = new Promise<Error | null | undefined>((resolve) => ws.send('after the close', resolve));
  expect(((await refused) as Error & { code?: string })?.code).toBe('WS_ERR_NOT_OPEN');
  expect(ledger.failed + ledger.acked).toBeLessThanOrEqual(ledger.sent);
}

describe.each(ROUNDS)('the peer process is killed with SIGKILL mid-traffic (round %i)', () => {
  it('a killed client: our server closes 1006 at once (no heartbeat needed), not clean, with an in-order prefix', async () => {
    const { ws, peer } = await serverWithClientPeer(false);
    const { ledger, stop } = await traffic(ws, peer);
    const closed = closeOf(ws);
    const killedAt = Date.now();
    peer.signal('SIGKILL');
    const [code, , wasClean] = await closed;
    stop();
    expect([code, wasClean]).toEqual([1006, false]);
    // The kernel ended TCP: far sooner than any heartbeat would have (there is none here).
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expectPrefixOnce(ledger);
    await expectLaterSendRefused(ws, ledger);
    expect((await peer.exited).signal).toBe('SIGKILL');
  });

  it('a killed server: our client closes 1006 at once, not clean, with an in-order prefix', async () => {
    const { ws, peer } = await clientWithServerPeer(undefined);
    const { ledger, stop } = await traffic(ws, peer);
    const closed = closeOf(ws);
    peer.signal('SIGKILL');
    const [code, , wasClean] = await closed;
    stop();
    expect([code, wasClean]).toEqual([1006, false]);
    expectPrefixOnce(ledger);
    await expectLaterSendRefused(ws, ledger);
  });
});

describe.each(ROUNDS)('the peer process is frozen with SIGSTOP mid-traffic (round %i)', () => {
  it(`our server's heartbeat ends a frozen client within intervalMs + timeoutMs (${BOUND_MS} ms): heartbeatTimeout, WS_ERR_HEARTBEAT_TIMEOUT, 1006`, async () => {
    const { wss, ws, peer } = await serverWithClientPeer(HEARTBEAT);
    const { ledger, stop } = await traffic(ws, peer);
    const closed = closeOf(ws);
    const timedOut = once(wss, 'heartbeatTimeout') as Promise<[ServerWebSocket]>;
    const lateness = measureLateness();
    const frozenAt = Date.now();
    peer.signal('SIGSTOP');
    const [[expired], [code, , wasClean]] = await Promise.all([timedOut, closed]);
    const elapsed = Date.now() - frozenAt;
    const late = lateness.stop();
    stop();
    expect(expired).toBe(ws);
    expect([code, wasClean]).toEqual([1006, false]);
    expect(ledger.errors).toContain('WS_ERR_HEARTBEAT_TIMEOUT');
    // Not before a ping could have timed out, and within the documented bound (plus timer lateness).
    expect(elapsed).toBeGreaterThanOrEqual(HEARTBEAT.timeoutMs);
    // Two timers in a row (the next round's ping, then its timeout), each as late as the worst delay measured.
    expect(elapsed).toBeLessThanOrEqual(BOUND_MS + 2 * late);
    expectPrefixOnce(ledger);
    await expectLaterSendRefused(ws, ledger);
  });

  it(`our client's heartbeat ends a frozen server within intervalMs + timeoutMs (${BOUND_MS} ms): WS_ERR_HEARTBEAT_TIMEOUT, 1006`, async () => {
    const { ws, peer } = await clientWithServerPeer(HEARTBEAT);
    const { ledger, stop } = await traffic(ws, peer);
    const closed = closeOf(ws);
    const lateness = measureLateness();
    const frozenAt = Date.now();
    peer.signal('SIGSTOP');
    const [code, , wasClean] = await closed;
    const elapsed = Date.now() - frozenAt;
    const late = lateness.stop();
    stop();
    expect([code, wasClean]).toEqual([1006, false]);
    expect(ledger.errors).toContain('WS_ERR_HEARTBEAT_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(HEARTBEAT.timeoutMs);
    // Two timers in a row (the next round's ping, then its timeout), each as late as the worst delay measured.
    expect(elapsed).toBeLessThanOrEqual(BOUND_MS + 2 * late);
    expectPrefixOnce(ledger);
    await expectLaterSendRefused(ws, ledger);
  });
});
