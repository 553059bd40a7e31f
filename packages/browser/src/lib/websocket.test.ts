import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, fakePage, flush, pageshow } from '../../test/fake-websocket.ts';
import type { FakePage } from '../../test/fake-websocket.ts';
import { WebSocket, connect } from './websocket.ts';
import type { WebSocketOptions } from './options.ts';
import type { WebSocketCloseEvent, WebSocketErrorEvent } from './events.ts';
import type { InvalidJsonError } from './errors.ts';

let page: FakePage;
let log: string[];

/** A socket on the fake page with a recorded event log; random 0.5 makes jitter exact. */
function make<T = string | ArrayBuffer | Blob>(url: Parameters<typeof connect>[0] = 'wss://example.test/feed', options: WebSocketOptions = {}): WebSocket<T> {
  const socket = new WebSocket<T>(url, undefined, { WebSocket: FakeWebSocket, environment: page, random: () => 0.5, ...options });
  for (const type of ['open', 'close', 'error', 'reconnect', 'reconnected', 'giveup', 'message'] as const) {
    socket.addEventListener(type, (event: Event) => {
      const e = event as Event & Record<string, unknown>;
      if (type === 'close') log.push(`close ${String(e.code)} ${String(e.wasClean)} ${String(e.willReconnect)}`);
      else if (type === 'error') log.push(`error ${(e as unknown as WebSocketErrorEvent).error.code}`);
      else if (type === 'reconnect') log.push(`reconnect ${String(e.attempt)} ${String(e.delayMs)}`);
      else if (type === 'reconnected') log.push(`reconnected ${String(e.attempt)}`);
      else if (type === 'giveup') log.push(`giveup ${String(e.attempts)} ${String(e.code)}`);
      else if (type === 'message') log.push(`message ${JSON.stringify(e.data)}`);
      else log.push(type);
    });
  }
  return socket;
}

/** Makes the current attempt fail the way a refused connection does in a browser. */
async function refuse(): Promise<void> {
  FakeWebSocket.last.serverError();
  FakeWebSocket.last.serverClose(1006, '', false);
  await flush();
}

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

  it('rejects bad options at once, naming them', () => {
    expect(() => make(undefined, { maxQueuedMessages: -1 })).toThrow(RangeError);
    expect(() => make(undefined, { reconnect: { factor: 0.5 } })).toThrow(/reconnect\.factor/);
    expect(() => make(undefined, { reconnect: { minDelayMs: 10, maxDelayMs: 5 } })).toThrow(/maxDelayMs/);
    expect(() => make(undefined, { binaryType: 'nodebuffer' as 'blob' })).toThrow(/binaryType/);
    expect(() => make('ftp://example.test/')).toThrow(TypeError);
    expect(() => new WebSocket('wss://x/', undefined, { WebSocket: undefined, environment: page })).toThrow(/options\.WebSocket/);
  });
});

describe('reconnect', () => {
  it('waits exact full-jitter delays: floor(random × min(max, min × factor^(n−1)))', async () => {
    make(undefined, { reconnect: { minDelayMs: 1000, maxDelayMs: 5000, factor: 2 } });
    const expected = [500, 1000, 2000, 2500, 2500];
    for (const [i, delay] of expected.entries()) {
      await refuse();
      expect(log.at(-1)).toBe(`reconnect ${i + 1} ${delay}`);
      const count = FakeWebSocket.instances.length;
      vi.advanceTimersByTime(delay - 1);
      expect(FakeWebSocket.instances.length).toBe(count);
      vi.advanceTimersByTime(1);
      expect(FakeWebSocket.instances.length).toBe(count + 1);
    }
  });

  it('uses the injected random for jitter', async () => {
    const values = [0, 0.999, 0.25];
    make(undefined, { random: () => values.shift() ?? 0, reconnect: { minDelayMs: 100, factor: 3 } });
    await refuse();
    vi.advanceTimersByTime(0);
    await refuse();
    vi.advanceTimersByTime(299);
    await refuse();
    expect(log.filter((line) => line.startsWith('reconnect'))).toEqual(['reconnect 1 0', 'reconnect 2 299', 'reconnect 3 225']);
  });

  it('fires reconnected after a retry opens, and resets the count', async () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(1001, 'restart', true);
    vi.advanceTimersByTime(500);
    await refuse();
    expect(socket.retryCount).toBe(2);
    vi.advanceTimersByTime(1000);
    FakeWebSocket.last.serverOpen();
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

  it('still reconnects when an onclose handler throws (the exception is reported, not swallowed)', async () => {
    const socket = make();
    socket.onclose = () => {
      throw new Error('handler bug');
    };
    const reported: unknown[] = [];
    // Run queued microtasks at once and catch what they throw, instead of crashing the test run.
    const spy = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      try {
        task();
      } catch (error) {
        reported.push(error);
      }
    });
    try {
      FakeWebSocket.last.serverOpen();
      FakeWebSocket.last.serverClose(1006, '', false);
    } finally {
      spy.mockRestore();
    }
    expect(log).toEqual(['open', 'close 1006 false true', 'reconnect 1 500']);
    expect(reported).toEqual([expect.objectContaining({ message: 'handler bug' })]);
  });

  it('gives up after maxRetries with giveup, then a final close', async () => {
    const socket = make(undefined, { reconnect: { maxRetries: 2 } });
    const onreconnect = vi.fn();
    const ongiveup = vi.fn();
    socket.onreconnect = onreconnect;
    socket.ongiveup = ongiveup;
    await refuse();
    vi.advanceTimersByTime(500);
    await refuse();
    vi.advanceTimersByTime(1000);
    await refuse();
    expect(FakeWebSocket.instances.length).toBe(3);
    expect(log.slice(-3)).toEqual(['error WS_ERR_NETWORK', 'giveup 2 1006', 'close 1006 false false']);
    expect(onreconnect).toHaveBeenCalledTimes(2);
    expect(ongiveup).toHaveBeenCalledTimes(1);
    expect(socket.readyState).toBe(WebSocket.CLOSED);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances.length).toBe(3);
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
  });

  it('treats 1008 and 4000–4999 as final by default, and honours finalCloseCodes', async () => {
    const a = make();
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(1008, 'expired', true);
    expect(a.readyState).toBe(WebSocket.CLOSED);
    const b = make();
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(4403, 'banned', true);
    expect(b.readyState).toBe(WebSocket.CLOSED);
    const c = make(undefined, { reconnect: { finalCloseCodes: [] } });
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(4403, 'banned', true);
    expect(c.readyState).toBe(WebSocket.CONNECTING);
    const d = make(undefined, { reconnect: { finalCloseCodes: (code, reason) => code === 1000 && reason === 'done' } });
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(1000, 'done', true);
    expect(d.readyState).toBe(WebSocket.CLOSED);
  });

  it('does not reconnect with reconnect: false', async () => {
    const socket = make(undefined, { reconnect: false });
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(1001, '', true);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances.length).toBe(1);
    expect(socket.isClosed()).toBe(true);
  });

  it('re-reads the URL provider on each attempt, sync or async', async () => {
    let token = 0;
    make(() => `wss://example.test/feed?token=${++token}`);
    await flush();
    await refuse();
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.instances.map((s) => s.url)).toEqual(['wss://example.test/feed?token=1', 'wss://example.test/feed?token=2']);
    FakeWebSocket.instances = [];
    make(async () => new URL(`/auth?csrf=${++token}`, 'https://example.test/'));
    await flush();
    await refuse();
    vi.advanceTimersByTime(500);
    await flush();
    expect(FakeWebSocket.instances.map((s) => s.url)).toEqual(['wss://example.test/auth?csrf=3', 'wss://example.test/auth?csrf=4']);
  });

  it('reports a failing URL provider as an error and retries', async () => {
    let calls = 0;
    const socket = make(() => {
      calls++;
      if (calls === 1) throw new Error('no token');
      return calls === 2 ? Promise.reject(new Error('fetch failed')) : 'wss://example.test/ok';
    });
    await flush();
    expect(log).toEqual(['error WS_ERR_URL_PROVIDER', 'close 1006 false true', 'reconnect 1 500']);
    vi.advanceTimersByTime(500);
    await flush();
    expect(log.slice(3)).toEqual(['error WS_ERR_URL_PROVIDER', 'close 1006 false true', 'reconnect 2 1000']);
    vi.advanceTimersByTime(1000);
    expect(socket.url).toBe('wss://example.test/ok');
    expect(FakeWebSocket.instances.length).toBe(1);
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

describe('online/offline and page lifecycle', () => {
  it('does not burn retries while offline, and reconnects at once when back online', async () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    page.navigator.onLine = false;
    page.window.dispatchEvent(new Event('offline'));
    FakeWebSocket.last.serverClose(1006, '', false);
    vi.advanceTimersByTime(600_000);
    expect(FakeWebSocket.instances.length).toBe(1);
    expect(socket.retryCount).toBe(0);
    expect(socket.isConnecting()).toBe(true);
    page.navigator.onLine = true;
    page.window.dispatchEvent(new Event('online'));
    expect(FakeWebSocket.instances.length).toBe(2);
    expect(log).toEqual(['open', 'close 1006 false true', 'reconnect 1 0']);
  });

  it('cancels a scheduled retry on offline and gives it back', async () => {
    const socket = make();
    await refuse();
    expect(socket.retryCount).toBe(1);
    page.navigator.onLine = false;
    page.window.dispatchEvent(new Event('offline'));
    expect(socket.retryCount).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances.length).toBe(1);
  });

  it('starts a scheduled retry at once on online', async () => {
    make();
    await refuse();
    page.window.dispatchEvent(new Event('online'));
    expect(FakeWebSocket.instances.length).toBe(2);
  });

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

  it('ignores visibility without closeOnHidden', () => {
    make();
    FakeWebSocket.last.serverOpen();
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(FakeWebSocket.last.closeCalls).toEqual([]);
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

describe('send queue', () => {
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

  it('queues across a reconnect', async () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(1006, '', false);
    socket.send('while down');
    vi.advanceTimersByTime(500);
    FakeWebSocket.last.serverOpen();
    expect(FakeWebSocket.last.sent).toEqual(['while down']);
  });

  it('throws WS_ERR_QUEUE_FULL past maxQueuedMessages, and keeps what was queued', () => {
    const socket = make(undefined, { maxQueuedMessages: 2 });
    socket.send('a');
    socket.send('b');
    expect(() => socket.send('c')).toThrow(expect.objectContaining({ code: 'WS_ERR_QUEUE_FULL' }));
    FakeWebSocket.last.serverOpen();
    expect(FakeWebSocket.last.sent).toEqual(['a', 'b']);
  });

  it('counts UTF-8 bytes against maxQueuedBytes', async () => {
    const socket = make(undefined, { maxQueuedBytes: 5 });
    socket.send('éé');
    expect(() => socket.send('xx')).toThrow(expect.objectContaining({ code: 'WS_ERR_QUEUE_FULL' }));
    socket.send('x');
    await expect(socket.sendAsync(new Uint8Array(1))).rejects.toMatchObject({ code: 'WS_ERR_QUEUE_FULL' });
  });

  it('throws WS_ERR_NOT_OPEN with queueing off', () => {
    const socket = make(undefined, { maxQueuedMessages: 0 });
    expect(() => socket.send('a')).toThrow(expect.objectContaining({ code: 'WS_ERR_NOT_OPEN' }));
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
});

describe('sendAsync', () => {
  it('resolves at once when bufferedAmount is 0', async () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    await expect(socket.sendAsync('x')).resolves.toBeUndefined();
  });

  it('resolves when the bytes of its message have left, not when the buffer refills', async () => {
    const socket = make();
    const native = FakeWebSocket.last;
    native.serverOpen();
    native.bufferedAmount = 100;
    const settled: string[] = [];
    void socket.sendAsync('abc').then(() => settled.push('first'));
    void socket.sendAsync('defg').then(() => settled.push('second'));
    native.bufferedAmount = 5;
    await vi.advanceTimersByTimeAsync(5);
    expect(settled).toEqual([]);
    native.bufferedAmount = 4;
    await vi.advanceTimersByTimeAsync(10);
    expect(settled).toEqual(['first']);
    native.bufferedAmount = 0;
    await vi.advanceTimersByTimeAsync(20);
    expect(settled).toEqual(['first', 'second']);
  });

  it('rejects with WS_ERR_NOT_SENT when the connection closes first', async () => {
    const socket = make();
    const native = FakeWebSocket.last;
    native.serverOpen();
    native.bufferedAmount = 10;
    const pending = socket.sendAsync('abc');
    native.serverClose(1006, '', false);
    await expect(pending).rejects.toMatchObject({ code: 'WS_ERR_NOT_SENT', closeCode: 1006 });
  });

  it('settles a queued message after it was flushed on open', async () => {
    const socket = make();
    const pending = socket.sendAsync('queued');
    FakeWebSocket.last.serverOpen();
    await expect(pending).resolves.toBeUndefined();
    expect(FakeWebSocket.last.sent).toEqual(['queued']);
  });

  it('rejects with WS_ERR_CLOSED after close()', async () => {
    const socket = make();
    socket.close();
    await expect(socket.sendAsync('x')).rejects.toMatchObject({ code: 'WS_ERR_CLOSED' });
  });
});

describe('JSON', () => {
  it('json() sends JSON text and refuses what JSON cannot encode', () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    socket.json({ type: 'hello', n: [1, 2] });
    expect(FakeWebSocket.last.sent).toEqual(['{"type":"hello","n":[1,2]}']);
    expect(() => socket.json(undefined)).toThrow(TypeError);
  });

  it("parse: 'json' parses text, passes binary through, and turns bad JSON into an error with the raw text", () => {
    const socket = make<unknown>(undefined, { parse: 'json' });
    const data: unknown[] = [];
    const errors: InvalidJsonError[] = [];
    socket.onmessage = (event) => data.push(event.data);
    const messages: string[] = [];
    socket.onerror = (event) => {
      errors.push(event.error as InvalidJsonError);
      messages.push(event.message);
    };
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverMessage('{"a":1}');
    FakeWebSocket.last.serverMessage('{oops');
    const bytes = new ArrayBuffer(2);
    FakeWebSocket.last.serverMessage(bytes);
    FakeWebSocket.last.serverMessage('[true]');
    expect(data).toEqual([{ a: 1 }, bytes, [true]]);
    expect(errors.map((e) => [e.code, e.text, e.cause instanceof SyntaxError])).toEqual([['WS_ERR_INVALID_JSON', '{oops', true]]);
    expect(messages).toEqual([errors[0]?.message]);
    expect(socket.isOpen()).toBe(true);
  });
});

describe('async iteration', () => {
  it('yields messages in order, including ones that arrive while the loop is busy, and ends on close()', async () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    const received: unknown[] = [];
    const loop = (async () => {
      for await (const data of socket) {
        received.push(data);
        if (received.length === 3) socket.close();
      }
    })();
    FakeWebSocket.last.serverMessage('a');
    FakeWebSocket.last.serverMessage('b');
    await flush();
    FakeWebSocket.last.serverMessage('c');
    await loop;
    expect(received).toEqual(['a', 'b', 'c']);
  });

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
    FakeWebSocket.last.serverClose(1006, '', false);
    vi.advanceTimersByTime(500);
    await refuse();
    await expect(loop).rejects.toMatchObject({ code: 'WS_ERR_GAVE_UP', closeCode: 1006 });
    expect(received).toEqual(['before', 'after']);
  });

  it('throws WS_ERR_CONNECTION_CLOSED after an abnormal final close, in message order', async () => {
    const socket = make(undefined, { reconnect: false });
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverMessage('last');
    FakeWebSocket.last.serverClose(1006, '', false);
    const iterator = socket[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'WS_ERR_CONNECTION_CLOSED' });
  });

  it("throws the InvalidJsonError in parse: 'json' mode", async () => {
    const socket = make<unknown>(undefined, { parse: 'json' });
    socket.onerror = () => undefined;
    FakeWebSocket.last.serverOpen();
    const iterator = socket[Symbol.asyncIterator]();
    FakeWebSocket.last.serverMessage('1');
    FakeWebSocket.last.serverMessage('nope');
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(iterator.next()).rejects.toMatchObject({ code: 'WS_ERR_INVALID_JSON', text: 'nope' });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('ends the loop on break while the socket stays open, and a new loop gets later messages', async () => {
    const socket = make();
    FakeWebSocket.last.serverOpen();
    const first: unknown[] = [];
    const loop = (async () => {
      for await (const data of socket) {
        first.push(data);
        break;
      }
    })();
    FakeWebSocket.last.serverMessage('only');
    FakeWebSocket.last.serverMessage('ignored');
    await loop;
    expect(first).toEqual(['only']);
    expect(socket.isOpen()).toBe(true);
    const iterator = socket[Symbol.asyncIterator]();
    FakeWebSocket.last.serverMessage('next');
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'next' });
    socket.close();
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
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

  it('retries failed attempts before resolving', async () => {
    const pending = WebSocket.connect('wss://example.test/', { WebSocket: FakeWebSocket, environment: page, random: () => 0 });
    await refuse();
    vi.advanceTimersByTime(0);
    FakeWebSocket.last.serverOpen();
    await expect(pending).resolves.toBeInstanceOf(WebSocket);
  });

  it('rejects with WS_ERR_CONNECT_FAILED and the close code when reconnect is off', async () => {
    const pending = connect('wss://example.test/', { WebSocket: FakeWebSocket, environment: page, reconnect: false });
    await refuse();
    await expect(pending).rejects.toMatchObject({ code: 'WS_ERR_CONNECT_FAILED', closeCode: 1006 });
  });

  it('rejects with WS_ERR_GAVE_UP after maxRetries', async () => {
    const pending = connect('wss://example.test/', { WebSocket: FakeWebSocket, environment: page, random: () => 0, reconnect: { maxRetries: 1 } });
    await refuse();
    vi.advanceTimersByTime(0);
    await refuse();
    await expect(pending).rejects.toMatchObject({ code: 'WS_ERR_GAVE_UP' });
  });

  it('rejects a bad URL with TypeError', async () => {
    await expect(connect('gopher://x/', { WebSocket: FakeWebSocket, environment: page })).rejects.toThrow(TypeError);
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
    const socket = make();
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
