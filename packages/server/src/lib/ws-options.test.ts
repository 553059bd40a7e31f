import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ServerWebSocket } from './connection.ts';
import { resolveOptions } from './options.ts';
import { resolveWsOptions, translateWsDeflate, translateWsLimits } from './ws-options.ts';
import { rawHandshake } from '../../test/raw.ts';
import { serverHarness } from '../../test/harness.ts';

describe('translateWsLimits', () => {
  it('maxPayload sets the message and the frame limit; 0 lifts them, as in ws', () => {
    expect(translateWsLimits({ maxPayload: 1024 })).toMatchObject({ maxMessageLength: 1024, maxPayloadLength: 1024 });
    expect(translateWsLimits({ maxPayload: 0 })).toMatchObject({ maxMessageLength: Infinity, maxPayloadLength: Infinity });
    // doc/ws.md: coerced to a 32-bit signed integer; ws's limit checks skip a value that is not above 0.
    expect(translateWsLimits({ maxPayload: 1.5 })).toMatchObject({ maxMessageLength: 1 });
    expect(translateWsLimits({ maxPayload: -1 })).toMatchObject({ maxMessageLength: Infinity });
    expect(() => translateWsLimits({ maxPayload: '10' as never })).toThrow('WebSocketServer: maxPayload must be a number (0: no limit), got 10.');
    expect(() => translateWsLimits({ maxPayload: Number.NaN })).toThrow(RangeError);
  });

  it('refuses a ws name together with ours', () => {
    expect(() => translateWsLimits({ maxPayload: 1, maxMessageLength: 2 })).toThrow('WebSocketServer: pass maxPayload (ws\'s name) or maxMessageLength, not both.');
    expect(() => translateWsLimits({ closeTimeout: 1, closeTimeoutMs: 2 })).toThrow(/pass closeTimeout \(ws's name\) or closeTimeoutMs, not both/);
  });

  it('closeTimeout is closeTimeoutMs, and maxFragments: 0 is no limit', () => {
    expect(translateWsLimits({ closeTimeout: 500, maxFragments: 0 })).toMatchObject({ closeTimeoutMs: 500, maxFragments: Infinity });
  });
});

describe('resolveWsOptions', () => {
  it("fills in ws's defaults", () => {
    expect(resolveWsOptions({})).toEqual({ verifyClient: undefined, skipUtf8Validation: false, autoPong: true, allowSynchronousEvents: true, maxBufferedChunks: undefined });
    expect(resolveWsOptions({ skipUTF8Validation: true, autoPong: false, maxBufferedChunks: 0, allowSynchronousEvents: false })).toMatchObject({
      skipUtf8Validation: true,
      autoPong: false,
      allowSynchronousEvents: false,
      maxBufferedChunks: Infinity,
    });
  });

  it('names what is wrong', () => {
    expect(() => resolveWsOptions({ verifyClient: true as never })).toThrow(/verifyClient must be a function/);
    expect(() => resolveWsOptions({ autoPong: 'no' as never })).toThrow('WebSocketServer: autoPong must be a boolean, got string.');
    expect(() => resolveWsOptions({ allowSynchronousEvents: 0 as never })).toThrow('WebSocketServer: allowSynchronousEvents must be a boolean, got number.');
  });
});

describe('translateWsDeflate', () => {
  it("takes ws's names for the threshold and the compressor's level and memLevel", () => {
    expect(translateWsDeflate({ threshold: 0, zlibDeflateOptions: { level: 3, memLevel: 7 }, zlibInflateOptions: {}, concurrencyLimit: 2 })).toEqual({
      compressionThreshold: 0,
      level: 3,
      memLevel: 7,
      concurrencyLimit: 2,
      wsThreshold: true,
    });
  });

  it('refuses zlib options it would not apply, and both names for one setting', () => {
    expect(() => translateWsDeflate({ zlibDeflateOptions: { chunkSize: 1024 } as never })).toThrow(/zlibDeflateOptions.chunkSize is not applied by this server/);
    expect(() => translateWsDeflate({ zlibInflateOptions: { chunkSize: 1024 } as never })).toThrow(/zlibInflateOptions.chunkSize is not applied by this server/);
    expect(() => translateWsDeflate({ threshold: 1, compressionThreshold: 2 })).toThrow(/pass perMessageDeflate.threshold \(ws's name\) or compressionThreshold, not both/);
    expect(() => translateWsDeflate({ zlibDeflateOptions: { level: 1 }, level: 2 })).toThrow(/not both/);
    expect(() => translateWsDeflate({ concurrencyLimit: 0 })).toThrow(RangeError);
  });
});

describe('ws names through resolveOptions', () => {
  it('are options of the server, with their meaning', () => {
    const o = resolveOptions({
      noServer: true,
      maxPayload: 1024,
      closeTimeout: 100,
      skipUTF8Validation: true,
      perMessageDeflate: { threshold: 0, zlibDeflateOptions: { level: 1 }, serverNoContextTakeover: true },
    });
    expect([o.maxMessageLength, o.maxPayloadLength, o.closeTimeoutMs, o.skipUtf8Validation, o.compressionThreshold]).toEqual([1024, 1024, 100, true, 0]);
    expect(o.perMessageDeflate).toEqual({ serverNoContextTakeover: true, compressionThreshold: 0, level: 1, memLevel: undefined, concurrencyLimit: undefined, wsThreshold: true });
  });

  it('maxPayload: 0 is no limit, where our own names take finite limits only', () => {
    expect(resolveOptions({ noServer: true, maxPayload: 0 }).maxMessageLength).toBe(Infinity);
    expect(() => resolveOptions({ noServer: true, maxMessageLength: Infinity })).toThrow(/maxMessageLength/);
  });
});

describe('the per-connection ws options reach the connections', () => {
  const { listen, dial } = serverHarness();

  it('maxPayload: a message over it closes the connection with 1009 and WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', async () => {
    const { wss, url } = await listen({ maxPayload: 16 });
    const errors: string[] = [];
    wss.on('connection', (ws) => ws.on('error', (err) => errors.push((err as Error & { code: string }).code)));
    const client = await dial(url, { perMessageDeflate: false });
    client.send('a'.repeat(16));
    client.send('b'.repeat(17));
    const [code] = (await once(client, 'close')) as [number];
    expect([code, errors]).toEqual([1009, ['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH']]);
  });

  it('skipUTF8Validation: invalid UTF-8 text is delivered as it came', async () => {
    const { wss, port } = await listen({ skipUTF8Validation: true });
    const got = once(wss, 'connection').then(([ws]) => once(ws as ServerWebSocket, 'message')) as Promise<[Buffer, boolean]>;
    const { socket } = await rawHandshake(port);
    socket.write(maskedFrame(0x1, Buffer.from([0x61, 0xff])));
    const [data, isBinary] = await got;
    expect([data.toString('hex'), isBinary]).toEqual(['61ff', false]);
    socket.destroy();
  });

  it("allowSynchronousEvents: false emits one message per turn: the first one's microtasks run before the second", async () => {
    for (const allowSynchronousEvents of [false, true]) {
      const { wss, port } = await listen({ allowSynchronousEvents });
      const order: string[] = [];
      const done = new Promise<void>((resolve) =>
        wss.on('connection', (ws) =>
          ws.on('message', (data) => {
            order.push(String(data));
            queueMicrotask(() => order.push(`after ${String(data)}`));
            if (String(data) === 'two') setImmediate(resolve);
          }),
        ),
      );
      const { socket } = await rawHandshake(port);
      socket.write(Buffer.concat([maskedFrame(0x1, Buffer.from('one')), maskedFrame(0x1, Buffer.from('two'))]));
      await done;
      expect([allowSynchronousEvents, order]).toEqual(
        allowSynchronousEvents ? [true, ['one', 'two', 'after one', 'after two']] : [false, ['one', 'after one', 'two', 'after two']],
      );
      socket.destroy();
    }
  });

  it('autoPong: false leaves pings unanswered, and still emits them', async () => {
    const { wss, port } = await listen({ autoPong: false });
    const pings: string[] = [];
    wss.on('connection', (ws) => {
      ws.on('ping', (payload) => pings.push(payload.toString()));
      // Our answer to 'after' is written after anything the ping could have caused.
      ws.on('message', () => ws.send('done'));
    });
    const { socket } = await rawHandshake(port);
    let received = Buffer.alloc(0);
    const done = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.includes('done')) resolve();
      }),
    );
    socket.write(maskedFrame(0x9, Buffer.from('hi')));
    socket.write(maskedFrame(0x1, Buffer.from('after')));
    await done;
    expect(pings).toEqual(['hi']);
    // Only the text frame: no pong (0x8a) came before it.
    expect(received.toString('hex')).toBe('8104' + Buffer.from('done').toString('hex'));
    socket.destroy();
  });
});

/** A client frame (masked, RFC 6455 §5.3) with `payload` of at most 125 bytes. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}
