/**
 * Graceful shutdown: shutdown()'s arguments, closing every connection with a close frame and
 * terminating those that do not answer in time; unit tests on stand-in connections, then over
 * loopback.
 */
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import type { ServerWebSocket } from './connection.ts';
import { closeConnections, resolveCloseOptions } from './shutdown.ts';
import { WebSocketServer } from './websocket-server.ts';
import { exchange, portOf, rawHandshake, statusOf, upgradeRequest } from '../../test/raw.ts';
import { collect, serverHarness } from '../../test/harness.ts';

const { cleanups, listen, dial } = serverHarness();

/** A connection that answers close() with a close event, or never when `deaf`. */
class StandIn extends EventEmitter {
  readyState = WebSocket.OPEN;
  constructor(readonly deaf = false, readonly broken = false) {
    super();
  }
  readonly close = vi.fn(() => {
    if (this.broken) throw new Error('cannot send a close frame');
    if (!this.deaf) this.end(1000);
  });
  readonly terminate = vi.fn(() => this.end(1006));
  end(code: number): void {
    if (this.readyState === WebSocket.CLOSED) return;
    this.readyState = WebSocket.CLOSED;
    this.emit('close', code);
  }
}

const asSockets = (peers: StandIn[]): ServerWebSocket[] => peers as unknown as ServerWebSocket[];

describe('resolveCloseOptions', () => {
  it('defaults to 1001, no reason and 10 s', () => {
    expect(resolveCloseOptions({})).toEqual({ code: 1001, reason: '', timeoutMs: 10_000 });
    expect(resolveCloseOptions({ code: 4000, reason: 'bye', timeoutMs: 0 })).toEqual({ code: 4000, reason: 'bye', timeoutMs: 0 });
  });

  it('refuses with RangeError what a close frame cannot carry, and a negative timeout', () => {
    expect(() => resolveCloseOptions({ code: 1006 })).toThrow(RangeError);
    expect(() => resolveCloseOptions({ code: 1006 })).toThrow('WebSocketServer.shutdown(code): 1006 may not be sent');
    expect(() => resolveCloseOptions({ reason: 'é'.repeat(62) })).toThrow(/123 UTF-8 bytes/);
    expect(resolveCloseOptions({ reason: 'é'.repeat(61) }).reason).toHaveLength(61);
    expect(() => resolveCloseOptions({ timeoutMs: -1 })).toThrow(RangeError);
  });

  it('names an unknown option', () => {
    expect(() => resolveCloseOptions({ timeout: 5 } as never)).toThrow('WebSocketServer.shutdown(options): unknown option "timeout"; use timeoutMs (milliseconds).');
    expect(() => resolveCloseOptions({ reasn: 'x' } as never)).toThrow(/unknown option "reasn"; did you mean "reason"/);
  });
});

describe('closeConnections', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends every connection the close frame and resolves once all have closed', async () => {
    const peers = [new StandIn(), new StandIn(), new StandIn(false, true)];
    await closeConnections(asSockets(peers), { code: 1012, reason: 'restart', timeoutMs: 1000 });
    expect(peers.map((p) => p.close.mock.calls)).toEqual([[[1012, 'restart']], [[1012, 'restart']], [[1012, 'restart']]]);
    // The one that could not send a close frame was terminated at once.
    expect(peers.map((p) => p.terminate.mock.calls.length)).toEqual([0, 0, 1]);
  });

  it('terminates the connections still open after timeoutMs', async () => {
    vi.useFakeTimers();
    const peers = [new StandIn(), new StandIn(true)];
    let done = false;
    const closing = closeConnections(asSockets(peers), { code: 1001, reason: '', timeoutMs: 500 }).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(499);
    expect([done, peers[1]?.terminate.mock.calls.length]).toEqual([false, 0]);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(peers.map((p) => p.terminate.mock.calls.length)).toEqual([0, 1]);
  });
});

describe('WebSocketServer.shutdown over loopback', () => {
  it('sends 1001 to every connection, waits for them and stops listening', async () => {
    const { wss, url } = await listen();
    const clients = [await dial(url), await dial(url), await dial(url)];
    const codes = clients.map((c) => once(c, 'close').then(([code]) => code as number));
    const closed = once(wss, 'close');
    await wss.shutdown();
    await closed;
    expect(await Promise.all(codes)).toEqual([1001, 1001, 1001]);
    expect(wss.connectionCount).toBe(0);
    const late = new WebSocket(url);
    const [err] = (await once(late, 'error')) as [{ code: string }];
    expect(err.code).toBe('WS_ERR_CONNECTION_FAILED');
  });

  it('sends the given code and reason, and terminates a peer that never answers at timeoutMs', async () => {
    const { wss, url } = await listen();
    const connected = once(wss, 'connection');
    const { socket } = await rawHandshake(Number(new URL(url).port));
    cleanups.push(() => socket.destroy());
    const { bytes } = collect(socket);
    const [ws] = (await connected) as [ServerWebSocket];
    const serverClose = once(ws, 'close');
    const started = Date.now();
    await wss.shutdown({ code: 1012, reason: 'restart', timeoutMs: 150 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(2000);
    const [code] = (await serverClose) as [number];
    expect(code).toBe(1006);
    expect([...bytes().subarray(0, 4)]).toEqual([0x88, 9, 0x03, 0xf4]);
    expect(bytes().subarray(4, 11).toString()).toBe('restart');
    // The server ended the TCP connection too.
    if (!socket.readableEnded && !socket.destroyed) await Promise.race([once(socket, 'end'), once(socket, 'close')]);
    expect(socket.destroyed || socket.readableEnded).toBe(true);
  });

  it('resolves once shut down, returns the same promise when called again, and checks its options first', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false });
    await once(wss, 'listening');
    const closed = once(wss, 'close');
    const first = wss.shutdown();
    expect(wss.shutdown()).toBe(first);
    await first;
    await closed;
    expect(() => wss.shutdown({ code: 1006 })).toThrow(RangeError);
    expect(() => wss.shutdown(null as never)).toThrow(TypeError);
  });

  it('refuses handshakes with 503 once shutdown() has begun', async () => {
    const noServer = new WebSocketServer({ noServer: true, heartbeat: false });
    void noServer.shutdown();
    const http = createServer();
    http.on('upgrade', (req, socket, head) => noServer.handleUpgrade(req, socket, head, () => undefined));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(() => new Promise((r) => http.close(r)));
    const res = await exchange(portOf(http.address()), upgradeRequest('/'));
    expect(statusOf(res)).toBe(503);
  });
});
