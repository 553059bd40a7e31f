import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closed, tick, useTestScope } from '../../test/harness.ts';
import type { CloseEvent, ErrorEvent } from './events.ts';
import { WebSocket } from './websocket.ts';

const { peer, track } = useTestScope();

describe('closing', () => {
  it('client-initiated: close frame with code and reason, clean close', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const done = closed(ws);
    ws.close(4000, 'bye now');
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    const result = await done;
    expect(result).toEqual({ code: 4000, reason: '', wasClean: true });
    expect(server.protocol.closeReceived).toEqual({ code: 4000, reason: 'bye now' });
    expect((await server.closing).wasClean).toBe(true);
  });

  it('server-initiated: the client echoes the code and reports the peer\'s code and reason', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const event = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    server.protocol.sendClose(4001, 'going');
    const result = await event;
    expect(result.code).toBe(4001);
    expect(result.reason).toBe('going');
    expect(result.wasClean).toBe(true);
    expect((await server.closing).code).toBe(4001);
  });

  it('an abrupt end of the TCP connection closes with 1006, not clean', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const server = await p.nextConnection();
    const event = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
    server.socket.destroy();
    const result = await event;
    expect(result.code).toBe(1006);
    expect(result.wasClean).toBe(false);
  });

  it('terminate() ends the connection at once with 1006', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const done = closed(ws);
    ws.terminate();
    expect(await done).toEqual({ code: 1006, reason: '', wasClean: false });
  });

  it('close timeout: a peer that never answers the close frame is cut off after closeTimeoutMs', async () => {
    const p = await peer({
      onUpgrade: (request, socket) => {
        // Accept, then read and ignore everything.
        const key = request.headers['sec-websocket-key'] as string;
        void import('@rfc6455/handshake').then(({ createAcceptKey }) => {
          socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${createAcceptKey(key)}\r\n\r\n`);
        });
        socket.resume();
        return true;
      },
    });
    const ws = track(await WebSocket.connect(p.url, { closeTimeoutMs: 150 }));
    const started = Date.now();
    const done = closed(ws);
    ws.close();
    const result = await done;
    expect(result.code).toBe(1006);
    expect(result.wasClean).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('closing while CONNECTING', () => {
  it('close() while CONNECTING aborts: error WS_ERR_ABORTED, then close 1006', async () => {
    const p = await peer();
    let attempts = 0;
    const ws = track(
      new WebSocket(p.url, {
        createConnection: () => {
          attempts++;
          return netConnect({ host: '127.0.0.1', port: p.port });
        },
      }),
    );
    const events: string[] = [];
    ws.onerror = (event: ErrorEvent) => events.push(`error:${(event.error as { code: string }).code}`);
    ws.onclose = (event: CloseEvent) => events.push(`close:${event.code}:${event.wasClean}`);
    ws.onopen = () => events.push('open');
    ws.close();
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    // The dial would have started on the next tick: it never does, so no 'open' can follow.
    await tick();
    expect(attempts).toBe(0);
    expect(events).toEqual(['error:WS_ERR_ABORTED', 'close:1006:false']);
  });
});
