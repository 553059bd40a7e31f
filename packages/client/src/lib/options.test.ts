import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_LENGTH } from '@rfc6455/protocol';
import { DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_REDIRECTS, internLimits, resolveDialOptions, resolveLimits } from './options.ts';

describe('internLimits', () => {
  it('hands back one object for equal limits (a server wraps each connection with the same), a new one when a value differs', () => {
    const first = internLimits(resolveLimits({ heartbeat: { intervalMs: 50 } }));
    const again = internLimits(resolveLimits({ heartbeat: { intervalMs: 50, timeoutMs: 50 } }));
    expect(again).toBe(first);
    const other = internLimits(resolveLimits({ heartbeat: { intervalMs: 50, timeoutMs: 40 } }));
    expect(other).not.toBe(first);
    expect(other.heartbeat).toEqual({ intervalMs: 50, timeoutMs: 40 });
    expect(internLimits(resolveLimits({ maxFragments: 7 })).maxFragments).toBe(7);
    // A generateMask source is a function of its own each time: never shared.
    const generateMask = (mask: Buffer): void => void mask.fill(1);
    const masked = internLimits(resolveLimits({ generateMask } as never));
    expect(internLimits(resolveLimits({ generateMask } as never))).not.toBe(masked);
  });
});

describe('resolveLimits', () => {
  it('defaults the size limits to the protocol\'s 64 MiB, as the server does', () => {
    const limits = resolveLimits({});
    expect(DEFAULT_MAX_MESSAGE_LENGTH).toBe(64 * 1024 * 1024);
    expect(limits).toEqual({
      closeTimeoutMs: DEFAULT_CLOSE_TIMEOUT_MS,
      maxPayloadLength: 64 * 1024 * 1024,
      maxMessageLength: 64 * 1024 * 1024,
      maxFragments: DEFAULT_MAX_FRAGMENTS,
      highWaterMark: DEFAULT_HIGH_WATER_MARK,
      autoPong: true,
      heartbeat: undefined,
      maxBufferedChunks: undefined,
      skipUtf8Validation: false,
      allowSynchronousEvents: true,
      randomMaskKey: undefined,
    });
    expect(DEFAULT_CLOSE_TIMEOUT_MS).toBe(30_000);
    expect(DEFAULT_HIGH_WATER_MARK).toBe(1024 * 1024);
  });

  it('takes Infinity for a size, and names a bad value', () => {
    expect(resolveLimits({ maxMessageLength: Infinity }).maxMessageLength).toBe(Infinity);
    expect(() => resolveLimits({ maxPayloadLength: -1 })).toThrow(new RangeError('maxPayloadLength must be a non-negative integer or Infinity, got -1'));
    // ws documents maxFragments: 0 as "no limit".
    expect(resolveLimits({ maxFragments: 0 }).maxFragments).toBe(Infinity);
    expect(() => resolveLimits({ maxFragments: -1 })).toThrow(/^maxFragments must be a positive integer/);
    expect(() => resolveLimits({ closeTimeoutMs: 2 ** 31 })).toThrow(/^closeTimeoutMs must be an integer number of milliseconds/);
    expect(() => resolveLimits({ autoPong: 1 as unknown as boolean })).toThrow(TypeError);
  });

  it('fills the heartbeat timeout from the interval', () => {
    expect(resolveLimits({ heartbeat: { intervalMs: 50 } }).heartbeat).toEqual({ intervalMs: 50, timeoutMs: 50 });
    expect(resolveLimits({ heartbeat: false }).heartbeat).toBeUndefined();
    expect(() => resolveLimits({ heartbeat: {} as { intervalMs: number } })).toThrow(new RangeError('heartbeat.intervalMs is required'));
  });
});

describe('resolveDialOptions', () => {
  it('offers permessage-deflate unless turned off, with the top-level threshold', () => {
    const dial = resolveDialOptions({ compressionThreshold: 100 });
    expect(dial).toEqual({
      handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
      followRedirects: false,
      maxRedirects: DEFAULT_MAX_REDIRECTS,
      requestTimeoutMs: undefined,
      protocolVersion: 13,
      finishRequest: undefined,
      passThrough: {},
      proxy: undefined,
      http2: false,
      perMessageDeflate: { compressionThreshold: 100 },
    });
    expect(resolveDialOptions({ perMessageDeflate: false }).perMessageDeflate).toBeUndefined();
    expect(resolveDialOptions({ perMessageDeflate: { compressionThreshold: 5 }, compressionThreshold: 100 }).perMessageDeflate).toEqual({ compressionThreshold: 5 });
  });

  it('checks http2 and keepHttp2Session, and refuses the HTTP/1.1-only options with http2', () => {
    expect(resolveDialOptions({ http2: true }).http2).toBe(true);
    expect(resolveDialOptions({ http2: 'auto', keepHttp2Session: true }).http2).toBe('auto');
    expect(() => resolveDialOptions({ http2: 'yes' as never })).toThrow(new TypeError(`http2 must be true, false or 'auto', got "yes"`));
    expect(() => resolveDialOptions({ http2: true, keepHttp2Session: 1 as never })).toThrow(/^keepHttp2Session must be a boolean/);
    expect(() => resolveDialOptions({ keepHttp2Session: true })).toThrow(/^keepHttp2Session only applies with http2/);
    expect(() => resolveDialOptions({ http2: true, proxy: 'http://p:3128' })).toThrow(/^proxy cannot be used with http2/);
    expect(() => resolveDialOptions({ http2: 'auto', agent: {} as never })).toThrow(/^agent cannot be used with http2/);
    expect(() => resolveDialOptions({ http2: true, createConnection: () => null as never })).toThrow(/^createConnection cannot be used with http2/);
    expect(() => resolveDialOptions({ http2: true, followRedirects: true })).toThrow(/^followRedirects cannot be used with http2/);
    expect(() => resolveDialOptions({ http2: true, auth: 'u:p' })).toThrow(/^auth cannot be used with http2/);
    expect(() => resolveDialOptions({ http2: true, setHost: false } as never)).toThrow(/^setHost cannot be used with http2/);
    expect(() => resolveDialOptions({ http2: 'auto', protocolVersion: 8 })).toThrow(/^protocolVersion must be 13 with http2/);
    expect(resolveDialOptions({ http2: true, family: 4 } as never).passThrough).toEqual({ family: 4 });
  });

  it('names a bad dial option', () => {
    expect(() => resolveDialOptions({ maxRedirects: Infinity })).toThrow(/^maxRedirects must be a non-negative integer, got Infinity/);
    expect(() => resolveDialOptions({ agent: null as unknown as undefined })).toThrow(new TypeError('agent must be an http.Agent'));
    expect(() => resolveDialOptions({ tls: 'x' as unknown as undefined })).toThrow(/^tls must be an object/);
  });
});
