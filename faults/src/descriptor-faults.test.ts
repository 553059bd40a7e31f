/**
 * File-descriptor exhaustion in the server: our server runs as a peer process under a low open-file
 * limit (`ulimit -n`), and this process opens connections to it until the server has no descriptor
 * left for the next one. New connections are then refused or dropped; the connections already open
 * keep working; once some close, new connections succeed again; and the server process never exits.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { endAllPeers, startServerPeer } from './lib/peer-process.ts';
import { keepLedger, sendNumbered } from './lib/ledger.ts';

const MAX_OPEN_FILES = 64;

const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await endAllPeers();
});

const codeOf = (err: Error): string => {
  const code = String((err as Error & { code?: string }).code);
  const cause = (err.cause as (Error & { code?: string }) | undefined)?.code;
  return cause === undefined ? code : `${code} (${cause})`;
};

/** Open one connection: the socket once OPEN, or the code of the error that ended the attempt. */
function dial(port: number): Promise<WebSocket | string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { handshakeTimeoutMs: 3_000, perMessageDeflate: false });
  sockets.push(ws);
  return new Promise((resolve) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', (err: Error) => resolve(codeOf(err)));
  });
}

/** Send one numbered message on `ws` and wait for its echo. */
async function echoes(ws: WebSocket): Promise<boolean> {
  const ledger = keepLedger(ws);
  sendNumbered(ws, ledger);
  const [data] = (await once(ws, 'message')) as [Buffer];
  return String(data).startsWith(`${ledger.lastSeq}:`);
}

describe(`descriptor exhaustion in the server (ulimit -n ${MAX_OPEN_FILES})`, () => {
  it('refuses or drops new connections, keeps the open ones working, recovers when descriptors free up, never crashes', async () => {
    const { peer, port } = await startServerPeer({ echo: true, options: { heartbeat: false, handshakeTimeoutMs: 3_000 } }, { maxOpenFiles: MAX_OPEN_FILES });
    const open: WebSocket[] = [];
    const refused: string[] = [];
    // One at a time, so each attempt meets the server's descriptor count as the previous one left it.
    for (let i = 0; i < MAX_OPEN_FILES && refused.length < 3; i++) {
      const result = await dial(port);
      if (typeof result === 'string') refused.push(result);
      else open.push(result);
    }
    expect(open.length).toBeGreaterThan(10);
    expect(open.length).toBeLessThan(MAX_OPEN_FILES);
    expect(refused).toHaveLength(3);
    for (const code of refused) expect(code).toMatch(/^WS_ERR_(CONNECTION_FAILED \(ECONNRESET\)|HANDSHAKE_TIMEOUT)$/);
    // libuv, out of descriptors, accepts each new connection and closes it at once (its EMFILE
    // trick): the client is reset, the server process sees no error and keeps running.
    expect(peer.events.filter((e) => e.ev === 'serverError')).toEqual([]);
    expect(peer.child.exitCode).toBeNull();

    // The first and the last connection still work.
    expect(await echoes(open[0]!)).toBe(true);
    expect(await echoes(open.at(-1)!)).toBe(true);

    // Free ten descriptors: close ten connections and wait until the server has closed its ends.
    const from = peer.events.length;
    for (const ws of open.splice(0, 10)) ws.close(1000);
    await peer.waitFor(() => peer.events.slice(from).filter((e) => e.ev === 'close').length >= 10, 10_000, from);
    const again = await dial(port);
    expect(typeof again).not.toBe('string');
    expect(await echoes(again as WebSocket)).toBe(true);
    expect(peer.child.exitCode).toBeNull();
    expect(peer.stderr).toBe('');
  });
});
