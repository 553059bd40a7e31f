import { describe, expect, it } from 'vitest';
import { WebSocketError } from '@rfc6455/codes';
import type { Extension } from './extension.ts';
import { closeExtensions } from './extension.ts';
import { Protocol } from './protocol.ts';
import { closePayload, frame, fromHex, record, serverClose, serverFrame, utf8 } from '../../test/recorder.ts';
import { asyncXorExtension, later, transformsSettled, xor, xorExtension } from '../../test/xor-extension.ts';

describe('extensions: a synchronous transform', () => {
  it('encodes whole messages and sets RSV1 on their frame, with no Promise on the path', () => {
    const log: string[] = [];
    const r = record({ extensions: [xorExtension(log)] });
    r.protocol.sendText('Hi');
    expect(r.take()).toEqual([['write', 'c102' + '1233']]);
    expect(log).toEqual(['encode 2']);
  });

  it('decodes RSV1 messages, single-frame and fragmented, and leaves other messages alone', () => {
    const log: string[] = [];
    const r = record({ extensions: [xorExtension(log)], maxMessageLength: 1000 });
    r.feed(frame(1, xor([utf8('Hi')]), { rsv1: true }));
    r.feed(frame(2, xor([fromHex('01')]), { rsv1: true, fin: false }), frame(0, xor([fromHex('02 03')])));
    r.feed(frame(1, 'plain'));
    expect(r.take()).toEqual([
      ['text', 'Hi'],
      ['binary', '010203'],
      ['text', 'plain'],
    ]);
    expect(log).toEqual(['decode 1 rsv=4 max=1000', 'decode 2 rsv=4 max=1000']);
  });

  it('sends manual fragments as they are, without the transform or RSV bits', () => {
    const log: string[] = [];
    const r = record({ extensions: [xorExtension(log)] });
    r.protocol.sendBinary(fromHex('01'), { fin: false });
    r.protocol.sendBinary(fromHex('02'));
    expect(r.take().map((e) => e[1])).toEqual(['020101', '800102']);
    expect(log).toEqual([]);
  });

  it('fails 1007 when a decoded text message is not UTF-8', () => {
    const r = record({ extensions: [xorExtension()] });
    r.feed(frame(1, xor([fromHex('ff')]), { rsv1: true }));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_INVALID_UTF8', 1007]);
  });

  it('keeps the extension’s own 1009 for a decoded size over maxMessageLength, reason = its code only', () => {
    // An "inflating" extension: every byte decodes to four; it enforces maxLength while decoding.
    const inflate: Extension = {
      name: 'x-inflate',
      rsvBits: 0x4,
      decode(fragments, _rsv, maxLength) {
        const length = 4 * fragments.reduce((n, p) => n + p.length, 0);
        if (length > maxLength) {
          throw new WebSocketError('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', `decoded ${length} > ${maxLength}`, { closeCode: 1009 });
        }
        return new Uint8Array(length);
      },
    };
    const ok = record({ extensions: [inflate], maxMessageLength: 8 });
    ok.feed(frame(2, fromHex('01 02'), { rsv1: true }));
    expect(ok.take()).toEqual([['binary', '0000000000000000']]);
    const r = record({ extensions: [inflate], maxMessageLength: 8 });
    r.feed(frame(2, fromHex('01 02'), { rsv1: true, fin: false }), frame(0, fromHex('03')));
    expect(r.take()).toEqual([
      ['error', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009],
      ['write', serverClose(1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')],
      ['close', 1006, '', false],
    ]);
  });

  it('caps the wire size of a transformed message by maxMessageLength too', () => {
    const r = record({ extensions: [xorExtension()], maxMessageLength: 2 });
    r.feed(frame(2, xor([fromHex('01 02')]), { rsv1: true, fin: false }), frame(0, xor([fromHex('03')])));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009]);
  });

  it('turns a decode exception into 1011 with a generic wire reason', () => {
    const r = record({ extensions: [{ name: 'x-bad', rsvBits: 0x4, decode: () => { throw new Error('secret zlib state'); } }] });
    r.feed(frame(2, 'x', { rsv1: true }));
    expect(r.take()).toEqual([
      ['error', 'WS_ERR_EXTENSION_FAILED', 1011],
      ['write', serverClose(1011, 'Internal error')],
      ['close', 1006, '', false],
    ]);
  });

  it('turns an encode exception into 1011; the send returns false', () => {
    const r = record({
      extensions: [{ name: 'x-bad', rsvBits: 0x4, encode: () => { throw new Error('no'); } }],
    });
    expect(r.protocol.sendText('x')).toBe(false);
    expect(r.take()).toEqual([
      ['error', 'WS_ERR_EXTENSION_FAILED', 1011],
      ['write', serverClose(1011, 'Internal error')],
      ['close', 1006, '', false],
    ]);
  });

  it('treats an encode result with RSV bits the extension does not own as its failure (1011)', () => {
    const r = record({ extensions: [{ name: 'x-liar', rsvBits: 0x4, encode: (data) => ({ data, rsv: 0x2 }) }] });
    r.protocol.sendBinary(fromHex('01'));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_EXTENSION_FAILED', 1011]);
  });

  it('calls close() on every extension once when the connection closes', () => {
    const log: string[] = [];
    const r = record({ extensions: [xorExtension(log)] });
    r.feed(frame(8, closePayload(1000)));
    r.protocol.receiveEof();
    expect(log).toEqual(['close']);
  });
});

describe('extensions: the error passed to onError', () => {
  it('keeps the transform’s exception as cause', () => {
    const boom = new Error('secret');
    let seen: WebSocketError | undefined;
    const p = new Protocol({
      role: 'server',
      extensions: [{ name: 'x-bad', rsvBits: 0x4, decode: () => { throw boom; } }],
      handler: {
        onWrite() {},
        onMessage() {},
        onPing() {},
        onPong() {},
        onClosing() {},
        onClose() {},
        onError(err: WebSocketError) {
          seen = err;
        },
      },
    });
    p.receiveData(frame(2, 'x', { rsv1: true }));
    expect(seen?.code).toBe('WS_ERR_EXTENSION_FAILED');
    expect(seen?.cause).toBe(boom);
    expect(seen?.message).toBe('Extension x-bad failed to decode a message');
  });
});

describe('extensions: asynchronous transforms keep message order', () => {
  it('writes encoded messages in send order whatever order the encodes finish in; pings go first; close goes last', async () => {
    const r = record({ extensions: [asyncXorExtension(7)] });
    const sent = ['one', 'two', 'three', 'four', 'five', 'six'];
    for (const text of sent) expect(r.protocol.sendText(text)).toBe(true);
    r.protocol.sendPing('p');
    expect(r.protocol.sendClose(1000)).toBe(true);
    expect(r.protocol.sendText('late')).toBe(false);
    expect(r.take()).toEqual([
      ['write', serverFrame(9, 'p')],
      ['closing', 1000, ''],
    ]);
    await transformsSettled();
    expect(r.take()).toEqual([
      ...sent.map((text): ['write', string] => ['write', serverFrame(1, xor([utf8(text)]), { rsv1: true })]),
      ['write', serverClose(1000)],
    ]);
  });

  it('queues a manual fragment behind a pending encode', async () => {
    const r = record({ extensions: [asyncXorExtension(3)] });
    r.protocol.sendText('ab');
    r.protocol.sendBinary(fromHex('01'), { fin: false });
    r.protocol.sendBinary(fromHex('02'));
    expect(r.take()).toEqual([]);
    await transformsSettled();
    expect(r.take().map((e) => e[1])).toEqual([serverFrame(1, xor([utf8('ab')]), { rsv1: true }), '020101', '800102']);
  });

  it('delivers decoded messages in arrival order, with plain messages, pings and the close behind them', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = record({ extensions: [asyncXorExtension(seed)] });
      const texts = ['a', 'bb', 'ccc', 'dddd'];
      for (const text of texts) r.feed(frame(1, xor([utf8(text)]), { rsv1: true }));
      r.feed(frame(1, 'plain'), frame(9, 'p'), frame(8, closePayload(1000, 'end')));
      // The pong and the close echo (code and reason) are written at once; the events wait for the decodes.
      expect(r.take()).toEqual([
        ['write', serverFrame(10, 'p')],
        ['write', serverClose(1000, 'end')],
      ]);
      expect(r.protocol.state).toBe('CLOSING');
      await transformsSettled();
      expect(r.take()).toEqual([
        ...texts.map((text): ['text', string] => ['text', text]),
        ['text', 'plain'],
        ['ping', '70'],
        ['closing', 1000, 'end'],
        ['close', 1000, 'end', true],
      ]);
      expect(r.protocol.state).toBe('CLOSED');
    }
  });

  it('delivers the messages before a failed decode, then fails 1011', async () => {
    let calls = 0;
    const r = record({
      extensions: [
        {
          name: 'x-flaky',
          rsvBits: 0x4,
          decode: (fragments) =>
            ++calls === 2 ? later(1, () => { throw new Error('bad'); }) : later(5, () => xor(fragments)),
        },
      ],
    });
    r.feed(frame(1, xor([utf8('first')]), { rsv1: true }), frame(1, 'x', { rsv1: true }), frame(1, xor([utf8('third')]), { rsv1: true }));
    await transformsSettled();
    expect(r.take()).toEqual([
      ['text', 'first'],
      ['error', 'WS_ERR_EXTENSION_FAILED', 1011],
      ['write', serverClose(1011, 'Internal error')],
      ['close', 1006, '', false],
    ]);
  });

  it('after end of stream still delivers what was being decoded, then 1006', async () => {
    const r = record({ extensions: [asyncXorExtension(9)] });
    r.feed(frame(2, xor([fromHex('0a')]), { rsv1: true }));
    r.protocol.receiveEof();
    expect(r.take()).toEqual([]);
    await transformsSettled();
    expect(r.take()).toEqual([
      ['binary', '0a'],
      ['close', 1006, '', false],
    ]);
  });

  it('ignores encodes that finish after the connection failed', async () => {
    const r = record({ extensions: [asyncXorExtension(11)] });
    r.protocol.sendText('never');
    r.protocol.fail(1001);
    await transformsSettled();
    expect(r.take()).toEqual([
      ['write', serverClose(1001)],
      ['close', 1006, '', false],
    ]);
  });
});

describe('closeExtensions', () => {
  it('closes every extension once, in order, even after one of them throws', () => {
    const log: string[] = [];
    const throwing: Extension = { name: 'x-throws', rsvBits: 0, close: () => { log.push('throws'); throw new Error('cleanup'); } };
    expect(() => closeExtensions([xorExtension(log), throwing, xorExtension(log), { name: 'x-none', rsvBits: 0 }])).not.toThrow();
    expect(log).toEqual(['close', 'throws', 'close']);
  });
});
