import { beforeEach, describe, expect, it } from 'vitest';
import { FakeWebSocket, fakePage, flush } from '../../test/fake-websocket.ts';
import { ManualTimers } from '../../test/manual-timers.ts';
import { Attempt } from './attempt.ts';
import type { AttemptSettings } from './attempt.ts';
import type { UrlSource } from './options.ts';

let timers: ManualTimers;
let log: string[];

/** An attempt on a fake page at https://example.test/app/, logging what it reports. */
function start(source: UrlSource, settings: Partial<AttemptSettings> = {}, rethrow = false): Attempt {
  const attempt = new Attempt(
    { Native: FakeWebSocket, protocols: ['v1'], environment: fakePage(), connectTimeoutMs: 0, timers, binaryType: () => 'arraybuffer', ...settings },
    {
      dialing: (url) => log.push(`dialing ${url}`),
      open: (native) => log.push(`open ${native === FakeWebSocket.last}`),
      message: (data) => log.push(`message ${String(data)}`),
      error: (error) => log.push(`error ${error.code}`),
      close: (code, reason, wasClean) => log.push(`close ${code} ${reason} ${wasClean}`),
      failed: (error) => log.push(`failed ${error.code} ${error.name}`),
    },
  );
  attempt.start(source, rethrow);
  return attempt;
}

beforeEach(() => {
  FakeWebSocket.instances = [];
  timers = new ManualTimers();
  log = [];
});

describe('dialing', () => {
  it('resolves the URL against the page, offers the protocols and sets binaryType', () => {
    const attempt = start('/feed?x=1', { binaryType: () => 'blob' });
    const native = FakeWebSocket.last;
    expect([native.url, native.protocols, native.binaryType]).toEqual(['wss://example.test/feed?x=1', ['v1'], 'blob']);
    expect(attempt.native).toBe(native);
    expect(log).toEqual(['dialing wss://example.test/feed?x=1']);
  });

  it('relays the native events while it is current, and nothing once the socket closed', () => {
    start('wss://example.test/');
    const native = FakeWebSocket.last;
    native.serverOpen();
    native.serverMessage('hi');
    native.serverError();
    native.serverClose(1011, 'oops', true);
    native.serverMessage('late');
    expect(log.slice(1)).toEqual(['open true', 'message hi', 'error WS_ERR_NETWORK', 'close 1011 oops true']);
    expect(native.onmessage).toBeNull();
  });

  it('stops relaying once abandoned, and drops a pending provider result', async () => {
    const first = start('wss://example.test/');
    first.abandon();
    FakeWebSocket.last.serverOpen();
    expect(first.native).toBeUndefined();
    const second = start(async () => 'wss://example.test/late');
    second.abandon();
    await flush();
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(log).toEqual(['dialing wss://example.test/']);
  });

  it('rethrows the native constructor’s exception only when asked to', () => {
    class Refusing extends FakeWebSocket {
      constructor(url: string) {
        super(url);
        throw new DOMException('bad subprotocol', 'SyntaxError');
      }
    }
    expect(() => start('wss://example.test/', { Native: Refusing }, true)).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    start('wss://example.test/', { Native: Refusing });
    expect(log.at(-1)).toBe('failed WS_ERR_INVALID_URL BrowserError');
  });
});

describe('URL providers', () => {
  it('calls a sync or async provider once per attempt', async () => {
    let token = 0;
    const provider = (): string => `wss://example.test/feed?token=${++token}`;
    start(provider);
    start(provider);
    start(async () => new URL(`/auth?csrf=${++token}`, 'https://example.test/'));
    await flush();
    expect(FakeWebSocket.instances.map((s) => s.url)).toEqual([
      'wss://example.test/feed?token=1',
      'wss://example.test/feed?token=2',
      'wss://example.test/auth?csrf=3',
    ]);
  });

  it('fails with WS_ERR_URL_PROVIDER when the provider throws or rejects, keeping the cause', async () => {
    const cause = new Error('no token');
    const attempts: unknown[] = [];
    const attempt = new Attempt(
      { Native: FakeWebSocket, protocols: undefined, environment: {}, connectTimeoutMs: 0, timers, binaryType: () => 'arraybuffer' },
      { dialing: () => {}, open: () => {}, message: () => {}, error: () => {}, close: () => {}, failed: (error) => attempts.push(error) },
    );
    attempt.start(() => {
      throw cause;
    }, false);
    start(() => Promise.reject(new Error('fetch failed')));
    await flush();
    expect(attempts).toEqual([expect.objectContaining({ code: 'WS_ERR_URL_PROVIDER', cause })]);
    expect(log).toEqual(['failed WS_ERR_URL_PROVIDER BrowserError']);
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('fails with WS_ERR_INVALID_URL when the provider returns something that is not a socket URL', async () => {
    start(() => 'ftp://example.test/');
    start(async () => 42 as unknown as string);
    await flush();
    expect(log).toEqual(['failed WS_ERR_INVALID_URL BrowserError', 'failed WS_ERR_INVALID_URL BrowserError']);
  });
});

describe('connect timeout', () => {
  it('abandons an attempt that does not open within connectTimeoutMs', () => {
    start('wss://example.test/', { connectTimeoutMs: 2000 });
    const native = FakeWebSocket.last;
    timers.advance(1999);
    expect(log).toEqual(['dialing wss://example.test/']);
    timers.advance(1);
    expect(log.slice(1)).toEqual(['failed WS_ERR_CONNECT_TIMEOUT BrowserError']);
    expect(native.closeCalls).toHaveLength(1);
    expect(native.onclose).toBeNull();
  });

  it('is cancelled by open', () => {
    start('wss://example.test/', { connectTimeoutMs: 2000 });
    FakeWebSocket.last.serverOpen();
    timers.advance(10_000);
    expect(log.slice(1)).toEqual(['open true']);
    expect(timers.pending).toBe(0);
  });
});

describe('a native error before open', () => {
  it('ends the attempt at once, without waiting for a close that may never come', () => {
    start('wss://example.test/', { connectTimeoutMs: 60_000 });
    const native = FakeWebSocket.last;
    native.serverError();
    expect(log.slice(1)).toEqual(['failed WS_ERR_NETWORK BrowserError']);
    expect(timers.pending).toBe(0);
    native.serverClose(1006, '', false);
    expect(log).toHaveLength(2);
  });
});

describe('subprotocols', () => {
  it('calls a sync or async provider once per attempt, with the URL provider', async () => {
    let n = 0;
    start('wss://example.test/', { protocols: () => [`v${++n}`] });
    start(async () => 'wss://example.test/b', { protocols: async () => `v${++n}` });
    start('wss://example.test/c', { protocols: () => null });
    await flush();
    expect(FakeWebSocket.instances.map((s) => [s.url, s.protocols])).toEqual([
      ['wss://example.test/', ['v1']],
      ['wss://example.test/c', undefined],
      ['wss://example.test/b', 'v2'],
    ]);
  });

  it('fails with WS_ERR_PROTOCOLS_PROVIDER when the provider throws, rejects or returns something unusable', async () => {
    start('wss://example.test/', {
      protocols: () => {
        throw new Error('no');
      },
    });
    start('wss://example.test/', { protocols: () => Promise.reject(new Error('no')) });
    start('wss://example.test/', { protocols: () => 42 as unknown as string });
    start('wss://example.test/', { protocols: () => ['ok', 7] as unknown as string[] });
    await flush();
    expect(log).toEqual(Array.from({ length: 4 }, () => 'failed WS_ERR_PROTOCOLS_PROVIDER BrowserError'));
    expect(FakeWebSocket.instances).toHaveLength(0);
  });
});

describe('close()', () => {
  it('closes the native socket and keeps relaying until its close', async () => {
    const attempt = start('wss://example.test/');
    FakeWebSocket.last.serverOpen();
    expect(attempt.close(4000, 'bye')).toBe(true);
    await flush();
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: 4000, reason: 'bye' }]);
    expect(log.at(-1)).toBe('close 4000 bye true');
  });

  it('without a native socket yet, abandons the attempt and says no close follows', async () => {
    const attempt = start(async () => 'wss://example.test/');
    expect(attempt.close()).toBe(false);
    await flush();
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(log).toEqual([]);
  });
});
