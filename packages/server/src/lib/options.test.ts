import { describe, expect, it } from 'vitest';
import { DEFAULTS, DEFLATE_OPTION_NAMES, SERVER_OPTION_NAMES, resolveOptions } from './options.ts';

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

describe('unknown options', () => {
  it('throw a TypeError naming the key, with what to use for a known name', () => {
    expect(() => resolveOptions({ noServer: true, handshakeTimeout: 5 } as never)).toThrow(
      'new WebSocketServer(options): unknown option "handshakeTimeout"; handshakeTimeout is a ws client option; the server bounds each handshake with handshakeTimeoutMs (milliseconds).',
    );
    expect(() => resolveOptions({ noServer: true, origin: 'https://a' } as never)).toThrow(/unknown option "origin"; use origins/);
    expect(() => resolveOptions({ noServer: true, protocols: ['chat'] } as never)).toThrow(/unknown option "protocols"; use handleProtocols/);
  });

  it('catch a misspelt key with the name it most likely means', () => {
    expect(() => resolveOptions({ noServer: true, maxConections: 5 } as never)).toThrow(/unknown option "maxConections"; did you mean "maxConnections"\?/);
    expect(() => resolveOptions({ noServer: true, ClientTracking: false } as never)).toThrow(/did you mean "clientTracking"\?/);
    expect(() => resolveOptions({ noServer: true, zzz: 1 } as never)).toThrow(/unknown option "zzz"; the options are port, host/);
  });

  it('are checked before the mode, so a typo is reported as what it is', () => {
    expect(() => resolveOptions({ prot: 8080 } as never)).toThrow(/unknown option "prot"; did you mean "port"\?/);
  });

  it('in perMessageDeflate throw too', () => {
    expect(() => resolveOptions({ noServer: true, perMessageDeflate: { serverNoContextTakeOver: true } as never })).toThrow(
      'WebSocketServer: perMessageDeflate: unknown option "serverNoContextTakeOver"; did you mean "serverNoContextTakeover"?',
    );
    expect(() => resolveOptions({ noServer: true, perMessageDeflate: { windowBits: 10 } as never })).toThrow(/perMessageDeflate: unknown option "windowBits"/);
  });

  it('in heartbeat throw too', () => {
    expect(() => resolveOptions({ noServer: true, heartbeat: { interval: 1000 } as never })).toThrow(
      'WebSocketServer: heartbeat: unknown option "interval"; did you mean "intervalMs"?',
    );
  });

  it('are rejected by the TypeScript types as well', () => {
    // @ts-expect-error -- not an option of WebSocketServerOptions
    expect(() => resolveOptions({ noServer: true, handshakeTimeout: 5 })).toThrow(TypeError);
    // @ts-expect-error -- not an option of the heartbeat object
    expect(() => resolveOptions({ noServer: true, heartbeat: { interval: 5 } })).toThrow(TypeError);
    // @ts-expect-error -- not an option of the perMessageDeflate object
    expect(() => resolveOptions({ noServer: true, perMessageDeflate: { windowBits: 10 } })).toThrow(TypeError);
  });

  it('every documented key is accepted', () => {
    const all = Object.fromEntries([...SERVER_OPTION_NAMES].map((name) => [name, undefined]));
    expect(() => resolveOptions({ ...all, noServer: true })).not.toThrow();
    const deflate = Object.fromEntries([...DEFLATE_OPTION_NAMES].map((name) => [name, undefined]));
    expect(resolveOptions({ noServer: true, perMessageDeflate: deflate }).perMessageDeflate).toBeDefined();
    expect(resolveOptions({ noServer: true, heartbeat: { intervalMs: 5, timeoutMs: 6 } }).heartbeat).toEqual({ intervalMs: 5, timeoutMs: 6 });
  });
});
