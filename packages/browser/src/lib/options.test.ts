import { describe, expect, it } from 'vitest';
import { FakeWebSocket } from '../../test/fake-websocket.ts';
import { checkChoice, checkCount, finalCodePredicate, resolveOptions } from './options.ts';
import type { ProtocolsSource, WebSocketOptions } from './options.ts';

const resolve = (options: WebSocketOptions = {}, protocols?: ProtocolsSource) => resolveOptions(protocols, { WebSocket: FakeWebSocket, ...options });

describe('resolveOptions', () => {
  it('fills in the documented defaults', () => {
    const resolved = resolve({ environment: {} });
    expect(resolved).toMatchObject({
      Native: FakeWebSocket,
      protocols: undefined,
      parseJson: false,
      binaryType: 'arraybuffer',
      connectTimeoutMs: 10_000,
      maxQueuedMessages: 100,
      maxQueuedBytes: 1024 * 1024,
      closeOnHidden: false,
      closeOnPageHide: true,
      startClosed: false,
      reconnect: { enabled: true, backoff: { minDelayMs: 1000, maxDelayMs: 30_000, factor: 2 }, maxRetries: Infinity, minUptimeMs: 5000, random: Math.random },
    });
  });

  it('takes the constructor’s protocols over options.protocols, as a copy', () => {
    const offered = ['a', 'b'];
    const resolved = resolve({ protocols: ['x'] }, offered);
    expect(resolved.protocols).toEqual(['a', 'b']);
    expect(resolved.protocols).not.toBe(offered);
    expect(resolve({ protocols: 'x' }).protocols).toBe('x');
    const provider = (): string[] => ['p'];
    expect(resolve({}, provider).protocols).toBe(provider);
    expect(() => resolve({ protocols: 42 as unknown as string })).toThrow(/protocols must be/);
    expect(() => resolve({ protocols: ['a', 1] as unknown as string[] })).toThrow(TypeError);
  });

  it('rejects bad options at once, naming them', () => {
    expect(() => resolve({ maxQueuedMessages: -1 })).toThrow(RangeError);
    expect(() => resolve({ reconnect: { factor: 0.5 } })).toThrow(/reconnect\.factor/);
    expect(() => resolve({ reconnect: { minDelayMs: 10, maxDelayMs: 5 } })).toThrow(/maxDelayMs/);
    expect(() => resolve({ reconnect: { maxRetries: 1.5 } })).toThrow(/reconnect\.maxRetries/);
    expect(() => resolve({ binaryType: 'nodebuffer' as 'blob' })).toThrow(/binaryType/);
    expect(() => resolve({ parse: 'xml' as 'json' })).toThrow(/parse/);
    expect(() => resolve({ connectTimeoutMs: Number.NaN })).toThrow(/connectTimeoutMs/);
    expect(() => resolve({ random: 0.5 as unknown as () => number })).toThrow(/random/);
    expect(() => resolveOptions(undefined, { WebSocket: undefined })).toThrow(/options\.WebSocket/);
    expect(() => resolve({ reconnect: { minUptimeMs: -1 } })).toThrow(/reconnect\.minUptimeMs/);
    expect(() => resolve({ reconnect: 'yes' as unknown as boolean })).toThrow(/reconnect must be/);
    expect(() => resolve({ startClosed: 'yes' as unknown as boolean })).toThrow(/startClosed must be true or false/);
    expect(() => resolve({ closeOnPageHide: 0 as unknown as boolean })).toThrow(/closeOnPageHide/);
  });

  it('throws a TypeError for an unknown key, naming it, and lists the known ones', () => {
    expect(() => resolve({ retry: true } as WebSocketOptions)).toThrow(TypeError);
    expect(() => resolve({ retry: true } as WebSocketOptions)).toThrow(/^Unknown option options\.retry: the known ones are protocols, WebSocket, /);
    expect(() => resolve({ reconnect: { delay: 1 } } as WebSocketOptions)).toThrow(/^Unknown option options\.reconnect\.delay: the known ones are minDelayMs/);
    expect(() => resolve({ environment: { window: undefined, screen: {} } } as WebSocketOptions)).toThrow(/options\.environment\.screen/);
  });

  it("says what to write instead of reconnecting-websocket's and partysocket's options", () => {
    const hints: [string, RegExp][] = [
      ['maxRetries', /reconnect: \{ maxRetries \}/],
      ['minReconnectionDelay', /reconnect: \{ minDelayMs \}/],
      ['maxReconnectionDelay', /reconnect: \{ maxDelayMs \}/],
      ['reconnectionDelayGrowFactor', /reconnect: \{ factor \}/],
      ['minUptime', /reconnect: \{ minUptimeMs \}/],
      ['connectionTimeout', /connectTimeoutMs/],
      ['maxEnqueuedMessages', /maxQueuedMessages/],
      ['debug', /no debug output/],
      ['host', /URL provider/],
      ['headers', /URL provider/],
    ];
    for (const [key, hint] of hints) expect(() => resolve({ [key]: 1 } as WebSocketOptions)).toThrow(new RegExp(`options\\.${key}: .*${hint.source}`));
    expect(() => resolve({ reconnect: { minReconnectionDelay: 1 } } as WebSocketOptions)).toThrow('Unknown option options.reconnect.minReconnectionDelay: use minDelayMs');
    expect(() => resolve({ startClosed: true, connectTimeoutMs: 0 })).not.toThrow();
  });
});

describe('finalCodePredicate', () => {
  it('defaults to none: every close the client did not ask for is retried', () => {
    const isFinal = finalCodePredicate(undefined);
    expect([1000, 1001, 1008, 3999, 4000, 4999].map((code) => isFinal(code, ''))).toEqual([false, false, false, false, false, false]);
  });

  it('takes a list or a predicate, and refuses anything else', () => {
    expect(finalCodePredicate([4001])(4001, '')).toBe(true);
    expect(finalCodePredicate([4001])(1008, '')).toBe(false);
    expect(finalCodePredicate((code, reason) => reason === 'done')(1000, 'done')).toBe(true);
    expect(() => finalCodePredicate(4001 as unknown as number[])).toThrow(/finalCloseCodes/);
  });
});

describe('checks', () => {
  it('checkCount takes whole numbers ≥ 0, and Infinity only when allowed', () => {
    expect(checkCount('n', 0, false)).toBe(0);
    expect(checkCount('n', Infinity, true)).toBe(Infinity);
    expect(() => checkCount('n', Infinity, false)).toThrow(/n must be a whole number ≥ 0, got Infinity/);
    expect(() => checkCount('n', '1', false)).toThrow(TypeError);
  });

  it('checkChoice names the choices', () => {
    expect(checkChoice('mode', 'a', ['a', 'b'])).toBe('a');
    expect(() => checkChoice('mode', 'c', ['a', 'b'])).toThrow("mode must be one of 'a', 'b', got c");
  });
});
