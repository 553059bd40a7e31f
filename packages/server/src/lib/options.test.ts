import { describe, expect, it } from 'vitest';
import { DEFAULTS, resolveOptions } from './options.ts';

describe('resolveOptions', () => {
  it('needs exactly one mode', () => {
    expect(() => resolveOptions({})).toThrow(TypeError);
    expect(() => resolveOptions({ port: 0, noServer: true })).toThrow(/exactly one/);
  });

  it('fills in the documented defaults', () => {
    const o = resolveOptions({ noServer: true });
    expect(o.mode).toBe('noServer');
    expect(o.maxPayloadLength).toBe(64 * 1024 * 1024);
    expect(o.maxMessageLength).toBe(64 * 1024 * 1024);
    expect(o.maxFragments).toBe(131_072);
    expect(o.handshakeTimeoutMs).toBe(10_000);
    expect(o.maxHeaderSize).toBe(16 * 1024);
    expect(o.maxHeadersCount).toBe(100);
    expect(o.maxConnections).toBe(10_000);
    expect(o.closeTimeoutMs).toBe(30_000);
    expect(o.maxBufferedAmount).toBe(16 * 1024 * 1024);
    expect(o.backpressure).toBe('close');
    expect(o.heartbeat).toEqual({ intervalMs: 30_000, timeoutMs: 30_000 });
    expect(o.clientTracking).toBe(true);
    expect(DEFAULTS.retryAfterSeconds).toBe(5);
  });

  it('names the option that is wrong', () => {
    expect(() => resolveOptions({ noServer: true, maxPayloadLength: 0 })).toThrow(/maxPayloadLength/);
    expect(() => resolveOptions({ noServer: true, handshakeTimeoutMs: Number.NaN })).toThrow(RangeError);
    expect(() => resolveOptions({ port: 70000 })).toThrow(/port/);
    expect(() => resolveOptions({ noServer: true, path: 'chat' })).toThrow(/path/);
    expect(() => resolveOptions({ noServer: true, backpressure: 'block' as never })).toThrow(/backpressure/);
    expect(() => resolveOptions({ noServer: true, heartbeat: { intervalMs: -1 } })).toThrow(/heartbeat.intervalMs/);
    expect(() => resolveOptions({ noServer: true, authenticate: 'yes' as never })).toThrow(/authenticate/);
    expect(() => resolveOptions({ noServer: true, origins: 'https://a' as never })).toThrow(/origins/);
  });

  it('validates the permessage-deflate options at construction', () => {
    expect(() => resolveOptions({ noServer: true, perMessageDeflate: { serverMaxWindowBits: 16 } })).toThrow(RangeError);
    expect(() => resolveOptions({ noServer: true, perMessageDeflate: 'on' as unknown as boolean })).toThrow(TypeError);
    expect(() => resolveOptions({ noServer: true, compressionThreshold: -1 })).toThrow(RangeError);
    expect(() => resolveOptions({ noServer: true, perMessageDeflate: { memLevel: 0 } })).toThrow(/memLevel/);
  });

  it('accepts Infinity where a limit can be lifted, and heartbeat: false', () => {
    const o = resolveOptions({ noServer: true, maxConnections: Infinity, heartbeat: false });
    expect(o.maxConnections).toBe(Infinity);
    expect(o.heartbeat).toBe(false);
    expect(() => resolveOptions({ noServer: true, maxPayloadLength: Infinity })).toThrow(/maxPayloadLength/);
  });
});
