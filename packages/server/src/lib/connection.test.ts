/**
 * ServerWebSocket: the client package's WebSocket in the server role, with topics and a typed
 * context; and a connection class of the application's own.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RecordingSocket } from '@rfc6455/testing';
import { WebSocket } from '@rfc6455/client';
import { ServerWebSocket } from './connection.ts';
import { WebSocketServer } from './websocket-server.ts';
import { serverHarness } from '../../test/harness.ts';

const { listen, dial } = serverHarness();

describe('ServerWebSocket: topics, context and a custom connection class', () => {
  it('subscribes and unsubscribes through the connection, and shows its topics and typed context', async () => {
    const { wss, url } = await listen<{ user: string }>({ authenticate: () => ({ user: 'ada' }) });
    const connected = once(wss, 'connection') as Promise<[ServerWebSocket<{ user: string }>]>;
    const ws = await dial(url, { perMessageDeflate: false });
    const [server] = await connected;
    expect(server).toBeInstanceOf(ServerWebSocket);
    expect(server).toBeInstanceOf(WebSocket);
    const user: string = server.context.user;
    expect(user).toBe('ada');
    expect(server.subscribe('a')).toBe(true);
    expect(server.subscribe('a')).toBe(false);
    expect(server.subscribe('b')).toBe(true);
    expect(server.topics).toEqual(['a', 'b']);
    expect(wss.topicsOf(server)).toEqual(['a', 'b']);
    const got = once(ws, 'message') as Promise<[Buffer]>;
    expect(wss.publish('b', 'to b')).toBe(1);
    expect((await got)[0].toString()).toBe('to b');
    expect(server.unsubscribe('a')).toBe(true);
    expect(server.unsubscribe('a')).toBe(false);
    expect(server.topics).toEqual(['b']);
    expect(() => server.subscribe(1 as unknown as string)).toThrow(TypeError);
    const closed = once(server, 'close');
    ws.close();
    await closed;
    expect(server.topics).toEqual([]);
    expect(server.subscribe('c')).toBe(false);
    expect(wss.topicCount).toBe(0);
  });

  it('constructs connections from the WebSocket option, a class extending ServerWebSocket', async () => {
    class Chat extends ServerWebSocket<{ room: string }> {
      readonly joinedAt = 42;
      shout(text: string): void {
        this.send(`${this.context.room}: ${text.toUpperCase()}`);
      }
    }
    const { wss, url } = await listen<{ room: string }, Chat>({ WebSocket: Chat, authenticate: () => ({ room: 'lobby' }) });
    const connected = new Promise<Chat>((resolve) => wss.on('connection', (conn) => resolve(conn)));
    const ws = await dial(url, { perMessageDeflate: false });
    const conn = await connected;
    expect(conn).toBeInstanceOf(Chat);
    expect(conn.joinedAt).toBe(42);
    expect(conn.readyState).toBe(WebSocket.OPEN);
    const got = once(ws, 'message') as Promise<[Buffer]>;
    conn.shout('hi');
    expect((await got)[0].toString()).toBe('lobby: HI');
    expect([...wss.clients][0]).toBe(conn);
    expect(() => new WebSocketServer({ noServer: true, WebSocket: Object as never })).toThrow(TypeError);
  });

  it("takes @rfc6455/client's WebSocket or a subclass of it, as ws takes its own", async () => {
    class Plain extends WebSocket {
      readonly kind = 'plain';
    }
    const { wss, url } = await listen({ WebSocket: Plain });
    const connected = once(wss, 'connection') as Promise<[Plain]>;
    const ws = await dial(url);
    const [conn] = await connected;
    expect([conn instanceof Plain, conn instanceof ServerWebSocket, conn.kind]).toEqual([true, false, 'plain']);
    // The server's own topic methods work for it.
    expect(wss.subscribe(conn as never, 'news')).toBe(true);
    const got = once(ws, 'message') as Promise<[Buffer]>;
    wss.publish('news', 'extra');
    expect((await got)[0].toString()).toBe('extra');
  });

  it('a bare WebSocket.fromSocket call still makes a plain WebSocket', async () => {
    const socket = new RecordingSocket();
    const plain = WebSocket.fromSocket(socket, undefined, { role: 'server' });
    const server = ServerWebSocket.fromSocket(socket, undefined, { role: 'server' });
    expect([plain instanceof ServerWebSocket, server instanceof ServerWebSocket]).toEqual([false, true]);
    // Not bound to a server: topic calls are refused, not thrown.
    expect(server.subscribe('x')).toBe(false);
    expect(server.topics).toEqual([]);
    plain.terminate();
    server.terminate();
  });
});
