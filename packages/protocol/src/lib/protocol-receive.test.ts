import { describe, expect, it } from 'vitest';
import { Opcode } from '@rfc6455/codes';
import type { Event } from '../../test/recorder.ts';
import { closePayload, concat, frame, fromHex, record, recordingHandler, serverClose, toHex, utf8 } from '../../test/recorder.ts';
import { heldXorExtension, xor, xorExtension } from '../../test/xor-extension.ts';
import type { Extension } from './extension.ts';
import { Protocol } from './protocol.ts';
import { Receiver } from './protocol-receive.ts';

describe('receiving messages', () => {
  it('delivers the masked "Hello" of RFC 6455 §5.7 as a server', () => {
    const r = record();
    r.feed(fromHex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(r.take()).toEqual([['text', 'Hello']]);
  });

  it('delivers the unmasked "Hello" of RFC 6455 §5.7 as a client', () => {
    const r = record({ role: 'client' });
    r.feed(fromHex('81 05 48 65 6c 6c 6f'));
    expect(r.take()).toEqual([['text', 'Hello']]);
  });

  it('delivers binary messages as bytes, including an empty one', () => {
    const r = record();
    r.feed(frame(2, fromHex('00 ff 10')), frame(2, new Uint8Array(0)));
    expect(r.take()).toEqual([
      ['binary', '00ff10'],
      ['binary', ''],
    ]);
  });

  it('delivers 256-byte and 64 KiB binary messages (16- and 64-bit lengths, §5.7)', () => {
    const r = record({ role: 'client' });
    const small = new Uint8Array(256).fill(7);
    const big = new Uint8Array(65536).fill(9);
    r.feed(concat([fromHex('82 7e 01 00'), small]), concat([fromHex('82 7f 00 00 00 00 00 01 00 00'), big]));
    const events = r.take();
    expect(events.map((e) => [e[0], (e[1] as string).length / 2])).toEqual([
      ['binary', 256],
      ['binary', 65536],
    ]);
  });

  it('fails 1002 on an unmasked frame from a client (RFC 6455 §5.1)', () => {
    const r = record();
    r.feed(fromHex('81 05 48 65 6c 6c 6f'));
    expect(r.take()).toEqual([
      ['error', 'WS_ERR_EXPECTED_MASK', 1002],
      ['write', serverClose(1002, 'A server received an unmasked frame (RFC 6455 §5.1)')],
      ['close', 1006, '', false],
    ]);
    expect(r.protocol.state).toBe('CLOSED');
    expect(r.protocol.closeSent).toEqual({ code: 1002, reason: 'A server received an unmasked frame (RFC 6455 §5.1)' });
  });

  it('fails 1002 on a masked frame from a server', () => {
    const r = record({ role: 'client' });
    r.feed(fromHex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    const events = r.take();
    expect(events[0]).toEqual(['error', 'WS_ERR_UNEXPECTED_MASK', 1002]);
    expect(events.at(-1)).toEqual(['close', 1006, '', false]);
  });

  it('fails 1002 on a reserved opcode and processes nothing after it', () => {
    const r = record();
    r.feed(concat([frame(3, 'x'), frame(1, 'after')]));
    const events = r.take();
    expect(events.map((e) => e[0])).toEqual(['error', 'write', 'close']);
    expect(events[0]).toEqual(['error', 'WS_ERR_INVALID_OPCODE', 1002]);
    r.feed(frame(1, 'later'));
    expect(r.take()).toEqual([]);
  });
});

describe('control frames', () => {
  it('answers a ping with a pong echoing its payload, then reports the ping', () => {
    const r = record();
    r.feed(frame(9, 'Hello'));
    expect(r.take()).toEqual([
      ['write', '8a0548656c6c6f'],
      ['ping', '48656c6c6f'],
    ]);
  });

  it('masks the automatic pong of a client', () => {
    const r = record({ role: 'client' });
    r.feed(fromHex('89 05 48 65 6c 6c 6f'));
    expect(r.take()).toEqual([
      ['write', '8a8537fa213d7f9f4d5158'],
      ['ping', '48656c6c6f'],
    ]);
  });

  it('does not answer pings with autoPong false', () => {
    const r = record({ autoPong: false });
    r.feed(frame(9, ''));
    expect(r.take()).toEqual([['ping', '']]);
  });

  it('reports pongs', () => {
    const r = record({ role: 'client' });
    r.feed(fromHex('8a 02 ab cd'));
    expect(r.take()).toEqual([['pong', 'abcd']]);
  });

  it('fails 1002 on RSV1 on a control frame when an extension owns RSV1', () => {
    const r = record({ extensions: [{ name: 'x', rsvBits: 0x4 }] });
    r.feed(frame(9, 'p', { rsv1: true }));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_UNEXPECTED_RSV_1', 1002]);
  });

  it('fails 1002 on a fragmented or oversized control frame (parser rules)', () => {
    const a = record();
    a.feed(fromHex('09 80 00 00 00 00'));
    expect(a.take()[0]).toEqual(['error', 'WS_ERR_EXPECTED_FIN', 1002]);
    const b = record();
    b.feed(fromHex('89 fe 00 7e'));
    expect(b.take()[0]).toEqual(['error', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002]);
  });
});

describe('UTF-8', () => {
  it('accepts multi-byte characters split across fragments', () => {
    const r = record();
    const euro = utf8('κόσμε€');
    r.feed(frame(1, euro.subarray(0, 3), { fin: false }), frame(0, euro.subarray(3, 9), { fin: false }), frame(0, euro.subarray(9)));
    expect(r.take()).toEqual([['text', 'κόσμε€']]);
  });

  it('fails 1007 on invalid UTF-8 in a single-frame text message', () => {
    const r = record();
    r.feed(frame(1, fromHex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64')));
    expect(r.take()).toEqual([
      ['error', 'WS_ERR_INVALID_UTF8', 1007],
      ['write', serverClose(1007, 'Invalid UTF-8 in a text message (RFC 6455 §8.1)')],
      ['close', 1006, '', false],
    ]);
  });

  it('skipUtf8Validation delivers text and close reasons unchecked: single frame, fragments, frames that span chunks', () => {
    const events: unknown[][] = [];
    const protocol = new Protocol({
      role: 'server',
      skipUtf8Validation: true,
      handler: {
        onWrite: (data) => events.push(['write', toHex(data)]),
        onMessage: (data, isBinary) => events.push([isBinary ? 'binary' : 'text', toHex(data)]),
        onPing: () => undefined,
        onPong: () => undefined,
        onClosing: (code, reason) => events.push(['closing', code, reason]),
        onClose: (code, reason, wasClean) => events.push(['close', code, reason, wasClean]),
        onError: (err) => events.push(['error', err.code]),
      },
    });
    const bad = fromHex('41 ed a0 80 42');
    const spanning = frame(1, bad);
    for (const chunk of [
      frame(1, bad),
      frame(1, bad.subarray(0, 2), { fin: false }),
      frame(0, bad.subarray(2)),
      spanning.subarray(0, spanning.length - 3),
      spanning.subarray(spanning.length - 3),
      frame(8, concat([closePayload(1000), fromHex('ff')])),
    ]) {
      protocol.receiveData(chunk.slice());
    }
    expect(events).toEqual([
      ['text', '41eda08042'],
      ['text', '41eda08042'],
      ['text', '41eda08042'],
      // The close is echoed byte for byte, its reason decoded with U+FFFD.
      ['closing', 1000, '\ufffd'],
      ['write', '880303e8ff'],
      ['close', 1000, '\ufffd', true],
    ]);
    expect(() => record({ skipUtf8Validation: 'yes' as unknown as boolean })).toThrow(TypeError);
  });

  it('fails fast at the fragment holding the first invalid byte, before the message ends', () => {
    const r = record();
    r.feed(frame(1, 'ok', { fin: false }));
    r.feed(frame(0, fromHex('f4 90 80 80'), { fin: false }));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_INVALID_UTF8', 1007]);
  });

  it('fails fast inside a frame that has not fully arrived (onPayloadChunk)', () => {
    const r = record();
    const bad = frame(1, concat([utf8('a'.repeat(50)), fromHex('c0 af'), utf8('b'.repeat(50))]));
    r.feed(bad.subarray(0, 6 + 52));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_INVALID_UTF8', 1007]);
  });

  it('fails fast inside a continuation frame that has not fully arrived', () => {
    const r = record();
    r.feed(frame(1, 'ok', { fin: false }));
    const bad = frame(0, concat([utf8('a'.repeat(40)), fromHex('ed a0 80'), utf8('b'.repeat(40))]));
    r.feed(bad.subarray(0, 6 + 43));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_INVALID_UTF8', 1007]);
  });

  it('reports the frame-level error, not the UTF-8 one, whatever the chunking', () => {
    const badText = concat([fromHex('c0'), utf8('x'.repeat(30))]);
    const rsvCase = [frame(1, 'a', { fin: false }), frame(0, badText, { rsv1: true })];
    const countCase = [frame(1, 'a', { fin: false }), frame(0, 'b', { fin: false }), frame(0, badText)];
    for (const frames of [rsvCase, countCase]) {
      const whole = record({ extensions: [{ name: 'x', rsvBits: 0x4 }], maxFragments: 2 });
      whole.feed(concat(frames));
      const split = record({ extensions: [{ name: 'x', rsvBits: 0x4 }], maxFragments: 2 });
      const bytes = concat(frames);
      split.feed(bytes.subarray(0, bytes.length - 10), bytes.subarray(bytes.length - 10));
      const events = whole.take();
      expect(events[0]?.[1]).toMatch(/WS_ERR_UNEXPECTED_RSV_1|WS_ERR_TOO_MANY_BUFFERED_PARTS/);
      expect(split.take()).toEqual(events);
    }
  });

  it('validates a text frame split across chunks once, finishing correctly', () => {
    const r = record();
    const whole = frame(1, 'héllo wörld, ça va? €€€ 𝄞');
    for (let i = 0; i < whole.length; i++) r.feed(whole.subarray(i, i + 1));
    expect(r.take()).toEqual([['text', 'héllo wörld, ça va? €€€ 𝄞']]);
  });

  it('fails 1007 on a text message that ends inside a character', () => {
    const r = record();
    r.feed(frame(1, fromHex('e2 82'), { fin: false }), frame(0, new Uint8Array(0)));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_INVALID_UTF8', 1007]);
  });

  it('does not check binary messages', () => {
    const r = record();
    r.feed(frame(2, fromHex('ff fe')));
    expect(r.take()).toEqual([['binary', 'fffe']]);
  });
});

describe('Receiver on its own (ordered delivery without the state machine)', () => {
  function setup(extensions: Extension[] = [], maxMessageLength = 1024) {
    const events: Event[] = [];
    const outlets: string[] = [];
    const receiver = new Receiver(
      'owner',
      {
        drained: (owner) => outlets.push(`drained ${owner}`),
        fail: (owner, error, wireReason) => outlets.push(`fail ${owner} ${error.code} ${error.closeCode} ${wireReason}`),
      },
      { handler: recordingHandler(events), extensions, maxMessageLength, checkUtf8: true },
    );
    return { receiver, events, outlets };
  }
  const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

  it('delivers at once while nothing waits; behind a pending decode, messages, pings, pongs and events keep their order', async () => {
    const held = heldXorExtension();
    const { receiver, events, outlets } = setup([held.extension]);
    receiver.deliver(utf8('first'), false);
    receiver.decode(Opcode.Text, 4, [xor([utf8('second')])]);
    receiver.deliver(fromHex('03'), true);
    receiver.ping(fromHex('aa'));
    receiver.pong(fromHex('bb'));
    receiver.emit(() => events.push(['closing', 1000, 'after']));
    expect([events, receiver.queued.length]).toEqual([[['text', 'first']], 5]);
    held.release();
    await turn();
    expect(events).toEqual([
      ['text', 'first'],
      ['text', 'second'],
      ['binary', '03'],
      ['ping', 'aa'],
      ['pong', 'bb'],
      ['closing', 1000, 'after'],
    ]);
    expect(outlets).toEqual(['drained owner']);
  });

  it('checks a decoded message: over maxMessageLength is 1009, text that is not UTF-8 is 1007', () => {
    const lenient: Extension = { name: 'x-lenient', rsvBits: 0x4, decode: (fragments) => xor(fragments) };
    const { receiver, events, outlets } = setup([lenient], 4);
    receiver.decode(Opcode.Binary, 4, [xor([fromHex('0102030405')])]);
    receiver.decode(Opcode.Text, 4, [xor([fromHex('ff')])]);
    receiver.decode(Opcode.Binary, 4, [xor([fromHex('01020304')])]);
    expect(events).toEqual([['binary', '01020304']]);
    expect(outlets).toEqual([
      'fail owner WS_ERR_UNSUPPORTED_MESSAGE_LENGTH 1009 undefined',
      'fail owner WS_ERR_INVALID_UTF8 1007 undefined',
    ]);
  });

  it("keeps a decoder's own verdict (its 1009 while inflating), with its code as the wire reason", () => {
    const { receiver, outlets } = setup([xorExtension()], 4);
    receiver.decode(Opcode.Binary, 4, [xor([fromHex('0102030405')])]);
    expect(outlets).toEqual(['fail owner WS_ERR_UNSUPPORTED_MESSAGE_LENGTH 1009 WS_ERR_UNSUPPORTED_MESSAGE_LENGTH']);
  });

  it("a decoder's exception fails the owner with 1011 and the reason withheld", () => {
    const { receiver, outlets } = setup([{ name: 'x-bad', rsvBits: 0x4, decode: () => { throw new Error('zlib'); } }]);
    receiver.decode(Opcode.Text, 4, [fromHex('00')]);
    expect(outlets).toEqual(['fail owner WS_ERR_EXTENSION_FAILED 1011 Internal error']);
  });

  it('drop discards what waits, and a decode that settles afterwards delivers nothing', async () => {
    const held = heldXorExtension();
    const { receiver, events, outlets } = setup([held.extension]);
    receiver.decode(Opcode.Text, 4, [xor([utf8('late')])]);
    receiver.ping(fromHex('aa'));
    receiver.drop();
    expect(receiver.queued.length).toBe(0);
    held.release();
    await turn();
    expect([events, outlets]).toEqual([[], []]);
  });
});
