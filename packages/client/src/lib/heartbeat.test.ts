import { describe, expect, it } from 'vitest';
import { closed, useTestScope } from '../../test/harness.ts';
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
    const ws = track(await WebSocket.connect(p.url, { heartbeat: { intervalMs: 30, timeoutMs: 60 } }));
    const server = await p.nextConnection();
    const errors: string[] = [];
    ws.on('error', (err) => errors.push((err as Error & { code: string }).code));
    const started = Date.now();
    const result = await closed(ws);
    expect(errors).toEqual(['WS_ERR_HEARTBEAT_TIMEOUT']);
    expect(result).toEqual({ code: 1006, reason: '', wasClean: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(server.pings).toHaveLength(1);
  });
});
