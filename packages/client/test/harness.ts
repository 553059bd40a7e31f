/**
 * What the client's test files share around the peer of peer.ts: cleanup after each test, the
 * close event as a promise, a wait for a condition (instead of a fixed sleep), and a socket
 * stand-in that records every byte written to it, for tests that assert the exact frames. The last
 * two are @rfc6455/testing's, shared with the other suites.
 */
import { waitFor } from '@rfc6455/testing';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import type { WebSocket } from '../src/lib/websocket.ts';
import { startPeer } from './peer.ts';
import type { Peer, PeerOptions } from './peer.ts';

/** Peers, servers and sockets made through it are closed after each test of the file. */
export interface TestScope {
  /** Start a peer (see peer.ts). */
  peer(options?: PeerOptions): Promise<Peer>;
  /** Listen on a free loopback port; returns the port. */
  listen(server: Server, host?: string): Promise<number>;
  /** Terminate `ws` after the test. */
  track<T extends WebSocket>(ws: T): T;
}

/** Register the cleanup (call at the top of a test file) and return the factories. */
export function useTestScope(): TestScope {
  const peers: Peer[] = [];
  const servers: Server[] = [];
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await Promise.all(peers.splice(0).map((p) => p.close()));
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });
  return {
    async peer(options) {
      const p = await startPeer(options);
      peers.push(p);
      return p;
    },
    async listen(server, host = '127.0.0.1') {
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, host, resolve));
      return (server.address() as AddressInfo).port;
    },
    track(ws) {
      sockets.push(ws);
      return ws;
    },
  };
}

/** The next `close` event of `ws`, its reason as a string. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string; wasClean: boolean }> {
  return new Promise((resolve) =>
    ws.once('close', (code: number, reason: Buffer, wasClean: boolean) => resolve({ code, reason: reason.toString(), wasClean })),
  );
}

/**
 * Resolve once `condition()` holds: @rfc6455/testing's `waitFor`, checked every 2 ms and given as
 * long as a test may run (vitest.shared.ts), so a slow machine fails only where the test would.
 */
export function until(condition: () => boolean): Promise<void> {
  return waitFor(condition, { timeoutMs: 20_000, everyMs: 2 });
}

/** One turn of the event loop: every nextTick and pending I/O callback of this turn has run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export { RecordingSocket } from '@rfc6455/testing';
