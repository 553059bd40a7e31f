import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, fakePage, flush, pageshow } from '../../test/fake-websocket.ts';
import type { FakePage } from '../../test/fake-websocket.ts';
import { loggedSocket, refuse } from '../../test/logged-socket.ts';
import { WebSocket, connect } from './websocket.ts';
import type { UrlSource, WebSocketOptions } from './options.ts';
import type { WebSocketCloseEvent } from './events.ts';
import type { InvalidJsonError } from './errors.ts';

let page: FakePage;
let log: string[];

const make = <T = string | ArrayBuffer | Blob>(url: UrlSource = 'wss://example.test/feed', options: WebSocketOptions = {}): WebSocket<T> =>
  loggedSocket<T>(page, log, url, options);

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.instances = [];
  page = fakePage();
  log = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe('WHATWG surface', () => {
  it('opens, receives, closes, with readyState and handler properties in step', async () => {
    const socket = make(undefined, { protocols: ['chat', 'superchat'] });
    const native = FakeWebSocket.last;
    expect(native.url).toBe('wss://example.test/feed');
    expect(native.protocols).toEqual(['chat', 'superchat']);
    expect(native.binaryType).toBe('arraybuffer');
    expect(socket.readyState).toBe(WebSocket.CONNECTING);
    expect(socket.isConnecting()).toBe(true);
    const handled: string[] = [];
    socket.onopen = () => handled.push('onopen');
    socket.onclose = (event) => handled.push(`onclose ${event.code} ${event.reason}`);
    native.serverOpen('chat');
    expect(socket.readyState).toBe(WebSocket.OPEN);
    expect(socket.isOpen()).toBe(true);
    expect(socket.protocol).toBe('chat');
    native.serverMessage('hello');
    socket.send('hi');
    expect(native.sent).toEqual(['hi']);
    socket.close(1000, 'bye');
    expect(socket.readyState).toBe(WebSocket.CLOSING);
    expect(socket.isClosing()).toBe(true);
    expect(native.closeCalls).toEqual([{ code: 1000, reason: 'bye' }]);
    await flush();
    expect(socket.readyState).toBe(WebSocket.CLOSED);
    expect(socket.isClosed()).toBe(true);
    expect(log).toEqual(['open', 'message "hello"', 'close 1000 true false']);
    expect(handled).toEqual(['onopen', 'onclose 1000 bye']);
  });

  it('validates close() arguments as the WHATWG API does', () => {
    const socket = make();
    expect(() => socket.close(1001)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    expect(() => socket.close(5000)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    expect(() => socket.close(1000, 'é'.repeat(62))).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(() => socket.close(3000, 'x'.repeat(123))).not.toThrow();
  });

  it('has the ready-state constants on the constructor and the prototype, read-only and enumerable', () => {
    const socket = make();
    expect([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED]).toEqual([0, 1, 2, 3]);
    expect(Object.hasOwn(socket, 'OPEN')).toBe(false);
    expect(Object.getOwnPropertyDescriptor(WebSocket.prototype, 'CLOSED')).toEqual({ value: 3, writable: false, enumerable: true, configurable: false });
    expect(Object.getOwnPropertyDescriptor(WebSocket, 'OPEN')).toEqual({ value: 1, writable: false, enumerable: true, configurable: false });
  });

  it('ignores a binaryType it does not know, as the WHATWG attribute does', () => {
    const socket = make();
    socket.binaryType = 'blob';
    socket.binaryType = 'nodebuffer' as 'blob';
    expect([socket.binaryType, FakeWebSocket.last.binaryType]).toEqual(['blob', 'blob']);
  });

  it('rejects a bad URL, a bad option or a missing constructor at once', () => {
    expect(() => make('ftp://example.test/')).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(() => make('wss://example.test/#top')).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(() => make(undefined, { maxRetries: 3 } as WebSocketOptions)).toThrow(/options\.maxRetries: .*reconnect: \{ maxRetries \}/);
    expect(() => make(undefined, { maxQueuedMessages: -1 })).toThrow(RangeError);
    expect(() => new WebSocket('wss://x/', undefined, { WebSocket: undefined, environment: page })).toThrow(/options\.WebSocket/);
  });
});

describe('reconnect', () => {
  it('fires reconnected after a retry opens, and resets the count once it stayed open minUptimeMs', async () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(1001, 'restart', true);
    vi.advanceTimersByTime(500);
    await refuse();
    expect(socket.retryCount).toBe(2);
    vi.advanceTimersByTime(1000);
    FakeWebSocket.last.serverOpen();
    vi.advanceTimersByTime(4999);
    expect(socket.retryCount).toBe(2);
    vi.advanceTimersByTime(1);
    expect(socket.retryCount).toBe(0);
    expect(log).toEqual([
      'open',
      'close 1001 true true',
      'reconnect 1 500',
      'error WS_ERR_NETWORK',
      'close 1006 false true',
      'reconnect 2 1000',
      'open',
      'reconnected 2',
    ]);
  });

  it('does not reconnect after close(), even while waiting for a retry', async () => {
    const socket = make();
    await refuse();
    expect(log.at(-1)).toBe('reconnect 1 500');
    socket.close();
    await flush();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances.length).toBe(1);
    expect(log.at(-1)).toBe('close 1005 true false');
    expect(() => socket.send('late')).toThrow(expect.objectContaining({ code: 'WS_ERR_CLOSED' }));
    await expect(socket.sendAsync('late')).rejects.toMatchObject({ code: 'WS_ERR_CLOSED' });
  });

  it('ends an attempt at a native error without waiting for its close, and retries', () => {
    make(undefined, { connectTimeoutMs: 60_000 });
    FakeWebSocket.last.serverError();
    expect(log).toEqual(['error WS_ERR_NETWORK', 'close 1006 false true', 'reconnect 1 500']);
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('calls a subprotocols provider before each attempt, the first one after the constructor returns', async () => {
    let n = 0;
    make(undefined, { protocols: async () => [`v${++n}`] });
    expect(FakeWebSocket.instances).toHaveLength(0);
    await flush();
    await refuse();
    vi.advanceTimersByTime(500);
    await flush();
    expect(FakeWebSocket.instances.map((s) => s.protocols)).toEqual([['v1'], ['v2']]);
  });

  it('abandons an attempt that does not open within connectTimeoutMs, and retries', async () => {
    make(undefined, { connectTimeoutMs: 2000 });
    vi.advanceTimersByTime(1999);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['error WS_ERR_CONNECT_TIMEOUT', 'close 1006 false true', 'reconnect 1 500']);
    expect(FakeWebSocket.instances[0]?.closeCalls.length).toBe(1);
  });
});

describe('reconnect()', () => {
  it('closes the connection with its code and reason, and connects again at once with a fresh URL', async () => {
    let token = 0;
    const socket = make(() => `wss://example.test/feed?token=${++token}`);
    await flush();
    FakeWebSocket.last.serverOpen();
    const first = FakeWebSocket.last;
    socket.send('x');
    socket.reconnect(4000, 'new token');
    expect(first.closeCalls).toEqual([{ code: 4000, reason: 'new token' }]);
    await flush();
    expect([FakeWebSocket.last.url, socket.url]).toEqual(['wss://example.test/feed?token=2', 'wss://example.test/feed?token=2']);
    socket.send('queued');
    FakeWebSocket.last.serverOpen();
    expect(FakeWebSocket.last.sent).toEqual(['queued']);
    expect(log).toEqual(['open', 'close 4000 false true', 'open']);
    expect(() => socket.reconnect(1001)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
  });

  it('reopens after close(), with page listeners, sends and for await working again', async () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    socket.close();
    await flush();
    expect(socket.isClosed()).toBe(true);
    socket.reconnect();
    expect(socket.readyState).toBe(WebSocket.CONNECTING);
    const messages = socket[Symbol.asyncIterator]();
    socket.send('again');
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverMessage('back');
    await expect(messages.next()).resolves.toEqual({ done: false, value: 'back' });
    expect(FakeWebSocket.last.sent).toEqual(['again']);
    page.window.dispatchEvent(new Event('pagehide'));
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: 1000, reason: 'page unloaded' }]);
  });

  it('startClosed: CLOSED and nothing dialed until reconnect()', () => {
    const socket = make(undefined, { startClosed: true });
    expect([socket.readyState, FakeWebSocket.instances.length]).toEqual([WebSocket.CLOSED, 0]);
    expect(() => socket.send('early')).toThrow(expect.objectContaining({ code: 'WS_ERR_CLOSED', message: expect.stringMatching(/reconnect\(\)/) }));
    socket.reconnect();
    FakeWebSocket.last.serverOpen();
    expect(log).toEqual(['open']);
  });
});

describe('online/offline and page lifecycle', () => {
  it('closes (1000, page hidden) while hidden (closeOnHidden) and reconnects when visible', async () => {
    const socket = make(undefined, { closeOnHidden: true });
    FakeWebSocket.last.serverOpen();
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: 1000, reason: 'page hidden' }]);
    await flush();
    vi.advanceTimersByTime(600_000);
    expect(FakeWebSocket.instances.length).toBe(1);
    expect(socket.isConnecting()).toBe(true);
    socket.send('while hidden');
    page.document.visibilityState = 'visible';
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(FakeWebSocket.instances.length).toBe(2);
    FakeWebSocket.last.serverOpen();
    expect(FakeWebSocket.last.sent).toEqual(['while hidden']);
    expect(log).toEqual(['open', 'close 1000 true true', 'reconnect 1 0', 'open', 'reconnected 1']);
  });

  it('closes (1000, page unloaded) on pagehide and reconnects on a back/forward-cache pageshow', async () => {
    make();
    FakeWebSocket.last.serverOpen();
    page.window.dispatchEvent(new Event('pagehide'));
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: 1000, reason: 'page unloaded' }]);
    await flush();
    pageshow(page, false);
    expect(FakeWebSocket.instances.length).toBe(1);
    pageshow(page, true);
    expect(FakeWebSocket.instances.length).toBe(2);
  });

  it('removes its page listeners once closed for good', async () => {
    const socket = make();
    socket.close();
    await flush();
    page.window.dispatchEvent(new Event('online'));
    pageshow(page, true);
    expect(FakeWebSocket.instances.length).toBe(1);
  });
});

describe('sending', () => {
  it('queues while connecting and flushes in order before open listeners send', () => {
    const socket = make();
    socket.send('one');
    socket.send(new Uint8Array([1, 2]));
    expect(socket.queuedMessages).toBe(2);
    expect(socket.bufferedAmount).toBe(5);
    socket.addEventListener('open', () => socket.send('from open'));
    FakeWebSocket.last.serverOpen();
    expect(FakeWebSocket.last.sent).toEqual(['one', new Uint8Array([1, 2]), 'from open']);
    expect(socket.queuedMessages).toBe(0);
  });

  it('counts UTF-8 bytes against maxQueuedBytes', async () => {
    const socket = make(undefined, { maxQueuedBytes: 5 });
    socket.send('éé');
    expect(() => socket.send('xx')).toThrow(expect.objectContaining({ code: 'WS_ERR_QUEUE_FULL' }));
    socket.send('x');
    await expect(socket.sendAsync(new Uint8Array(1))).rejects.toMatchObject({ code: 'WS_ERR_QUEUE_FULL' });
  });

  it('reports queued messages dropped by close() instead of losing them silently', async () => {
    const socket = make();
    socket.send('a');
    socket.send('b');
    const pending = socket.sendAsync('c');
    socket.close();
    await expect(pending).rejects.toMatchObject({ code: 'WS_ERR_NOT_SENT' });
    expect(log).toEqual(['error WS_ERR_NOT_SENT', 'close 1006 false false']);
  });

  it('throws TypeError for data send() cannot take', () => {
    const socket = make();
    expect(() => socket.send(42 as unknown as string)).toThrow(TypeError);
  });

  it('sendAsync rejects with WS_ERR_NOT_SENT when the connection closes first', async () => {
    const socket = make();
    const native = FakeWebSocket.last;
    native.serverOpen();
    native.bufferedAmount = 10;
    const pending = socket.sendAsync('abc');
    native.serverClose(1006, '', false);
    await expect(pending).rejects.toMatchObject({ code: 'WS_ERR_NOT_SENT', closeCode: 1006 });
  });
});

describe('JSON', () => {
  it("parse: 'json' dispatches parsed messages, and an error event with the raw text for bad JSON", () => {
    const socket = make<unknown>(undefined, { parse: 'json' });
    const events: unknown[] = [];
    socket.onmessage = (event) => events.push(event.data);
    socket.onerror = (event) => events.push([event.error.code, (event.error as InvalidJsonError).text, event.message === event.error.message]);
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverMessage('{"a":1}');
    FakeWebSocket.last.serverMessage('{oops');
    FakeWebSocket.last.serverMessage('[true]');
    expect(events).toEqual([{ a: 1 }, ['WS_ERR_INVALID_JSON', '{oops', true], [true]]);
    expect(socket.isOpen()).toBe(true);
  });

  it('json() sends JSON text and refuses what JSON cannot encode', () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    socket.json({ type: 'hello', n: [1, 2] });
    expect(FakeWebSocket.last.sent).toEqual(['{"type":"hello","n":[1,2]}']);
    expect(() => socket.json(undefined)).toThrow(TypeError);
  });
});

describe('async iteration', () => {
  it('keeps iterating across reconnects and throws WS_ERR_GAVE_UP when giving up', async () => {
    const socket = make(undefined, { reconnect: { maxRetries: 1 } });
    FakeWebSocket.last.serverOpen();
    const received: unknown[] = [];
    const loop = (async () => {
      for await (const data of socket) received.push(data);
    })();
    FakeWebSocket.last.serverMessage('before');
    FakeWebSocket.last.serverClose(1006, '', false);
    vi.advanceTimersByTime(500);
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverMessage('after');
    vi.advanceTimersByTime(5000); // open minUptimeMs: the retry count starts over
    FakeWebSocket.last.serverClose(1006, '', false);
    vi.advanceTimersByTime(500);
    await refuse();
    await expect(loop).rejects.toMatchObject({ code: 'WS_ERR_GAVE_UP', closeCode: 1006 });
    expect(received).toEqual(['before', 'after']);
    expect(log.slice(-3)).toEqual(['error WS_ERR_NETWORK', 'giveup 1 1006', 'close 1006 false false']);
    expect(socket.readyState).toBe(WebSocket.CLOSED);
  });

  it('throws WS_ERR_CLOSED_ABNORMALLY after an abnormal final close, in message order', async () => {
    const socket = make(undefined, { reconnect: false });
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverMessage('last');
    FakeWebSocket.last.serverClose(1006, '', false);
    const iterator = socket[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'WS_ERR_CLOSED_ABNORMALLY' });
  });
});

describe('connect()', () => {
  it('resolves with the open socket', async () => {
    const pending = connect('wss://example.test/', { WebSocket: FakeWebSocket, environment: page });
    FakeWebSocket.last.serverOpen('v1');
    const socket = await pending;
    expect(socket.isOpen()).toBe(true);
    expect(socket.protocol).toBe('v1');
  });

  it('rejects with WS_ERR_CONNECTION_FAILED and the close code when reconnect is off', async () => {
    const pending = connect('wss://example.test/', { WebSocket: FakeWebSocket, environment: page, reconnect: false });
    await refuse();
    await expect(pending).rejects.toMatchObject({ code: 'WS_ERR_CONNECTION_FAILED', closeCode: 1006 });
  });

  it('rejects a bad URL with a SyntaxError, and startClosed with a TypeError', async () => {
    await expect(connect('gopher://x/', { WebSocket: FakeWebSocket, environment: page })).rejects.toMatchObject({ name: 'SyntaxError' });
    await expect(connect('wss://x/', { WebSocket: FakeWebSocket, environment: page, startClosed: true })).rejects.toThrow(/reconnect\(\)/);
  });

  it('suppresses the error a browser fires for close() during CONNECTING', async () => {
    const socket = make();
    socket.close();
    FakeWebSocket.last.serverError();
    await flush();
    expect(log).toEqual(['close 1006 false false']);
    expect(socket.isClosed()).toBe(true);
  });
});

describe('close event', () => {
  it('carries code, reason and wasClean of each connection', async () => {
    const socket = make(undefined, { reconnect: { finalCloseCodes: [4001] } });
    const events: WebSocketCloseEvent[] = [];
    socket.addEventListener('close', (event) => events.push(event));
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(1012, 'restarting', true);
    vi.advanceTimersByTime(500);
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(4001, 'kicked', true);
    expect(events.map((e) => [e.code, e.reason, e.wasClean, e.willReconnect])).toEqual([
      [1012, 'restarting', true, true],
      [4001, 'kicked', true, false],
    ]);
  });
});
