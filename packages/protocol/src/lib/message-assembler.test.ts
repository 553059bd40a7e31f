import { describe, expect, it } from 'vitest';
import { fromHex, frame, record, serverClose, serverFrame } from '../../test/recorder.ts';

// The message assembler runs inside a Protocol (the frame parser's callbacks call it directly), so
// its fragmentation rules and limits are tested through a recording Protocol.
describe('fragmentation', () => {
  it('assembles the fragmented "Hello" of RFC 6455 §5.7', () => {
    const r = record({ role: 'client' });
    r.feed(fromHex('01 03 48 65 6c'));
    expect(r.take()).toEqual([]);
    r.feed(fromHex('80 02 6c 6f'));
    expect(r.take()).toEqual([['text', 'Hello']]);
  });

  it('assembles many fragments, empty ones included, into one binary message', () => {
    const r = record();
    r.feed(
      frame(2, fromHex('01'), { fin: false }),
      frame(0, new Uint8Array(0), { fin: false }),
      frame(0, fromHex('02 03'), { fin: false }),
      frame(0, fromHex('04'), { fin: true }),
    );
    expect(r.take()).toEqual([['binary', '01020304']]);
  });

  it('delivers control frames interleaved inside a fragmented message, in order (§5.4)', () => {
    const r = record();
    r.feed(frame(1, 'Hel', { fin: false }), frame(9, 'p1'), frame(0, 'lo', { fin: false }), frame(10, 'q'), frame(0, '!'));
    expect(r.take()).toEqual([
      ['write', serverFrame(10, 'p1')],
      ['ping', '7031'],
      ['pong', '71'],
      ['text', 'Hello!'],
    ]);
  });

  it('fails 1002 on a continuation frame with no message in progress', () => {
    const r = record();
    r.feed(frame(0, 'x'));
    expect(r.take()).toEqual([
      ['error', 'WS_ERR_INVALID_OPCODE', 1002],
      ['write', serverClose(1002, 'Continuation frame with no message in progress (RFC 6455 §5.4)')],
      ['close', 1006, '', false],
    ]);
  });

  it('fails 1002 on a new data frame inside a fragmented message', () => {
    const r = record();
    r.feed(frame(1, 'a', { fin: false }), frame(2, 'b'));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_INVALID_OPCODE', 1002]);
  });

  it('fails 1002 on RSV1 on a continuation frame even when an extension owns RSV1 (RFC 7692 §6.1)', () => {
    const r = record({ extensions: [{ name: 'x', rsvBits: 0x4, decode: (parts) => parts[0]! }] });
    r.feed(frame(2, 'a', { fin: false, rsv1: true }), frame(0, 'b', { rsv1: true }));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_UNEXPECTED_RSV_1', 1002]);
  });
});


describe('limits', () => {
  it('fails 1009 on a frame over maxPayloadLength', () => {
    const r = record({ maxPayloadLength: 4 });
    r.feed(frame(2, fromHex('01 02 03 04 05')));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009]);
  });

  it('accepts a message of exactly maxMessageLength and fails 1009 one byte over, across fragments', () => {
    const ok = record({ maxMessageLength: 4 });
    ok.feed(frame(2, fromHex('01 02'), { fin: false }), frame(0, fromHex('03 04')));
    expect(ok.take()).toEqual([['binary', '01020304']]);
    const over = record({ maxMessageLength: 4 });
    over.feed(frame(2, fromHex('01 02'), { fin: false }), frame(0, fromHex('03 04 05')));
    expect(over.take()[0]).toEqual(['error', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009]);
  });

  it('fails 1009 as soon as the first bytes of a too-long frame arrive', () => {
    const r = record({ maxMessageLength: 100 });
    const big = frame(2, new Uint8Array(1000));
    r.feed(big.subarray(0, 20));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009]);
  });

  it('accepts maxFragments frames and fails 1008 on one more', () => {
    const ok = record({ maxFragments: 3 });
    ok.feed(frame(2, 'a', { fin: false }), frame(0, 'b', { fin: false }), frame(0, 'c'));
    expect(ok.take()).toEqual([['binary', '616263']]);
    const over = record({ maxFragments: 3 });
    over.feed(frame(2, 'a', { fin: false }), frame(0, '', { fin: false }), frame(0, '', { fin: false }), frame(0, 'c'));
    expect(over.take()).toEqual([
      ['error', 'WS_ERR_TOO_MANY_BUFFERED_PARTS', 1008],
      ['write', serverClose(1008, 'Message in more than maxFragments 3 frames')],
      ['close', 1006, '', false],
    ]);
  });

  it('fails 1008 on a frame fed in more pieces than maxBufferedChunks (ws: too many buffered chunks)', () => {
    const bytes = frame(2, fromHex('01 02 03 04'));
    const ok = record({ maxBufferedChunks: 2 });
    ok.feed(bytes.subarray(0, bytes.length - 4), bytes.subarray(bytes.length - 4, bytes.length - 2), bytes.subarray(bytes.length - 2));
    expect(ok.take()).toEqual([['binary', '01020304']]);
    const over = record({ maxBufferedChunks: 2 });
    over.feed(...[...bytes.subarray(bytes.length - 4)].map((_, i) => bytes.subarray(i === 0 ? 0 : bytes.length - 4 + i, bytes.length - 3 + i)));
    expect(over.take()).toEqual([
      ['error', 'WS_ERR_TOO_MANY_BUFFERED_PARTS', 1008],
      ['write', serverClose(1008, 'A frame arrived in more than maxBufferedChunks (2) pieces')],
      ['close', 1006, '', false],
    ]);
  });

  it('rejects bad limit options at once', () => {
    expect(() => record({ maxMessageLength: -1 })).toThrow(RangeError);
    expect(() => record({ maxFragments: 1.5 })).toThrow(RangeError);
    expect(() => record({ maxPayloadLength: Number.NaN })).toThrow(RangeError);
  });
});

