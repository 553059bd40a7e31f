import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLOSED, CLOSING, CONNECTING, OPEN, WebSocketError } from '@rfc6455/codes';
import { RecordingSocket, closed, tick, useTestScope } from '../../test/harness.ts';
import type { CloseEvent, ErrorEvent } from './events.ts';
import { Lifecycle } from './lifecycle.ts';
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
    // The server echoes code and reason (RFC 6455 §5.5.1, as ws and browsers answer).
    expect(result).toEqual({ code: 4000, reason: 'bye now', wasClean: true });
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
    // Our echo carries the reason back, byte for byte.
    expect(server.protocol.closeReceived).toEqual({ code: 4001, reason: 'going' });
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
    // CLOSING at once, the error and close events on the next tick (as ws; WHATWG queues a task).
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    expect(events).toEqual([]);
    // The dial would have started on the next tick: it never does, so no 'open' can follow.
    await tick();
    expect(attempts).toBe(0);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(events).toEqual(['error:WS_ERR_ABORTED', 'close:1006:false']);
  });
});

describe('Lifecycle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function lifecycle(isServer: boolean, closeTimeoutMs = 1000): { life: Lifecycle; reports: unknown[][] } {
    const reports: unknown[][] = [];
    const life = new Lifecycle(isServer, closeTimeoutMs, (...args) => reports.push(args));
    return { life, reports };
  }

  it('goes CONNECTING → OPEN → CLOSING → CLOSED and reports the close once', () => {
    const { life, reports } = lifecycle(false);
    const socket = new RecordingSocket();
    expect(life.readyState).toBe(CONNECTING);
    life.open();
    expect(life.readyState).toBe(OPEN);
    life.closing(socket);
    expect(life.readyState).toBe(CLOSING);
    life.protocolClosed(socket, 4000, 'bye', true, true);
    expect(reports).toEqual([]);
    life.closed(undefined, true);
    life.closed(undefined, true);
    expect(life.readyState).toBe(CLOSED);
    expect(reports).toEqual([[4000, 'bye', true]]);
  });

  it('reports a clean close only when the peer is known to have read everything: our close began it, or its FIN came', () => {
    // We only answered the peer's close frame and the socket closed before its FIN: not clean.
    const answered = lifecycle(true);
    answered.life.open();
    answered.life.protocolClosed(new RecordingSocket(), 1000, '', true, true);
    answered.life.closed(undefined, false);
    expect(answered.reports).toEqual([[1000, '', false]]);
    // Our close frame began the handshake: the peer's reply proves it read what came before it.
    const began = lifecycle(false);
    began.life.open();
    began.life.began();
    began.life.protocolClosed(new RecordingSocket(), 1000, '', true, true);
    began.life.closed(undefined, false);
    expect(began.reports).toEqual([[1000, '', true]]);
  });

  it('reports 1006 and no reason when the socket closes before the protocol is done', () => {
    const { life, reports } = lifecycle(true);
    life.open();
    life.closed();
    expect(reports).toEqual([[1006, '', false]]);
  });

  it('reports the close code of the failure we detected, unless the peer\'s close frame came first', () => {
    const failure = new WebSocketError('WS_ERR_INVALID_UTF8', 'bad text', { closeCode: 1007 });
    const first = lifecycle(false);
    first.life.open();
    first.life.fail(failure);
    first.life.protocolClosed(new RecordingSocket(), 1006, '', false, false);
    first.life.closed();
    expect(first.reports).toEqual([[1007, '', false]]);
    expect(first.life.failure).toBe(failure);
    const second = lifecycle(false);
    second.life.open();
    second.life.fail(failure);
    second.life.protocolClosed(new RecordingSocket(), 4001, 'peer first', false, true);
    second.life.closed();
    expect(second.reports).toEqual([[4001, 'peer first', false]]);
  });

  it('RFC 6455 §7.1.1: a server ends TCP at once, a client after a clean close waits for the server', () => {
    const server = lifecycle(true);
    const serverSocket = new RecordingSocket();
    server.life.open();
    server.life.protocolClosed(serverSocket, 1000, '', true, true);
    expect(serverSocket.writableEnded).toBe(true);
    const client = lifecycle(false);
    const clientSocket = new RecordingSocket();
    client.life.open();
    client.life.protocolClosed(clientSocket, 1000, '', true, true);
    expect(clientSocket.writableEnded).toBe(false);
    // After a failure the client does not wait.
    const failed = lifecycle(false);
    const failedSocket = new RecordingSocket();
    failed.life.open();
    failed.life.protocolClosed(failedSocket, 1002, '', false, false);
    expect(failedSocket.writableEnded).toBe(true);
    for (const socket of [serverSocket, clientSocket, failedSocket]) socket.destroy();
  });

  it('destroys the socket closeTimeoutMs after the closing handshake began, and not when it closed in time', () => {
    vi.useFakeTimers();
    const late = lifecycle(false, 500);
    const lateSocket = new RecordingSocket();
    late.life.open();
    late.life.closing(lateSocket);
    vi.advanceTimersByTime(499);
    expect(lateSocket.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(lateSocket.destroyed).toBe(true);
    const onTime = lifecycle(false, 500);
    const onTimeSocket = new RecordingSocket();
    onTime.life.open();
    onTime.life.closing(onTimeSocket);
    onTime.life.closed();
    vi.advanceTimersByTime(1000);
    expect(onTimeSocket.destroyed).toBe(false);
  });

  it('runs `before` between CLOSED and the report (a failed attempt\'s error event)', () => {
    const { life, reports } = lifecycle(false);
    const seen: unknown[] = [];
    life.stop();
    expect(life.readyState).toBe(CLOSING);
    life.closed(() => seen.push(life.readyState, reports.length));
    expect(seen).toEqual([CLOSED, 0]);
    expect(reports).toEqual([[1006, '', false]]);
  });
});
