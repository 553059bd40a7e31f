import { describe, expect, it } from 'vitest';
import { ZlibLimiter } from '@rfc6455/deflate/node';
import { WebSocket } from './websocket.ts';
import {
  PASS_THROUGH_KEYS,
  checkAdoptOptionKeys,
  checkClientOptionKeys,
  checkSendOptionKeys,
  fromMaxPayload,
  fromWsDeflate,
  requestHeaders,
} from './ws-options.ts';

describe('unknown option keys', () => {
  it('a misspelt client option throws a TypeError naming it and the name it misspells', async () => {
    expect(() => checkClientOptionKeys({ handshakeTimout: 5 })).toThrow(
      new TypeError('new WebSocket(url, protocols, options): unknown option "handshakeTimout"; did you mean "handshakeTimeout"?'),
    );
    expect(() => new WebSocket('ws://127.0.0.1:1', { maxPayLoad: 5 } as never)).toThrow(/unknown option "maxPayLoad"; did you mean "maxPayload"\?/);
    expect(() => new WebSocket('ws://127.0.0.1:1', [], { perMessageDeflate: { treshold: 1 } } as never)).toThrow(
      /perMessageDeflate: unknown option "treshold"; did you mean "threshold"\?/,
    );
    // connect() reports it as its rejection.
    await expect(WebSocket.connect('ws://127.0.0.1:1', { heartbeat: { intervalMs: 5, interval: 5 } } as never)).rejects.toThrow(
      /heartbeat: unknown option "interval"; use intervalMs/,
    );
  });

  it('names that ws overrides, or that belong elsewhere, throw with what to use instead', () => {
    expect(() => checkClientOptionKeys({ timeout: 5 })).toThrow(/unknown option "timeout"; use handshakeTimeout/);
    expect(() => checkClientOptionKeys({ socketPath: '/tmp/s' })).toThrow(/use a ws\+unix:/);
    expect(() => checkClientOptionKeys({ threshold: 10 })).toThrow(/use perMessageDeflate: \{ threshold \}/);
    expect(() => checkClientOptionKeys({ verifyClient: () => true })).toThrow(/verifyClient is a WebSocketServer option/);
    expect(() => checkAdoptOptionKeys({ role: 'server', generateMask: () => undefined })).toThrow(/a server-role socket never masks/);
    expect(() => new WebSocket('wss://127.0.0.1:1', { tls: { host: 'elsewhere' } as never })).toThrow(/tls: unknown option "host"; the URL gives the host/);
    expect(() => new WebSocket('wss://127.0.0.1:1', { tls: { minVersion: 'TLSv1.3', ca: 'x' } })).not.toThrow();
    expect(() => checkAdoptOptionKeys({ role: 'server', followRedirects: true })).toThrow(/WebSocket\.fromSocket\(socket, head, options\): unknown option "followRedirects"/);
  });

  it('every http.request / tls.connect option ws passes through is known, ours and ws\'s too', () => {
    const all: Record<string, unknown> = {};
    for (const name of PASS_THROUGH_KEYS) all[name] = undefined;
    for (const name of ['lookup', 'family', 'localAddress', 'localPort', 'checkServerIdentity', 'servername', 'minVersion', 'maxVersion', 'ciphers', 'ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'secureContext', 'ecdhCurve', 'hints', 'insecureHTTPParser', 'maxHeaderSize', 'setHost', 'signal', 'agent', 'auth']) {
      all[name] = undefined;
    }
    for (const name of ['handshakeTimeout', 'maxPayload', 'followRedirects', 'maxRedirects', 'origin', 'headers', 'protocolVersion', 'perMessageDeflate', 'skipUTF8Validation', 'autoPong', 'allowSynchronousEvents', 'finishRequest', 'generateMask', 'createConnection', 'closeTimeout', 'maxBufferedChunks', 'maxFragments']) {
      all[name] = undefined;
    }
    expect(() => checkClientOptionKeys(all)).not.toThrow();
    expect(() => checkAdoptOptionKeys({ role: 'server', maxPayload: 1, skipUTF8Validation: true, autoPong: false, allowSynchronousEvents: false, closeTimeout: 5 })).not.toThrow();
  });

  it('send options: binary, compress, fin and mask only', () => {
    expect(() => checkSendOptionKeys({ binary: true, compress: false, fin: true, mask: true })).not.toThrow();
    expect(() => checkSendOptionKeys({ compressed: true })).toThrow(new TypeError('send(data, options): unknown option "compressed"; did you mean "compress"?'));
  });
});

describe('ws option values', () => {
  it('maxPayload is coerced to a 32-bit integer, 0 lifting the limit, and sets both of our limits', async () => {
    expect(fromMaxPayload(1024.9)).toBe(1024);
    expect(fromMaxPayload(0)).toBe(Infinity);
    expect(fromMaxPayload(2 ** 32 + 5)).toBe(5);
    expect(() => fromMaxPayload('1k')).toThrow(RangeError);
    const { resolveLimits } = await import('./options.ts');
    const limits = resolveLimits({ maxPayload: 1000 });
    expect([limits.maxPayloadLength, limits.maxMessageLength]).toEqual([1000, 1000]);
    expect(() => resolveLimits({ maxPayload: 1, maxMessageLength: 2 })).toThrow(new TypeError("give maxPayload (ws's name) or maxMessageLength, not both"));
    expect(resolveLimits({ closeTimeout: 50 }).closeTimeoutMs).toBe(50);
  });

  it('a ws-shaped perMessageDeflate becomes one offer, its threshold, zlib level and a shared limiter', () => {
    const settings = fromWsDeflate({
      serverNoContextTakeover: true,
      clientMaxWindowBits: 10,
      threshold: 0,
      zlibDeflateOptions: { level: 1, memLevel: 7 },
      concurrencyLimit: 3,
    });
    expect(settings.offers).toEqual({ serverNoContextTakeover: true, clientMaxWindowBits: 10 });
    expect([settings.compressionThreshold, settings.level, settings.memLevel]).toEqual([0, 1, 7]);
    expect(settings.limiter).toBeInstanceOf(ZlibLimiter);
    expect(settings.limiter?.concurrency).toBe(3);
    expect(fromWsDeflate({ concurrencyLimit: 3 }).limiter).toBe(settings.limiter);
  });

  it('a zlib option we cannot honour, or one setting given twice, throws', () => {
    expect(() => fromWsDeflate({ zlibDeflateOptions: { strategy: 1 } })).toThrow(/zlibDeflateOptions: unknown option "strategy"; only level and memLevel are taken/);
    expect(() => fromWsDeflate({ zlibInflateOptions: { chunkSize: 1024 } })).toThrow(/zlibInflateOptions: unknown option "chunkSize"/);
    expect(fromWsDeflate({ zlibInflateOptions: {} })).toEqual({});
    expect(() => fromWsDeflate({ threshold: 1, compressionThreshold: 2 })).toThrow(/give threshold/);
    expect(() => fromWsDeflate({ offers: [], serverNoContextTakeover: true })).toThrow(/give offers or serverNoContextTakeover/);
    expect(() => fromWsDeflate({ level: 1, zlibDeflateOptions: { level: 2 } })).toThrow(/give level or zlibDeflateOptions\.level/);
    expect(() => fromWsDeflate({ concurrencyLimit: 0 })).toThrow(RangeError);
    // ws's offer parameters are checked when the offer is made, at construction.
    expect(() => new WebSocket('ws://127.0.0.1:1', { perMessageDeflate: { serverMaxWindowBits: 20 } })).toThrow(RangeError);
    expect(() => new WebSocket('ws://127.0.0.1:1', { perMessageDeflate: { clientMaxWindowBits: 7 } })).toThrow(RangeError);
  });

  it('protocolVersion 8 sends Sec-WebSocket-Version: 8 and the origin as Sec-WebSocket-Origin; setHost: false drops Host', () => {
    const headers = { Host: 'h', 'Sec-WebSocket-Version': '13', Origin: 'https://o' };
    expect(requestHeaders(headers, 8, true)).toEqual({ Host: 'h', 'Sec-WebSocket-Version': '8', 'Sec-WebSocket-Origin': 'https://o' });
    expect(requestHeaders(headers, 13, false)).toEqual({ 'Sec-WebSocket-Version': '13', Origin: 'https://o' });
    expect(requestHeaders(headers, 13, true)).toBe(headers);
    expect(() => new WebSocket('ws://127.0.0.1:1', { protocolVersion: 7 as 8 })).toThrow(new RangeError('Unsupported protocol version: 7 (supported versions: 8, 13)'));
  });
});
