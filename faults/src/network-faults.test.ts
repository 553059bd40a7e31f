/**
 * Faults of the network itself, made with nftables in a pair of network namespaces the test creates
 * (lib/netns.ts): our server peer in one, our client peer in the other, joined by a veth pair.
 *
 * - Blackhole: every packet of the link dropped, so neither end ever sees a FIN or an RST. Only the
 *   heartbeats can tell, and both must: each end closes 1006 with WS_ERR_HEARTBEAT_TIMEOUT within
 *   intervalMs + timeoutMs (plus the lateness its own timers measurably had).
 * - Packet loss: 5 % of the link's packets dropped at random, both ways. TCP retransmits; every
 *   message still arrives, in order, once, the soak-style accounting balances on both ends, and
 *   the closing handshake completes cleanly.
 *
 * Needs root (CI runs as root): without it these tests fail, saying so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNetworkPair, destroyAllNetworkPairs, requireNetworkAdmin } from './lib/netns.ts';
import type { NetworkPair } from './lib/netns.ts';
import { endAllPeers, startClientPeer, startServerPeer } from './lib/peer-process.ts';
import type { PeerEvent, PeerProcess, PeerStats } from './lib/peer-process.ts';
import { measureLateness, pause } from './lib/timing.ts';

const FULL = process.env['FAULTS_FULL'] === '1';
// `pnpm faults` (FAULTS_FULL=1) blackholes five connections one after another.
const ROUNDS = FULL ? [1, 2, 3, 4, 5] : [1];
const HEARTBEAT = { intervalMs: 300, timeoutMs: 300 };
const BOUND_MS = HEARTBEAT.intervalMs + HEARTBEAT.timeoutMs;

beforeAll(() => requireNetworkAdmin());
afterEach(() => endAllPeers());
afterAll(() => destroyAllNetworkPairs());

/** A server peer in the pair's server namespace and a client peer in its client namespace, connected. */
async function connectAcross(pair: NetworkPair, options: Record<string, unknown>): Promise<{ server: PeerProcess; client: PeerProcess }> {
  const { peer: server, port } = await startServerPeer({ host: pair.serverAddress, port: 0, options }, { netns: pair.serverNs });
  const client = await startClientPeer({ url: `ws://${pair.serverAddress}:${port}/`, options }, { netns: pair.clientNs });
  await server.next('connection');
  return { server, client };
}

/** Poll both ledgers until `done` holds (messages still crossing the lossy link), or time out. */
async function until(server: PeerProcess, client: PeerProcess, done: (s: PeerStats, c: PeerStats) => boolean, timeoutMs: number): Promise<[PeerStats, PeerStats]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [s, c] = await Promise.all([server.stats(), client.stats()]);
    if (done(s, c)) return [s, c];
    if (Date.now() > deadline) throw new Error(`not balanced within ${timeoutMs} ms: server ${JSON.stringify(s)}, client ${JSON.stringify(c)}`);
    await pause(100);
  }
}

describe.each(ROUNDS)('a blackholed link (packets dropped, no FIN, no RST; round %i)', (round) => {
  it(`both heartbeats end the connection within intervalMs + timeoutMs (${BOUND_MS} ms): 1006, WS_ERR_HEARTBEAT_TIMEOUT`, async () => {
    const pair = createNetworkPair(`bh${round}`, 77);
    try {
      const { server, client } = await connectAcross(pair, { heartbeat: HEARTBEAT });
      server.command('stream', { everyMs: 5, bytes: 128 });
      client.command('stream', { everyMs: 5, bytes: 128 });
      await pause(300);
      const from = { server: server.events.length, client: client.events.length };
      server.command('mark');
      client.command('mark');
      const ours = measureLateness();
      const cutAt = Date.now();
      pair.blackhole();
      const arrived: Record<string, number> = {};
      const closed = async (peer: PeerProcess, name: 'server' | 'client'): Promise<PeerEvent> => {
        const event = await peer.next('close', 10 * BOUND_MS, from[name]);
        arrived[name] = Date.now() - cutAt;
        return event;
      };
      const [serverClose, clientClose, timeout] = await Promise.all([
        closed(server, 'server'),
        closed(client, 'client'),
        server.next('heartbeatTimeout', 10 * BOUND_MS, from.server),
      ]);
      // The close events reach us through pipes: our own lateness counts as well as the peer's.
      const ourLateness = ours.stop();
      expect(timeout.ev).toBe('heartbeatTimeout');
      expect(pair.dropped()).toBeGreaterThan(0);
      for (const [name, event] of [
        ['server', serverClose],
        ['client', clientClose],
      ] as const) {
        expect([event.code, event.wasClean], name).toEqual([1006, false]);
        expect(event.stats!.errors, name).toContain('WS_ERR_HEARTBEAT_TIMEOUT');
        expect(event.stats!.outOfOrder + event.stats!.duplicates, name).toBe(0);
        // Not before a ping could time out; within the bound plus how late that peer's timers ran.
        expect(arrived[name], name).toBeGreaterThanOrEqual(HEARTBEAT.timeoutMs);
        const late = Number(event['latenessMs']) + ourLateness;
        expect(arrived[name], `${name} (timers ran up to ${late} ms late)`).toBeLessThanOrEqual(BOUND_MS + late);
      }
    } finally {
      pair.destroy();
    }
  });
});

describe('5 % packet loss on the link, both ways', () => {
  it('every message arrives in order and once, the ledgers balance, and the close is clean', async () => {
    const pair = createNetworkPair('pl', 78);
    try {
      const { server, client } = await connectAcross(pair, {});
      pair.loss(5);
      const count = FULL ? 20_000 : 2_000;
      server.command('send', { count, bytes: 512 });
      client.command('send', { count, bytes: 512 });
      const [s, c] = await until(
        server,
        client,
        (s, c) => s.received === count && c.received === count && s.acked === count && c.acked === count,
        FULL ? 300_000 : 60_000,
      );
      for (const [name, stats] of [
        ['server', s],
        ['client', c],
      ] as const) {
        expect({ name, ...stats }).toMatchObject({ name, sent: count, acked: count, failed: 0, received: count, lastSeq: count - 1, outOfOrder: 0, duplicates: 0 });
      }
      // The closing handshake also crosses the lossy link.
      const from = { server: server.events.length, client: client.events.length };
      client.command('close', { code: 1000 });
      const [serverClose, clientClose] = await Promise.all([server.next('close', 60_000, from.server), client.next('close', 60_000, from.client)]);
      expect([serverClose.code, serverClose.wasClean]).toEqual([1000, true]);
      expect([clientClose.code, clientClose.wasClean]).toEqual([1000, true]);
      // The loss was real: the rules dropped packets, and TCP made up for every one of them.
      expect(pair.ruleset()).toContain('numgen random mod 100 < 5');
      const share = pair.dropped() / pair.packets();
      expect(share, `${pair.dropped()} of ${pair.packets()} packets dropped`).toBeGreaterThan(0.02);
      expect(share).toBeLessThan(0.1);
    } finally {
      pair.destroy();
    }
  });
});
