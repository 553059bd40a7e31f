import { describe, expect, it } from 'vitest';
import { FakeWebSocket } from '../../test/fake-websocket.ts';
import { checkChoice, checkCount, finalCodePredicate, resolveOptions } from './options.ts';
import type { WebSocketOptions } from './options.ts';

const resolve = (options: WebSocketOptions = {}, protocols?: string | readonly string[]) => resolveOptions(protocols, { WebSocket: FakeWebSocket, ...options });

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
      reconnect: { enabled: true, backoff: { minDelayMs: 1000, maxDelayMs: 30_000, factor: 2 }, maxRetries: Infinity, random: Math.random },
    });
  });

  it('takes the constructor’s protocols over options.protocols, as a copy', () => {
    const offered = ['a', 'b'];
    const resolved = resolve({ protocols: ['x'] }, offered);
    expect(resolved.protocols).toEqual(['a', 'b']);
    expect(resolved.protocols).not.toBe(offered);
    expect(resolve({ protocols: 'x' }).protocols).toBe('x');
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
  });
});

describe('finalCodePredicate', () => {
  it('defaults to 1008 and 4000–4999', () => {
    const isFinal = finalCodePredicate(undefined);
    expect([1000, 1001, 1008, 3999, 4000, 4999, 5000].map((code) => isFinal(code, ''))).toEqual([false, false, true, false, true, true, false]);
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
