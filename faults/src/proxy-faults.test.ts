/**
 * Faults nftables cannot make, through a user-space TCP proxy between our client and our server
 * (lib/fault-proxy.ts), all in this process on loopback: added latency, a bandwidth cap (a slow
 * consumer, met by the server's backpressure policy), a connection reset in the middle of a frame,
 * a half-closed socket (FIN in one direction only), and a client side that stops reading.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket, WebSocketServerOptions } from '@rfc6455/server';
import { waitFor } from '@rfc6455/testing';
import { startFaultProxy } from './lib/fault-proxy.ts';
import type { FaultProxy, ProxyFaults } from './lib/fault-proxy.ts';
import { closeOf, keepLedger, sendNumbered } from './lib/ledger.ts';
import { measureLateness } from './lib/timing.ts';


const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Our server, a proxy in front of it with `faults`, and our client connected through the proxy. */
async function throughProxy(
  faults: Partial<ProxyFaults>,
  serverOptions: Omit<WebSocketServerOptions, 'port' | 'server' | 'noServer'> = {},
  clientOptions: ConstructorParameters<typeof WebSocket>[1] = {},
): Promise<{ wss: WebSocketServer; server: ServerWebSocket; client: WebSocket; proxy: FaultProxy }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, ...serverOptions });
  cleanups.push(() => wss.shutdown({ timeoutMs: 200 }));
  await once(wss, 'listening');
  const proxy = await startFaultProxy((wss.address() as { port: number }).port, faults);
  cleanups.push(() => proxy.close());
  const connected = once(wss, 'connection') as Promise<[ServerWebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${proxy.port}/`, clientOptions as object);
  cleanups.push(() => client.terminate());
  const [[server]] = await Promise.all([connected, once(client, 'open')]);
  return { wss, server, client, proxy };
}

describe('added latency (50 ms each way)', () => {
  it('every message arrives in order, the heartbeat measures the round trip and does not fire, the close is clean', async () => {
    const { server, client, proxy } = await throughProxy(
      { latencyMs: 50 },
      { heartbeat: { intervalMs: 150, timeoutMs: 400 } },
      { heartbeat: { intervalMs: 150, timeoutMs: 400 } },
    );
    // Each end's ledger: what it sent, and what it received from the other.
    const atServer = keepLedger(server);
    const atClient = keepLedger(client);
    for (let i = 0; i < 200; i++) {
      sendNumbered(client, atClient);
      sendNumbered(server, atServer);
    }
    await waitFor(() => atServer.received === 200 && atClient.received === 200, { timeoutMs: 10_000, what: 'both directions delivered' });
    await waitFor(() => client.latency !== undefined, { timeoutMs: 5_000, what: 'a heartbeat round trip' });
    // Two proxy legs of 50 ms each: the round trip cannot be shorter.
    expect(client.latency).toBeGreaterThanOrEqual(100);
    expect(proxy.faults.latencyMs).toBe(50);
    const closes = [closeOf(client), closeOf(server)] as const;
    client.close(1000);
    const [[code, , clean], [serverCode, , serverClean]] = await Promise.all(closes);
    expect([code, clean, serverCode, serverClean]).toEqual([1000, true, 1000, true]);
    for (const ledger of [atServer, atClient]) {
      expect([ledger.acked, ledger.outOfOrder, ledger.duplicates, ledger.errors]).toEqual([200, 0, 0, []]);
    }
  });
});


describe('a bandwidth cap towards the client (a slow consumer) meets the backpressure policy', () => {
  for (const backpressure of ['close', 'drop'] as const) {
    it(`'${backpressure}': the client receives exactly the broadcasts counted for it, in order${backpressure === 'close' ? ', then 1013' : ''}`, async () => {
      const { wss, server, client } = await throughProxy(
        { clientBytesPerSecond: 4 * 1024 * 1024 },
        { backpressure, maxBufferedAmount: 256 * 1024, closeTimeoutMs: 30_000 },
      );
      const atClient = keepLedger(client);
      // Attribute each broadcast as the soak does: counted for this connection only when broadcast
      // counted it (one connection here), so skipped deliveries are exactly the ones not counted.
      let credited = 0;
      let skipped = 0;
      wss.on('drop', () => skipped++);
      wss.on('slowConsumer', () => skipped++);
      const padding = 'x'.repeat(32 * 1024);
      let seq = 0;
      const acted = (): boolean => (backpressure === 'close' ? skipped > 0 : skipped >= 20);
      // 256 KiB every 5 ms, far more than the 4 MiB/s link carries: the server's buffer grows until the policy acts.
      const offer = (): boolean => {
        for (let i = 0; i < 8 && !acted(); i++) credited += wss.broadcast(`${seq++}:${padding}`);
        return acted();
      };
      await waitFor(offer, { timeoutMs: 20_000, what: `the '${backpressure}' policy` });
      expect(skipped + credited).toBe(seq);
      if (backpressure === 'close') {
        const [code, , wasClean] = await closeOf(client);
        // Everything counted arrived before the server's 1013 close frame.
        expect([code, wasClean]).toEqual([1013, true]);
      } else {
        expect(wss.droppedMessagesOf(server)).toBe(skipped);
        await waitFor(() => atClient.received === credited, { timeoutMs: 20_000, what: 'the counted broadcasts delivered' });
        const closed = closeOf(client);
        client.close(1000);
        expect((await closed)[2]).toBe(true);
      }
      expect([atClient.received, atClient.outOfOrder, atClient.duplicates]).toEqual([credited, 0, 0]);
    }, 60_000);
  }
});

describe('a connection reset in the middle of a frame', () => {
  it('the client never delivers the cut message, both ends close 1006 and not clean', async () => {
    const { server, client, proxy } = await throughProxy({});
    const connection = await proxy.nextConnection();
    const atClient = keepLedger(client);
    const atServer = keepLedger(server);
    const closes = [closeOf(client), closeOf(server)] as const;
    // Cut 300 KiB into a 1 MiB message.
    proxy.faults.resetAfterClientBytes = connection.toClientBytes + 300 * 1024;
    sendNumbered(server, atServer, 1024 * 1024);
    const [[code, , clean], [serverCode, , serverClean]] = await Promise.all(closes);
    expect([code, clean]).toEqual([1006, false]);
    expect([serverCode, serverClean]).toEqual([1006, false]);
    expect(atClient.received).toBe(0);
    expect(connection.toClientBytes).toBeLessThan(1024 * 1024);
    expect(atClient.errors).toContain('ECONNRESET');
    // The sender learns through its close (wasClean false) whatever its callback said.
    expect(atServer.acked + atServer.failed).toBeLessThanOrEqual(1);
  });
});

describe('a half-closed socket (FIN in one direction only)', () => {
  for (const towards of ['server', 'client'] as const) {
    it(`a FIN towards the ${towards} alone: both ends close 1006, not clean, without waiting for the close timer`, async () => {
      const closeTimeoutMs = 10_000;
      const { server, client, proxy } = await throughProxy({}, { closeTimeoutMs }, { closeTimeoutMs });
      const connection = await proxy.nextConnection();
      const atClient = keepLedger(client);
      const atServer = keepLedger(server);
      for (let i = 0; i < 10; i++) {
        sendNumbered(client, atClient);
        sendNumbered(server, atServer);
      }
      await waitFor(() => atClient.received === 10 && atServer.received === 10, { timeoutMs: 5_000, what: 'the messages before the FIN' });
      const closes = [closeOf(client), closeOf(server)] as const;
      const finAt = Date.now();
      if (towards === 'server') connection.halfCloseTowardsServer();
      else connection.halfCloseTowardsClient();
      const [[code, , clean], [serverCode, , serverClean]] = await Promise.all(closes);
      expect([code, clean, serverCode, serverClean]).toEqual([1006, false, 1006, false]);
      expect(Date.now() - finAt).toBeLessThan(closeTimeoutMs);
      for (const ledger of [atClient, atServer]) expect([ledger.outOfOrder, ledger.duplicates]).toEqual([0, 0]);
    });
  }
});

describe('a client side that stops reading', () => {
  it("the server's send returns false past highWaterMark, and its heartbeat ends the connection within the bound: 1006, WS_ERR_HEARTBEAT_TIMEOUT", async () => {
    const heartbeat = { intervalMs: 250, timeoutMs: 250 };
    const { wss, server, proxy } = await throughProxy({}, { heartbeat });
    const connection = await proxy.nextConnection();
    const atServer = keepLedger(server);
    const closed = closeOf(server);
    const timedOut = once(wss, 'heartbeatTimeout');
    proxy.faults.stopReadingServer = true;
    let backpressured = false;
    const lateness = measureLateness();
    const feed = setInterval(() => {
      for (let i = 0; i < 4; i++) if (server.readyState === WebSocket.OPEN && !sendNumbered(server, atServer, 16 * 1024)) backpressured = true;
    }, 1);
    const [[code, , wasClean]] = await Promise.all([closed, timedOut]);
    // From the moment the proxy really stopped reading (it applies the fault on its next 10 ms tick).
    const elapsed = Date.now() - connection.stoppedReadingAt!;
    const late = lateness.stop();
    clearInterval(feed);
    expect(backpressured).toBe(true);
    expect([code, wasClean]).toEqual([1006, false]);
    expect(atServer.errors).toContain('WS_ERR_HEARTBEAT_TIMEOUT');
    // The heartbeat's end takes two timers in a row (the ping of the next round, then its timeout);
    // each can run as late as the worst event-loop delay measured, hence twice the lateness.
    expect(elapsed).toBeLessThanOrEqual(heartbeat.intervalMs + heartbeat.timeoutMs + 2 * late);
    // Every send was told its outcome: written, or (still buffered when the socket was destroyed) not.
    await waitFor(() => atServer.acked + atServer.failed === atServer.sent, { timeoutMs: 5_000, what: 'every send callback' });
    expect(atServer.failed).toBeGreaterThan(0);
  });
});
