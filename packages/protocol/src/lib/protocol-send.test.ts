import { describe, expect, it } from 'vitest';
import { SINGLE_WRITE_MAX } from './protocol.ts';
import { Opcode } from '@rfc6455/codes';
import type { Extension } from './extension.ts';
import { Sender } from './protocol-send.ts';
import type { Event } from '../../test/recorder.ts';
import { RFC_KEY, concat, frame, fromHex, record, recordingHandler, serverClose, serverFrame, toHex, utf8 } from '../../test/recorder.ts';
import { asyncXorExtension, heldXorExtension, later, transformsSettled, xor, xorExtension } from '../../test/xor-extension.ts';

describe('sending as a server', () => {
  it('writes the unmasked "Hello" of RFC 6455 §5.7 from a string or from bytes', () => {
    const r = record();
    expect(r.protocol.sendText('Hello')).toBe(true);
    expect(r.protocol.sendText(utf8('Hello'))).toBe(true);
    expect(r.take()).toEqual([
      ['write', '810548656c6c6f'],
      ['write', '810548656c6c6f'],
    ]);
  });

  it('writes binary, ping and pong frames', () => {
    const r = record();
    r.protocol.sendBinary(fromHex('01 02'));
    r.protocol.sendPing('Hello');
    r.protocol.sendPong(fromHex('ab'));
    r.protocol.sendPing();
    expect(r.take()).toEqual([
      ['write', '82020102'],
      ['write', '890548656c6c6f'],
      ['write', '8a01ab'],
      ['write', '8900'],
    ]);
  });

  it(`writes header and payload in one buffer up to ${SINGLE_WRITE_MAX} bytes, as two writes above`, () => {
    const r = record();
    const small = new Uint8Array(SINGLE_WRITE_MAX).fill(1);
    const large = new Uint8Array(SINGLE_WRITE_MAX + 1).fill(2);
    r.protocol.sendBinary(small);
    r.protocol.sendBinary(large);
    const writes = r.take().map((e) => e[1] as string);
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe(serverFrame(2, small));
    expect(writes[1]).toBe('827e4001');
    expect(writes[2]).toBe(toHex(large));
  });
});

describe('masking (client)', () => {
  it('masks with the injected key: the masked "Hello" of RFC 6455 §5.7', () => {
    const r = record({ role: 'client' });
    r.protocol.sendText('Hello');
    expect(r.take()).toEqual([['write', '818537fa213d7f9f4d5158']]);
  });

  it('takes a new key for every frame and never changes the caller’s payload', () => {
    let n = 0;
    const r = record({ role: 'client', randomMaskKey: () => new Uint8Array([n, n, n, n++]) });
    const payload = fromHex('10 20 30 40 50');
    r.protocol.sendBinary(payload);
    r.protocol.sendBinary(payload);
    expect(toHex(payload)).toBe('1020304050');
    expect(r.take()).toEqual([
      ['write', '8285000000001020304050'],
      ['write', '8285010101011121314151'],
    ]);
  });

  it('masks large payloads in one buffer with the 64-bit length form', () => {
    const r = record({ role: 'client' });
    const payload = new Uint8Array(70000).fill(0x37);
    r.protocol.sendBinary(payload);
    const writes = r.take();
    expect(writes).toHaveLength(1);
    expect(writes[0]![1]).toBe(toHex(frame(2, payload)));
  });

  it('uses the CSPRNG by default: two frames get different keys', () => {
    const keys = new Set<string>();
    const r = record({ role: 'client', randomMaskKey: undefined });
    for (let i = 0; i < 8; i++) r.protocol.sendPing();
    for (const [, hex] of r.take()) keys.add((hex as string).slice(4, 12));
    expect(keys.size).toBeGreaterThan(1);
  });

  it('rejects a mask key source that returns something other than 4 bytes', () => {
    const r = record({ role: 'client', randomMaskKey: () => new Uint8Array(3) });
    expect(() => r.protocol.sendText('x')).toThrow(RangeError);
  });
});

describe('manual fragmentation', () => {
  it('sends text then continuation frames, as RFC 6455 §5.7 fragments "Hello"', () => {
    const r = record();
    r.protocol.sendText('Hel', { fin: false });
    r.protocol.sendPing('p');
    r.protocol.sendText('lo', { fin: true });
    expect(r.take()).toEqual([
      ['write', '010348656c'],
      ['write', '890170'],
      ['write', '80026c6f'],
    ]);
  });

  it('sends a binary message in three fragments', () => {
    const r = record();
    r.protocol.sendBinary(fromHex('01'), { fin: false });
    r.protocol.sendBinary(fromHex('02'), { fin: false });
    r.protocol.sendBinary(fromHex('03'));
    expect(r.take().map((e) => e[1])).toEqual(['020101', '000102', '800103']);
  });

  it('refuses a text fragment inside a binary message (TypeError) and keeps the message open', () => {
    const r = record();
    r.protocol.sendBinary(fromHex('01'), { fin: false });
    expect(() => r.protocol.sendText('x')).toThrow(TypeError);
    r.protocol.sendBinary(fromHex('02'));
    expect(r.take().map((e) => e[1])).toEqual(['020101', '800102']);
  });

  it('checks UTF-8 across text fragments, allowing a character split between them', () => {
    const r = record();
    const euro = utf8('€');
    r.protocol.sendText(euro.subarray(0, 1), { fin: false });
    r.protocol.sendText(euro.subarray(1));
    expect(r.take().map((e) => e[1])).toEqual(['0101e2', '800282ac']);
    r.protocol.sendText(euro.subarray(0, 2), { fin: false });
    expect(() => r.protocol.sendText(fromHex('41'))).toThrow(TypeError);
  });

  it('round-trips through a receiving peer', () => {
    const client = record({ role: 'client' });
    const server = record();
    client.protocol.sendText('ab', { fin: false });
    client.protocol.sendText('cd', { fin: false });
    client.protocol.sendText('ef');
    server.feed(...client.take().map((e) => fromHex(e[1] as string)));
    expect(server.take()).toEqual([['text', 'abcdef']]);
  });
});

describe('misuse', () => {
  it('throws TypeError for wrong argument types', () => {
    const r = record();
    expect(() => r.protocol.sendText(42 as unknown as string)).toThrow(TypeError);
    expect(() => r.protocol.sendBinary('x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => r.protocol.sendText('x', { fin: 1 as unknown as boolean })).toThrow(TypeError);
    expect(() => r.protocol.receiveData('x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => r.protocol.sendPing(7 as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('throws TypeError for text bytes that are not UTF-8', () => {
    const r = record();
    expect(() => r.protocol.sendText(fromHex('c0 af'))).toThrow(TypeError);
    expect(r.take()).toEqual([]);
  });

  it('throws RangeError for a ping or pong payload over 125 bytes', () => {
    const r = record();
    expect(() => r.protocol.sendPing(new Uint8Array(126))).toThrow(RangeError);
    expect(() => r.protocol.sendPong('x'.repeat(126))).toThrow(RangeError);
    expect(r.protocol.sendPing(new Uint8Array(125))).toBe(true);
  });

  it('validates constructor options', () => {
    expect(() => record({ role: 'peer' as 'client' })).toThrow(TypeError);
    expect(() => record({ state: 'CLOSED' as 'OPEN' })).toThrow(TypeError);
    expect(() => record({ extensions: [{ name: 'a', rsvBits: 8 }] })).toThrow(RangeError);
    expect(
      () =>
        record({
          extensions: [
            { name: 'a', rsvBits: 4 },
            { name: 'b', rsvBits: 6 },
          ],
        }),
    ).toThrow(/already owns/);
  });

  it('a client binary frame parses back at a server', () => {
    const server = record();
    const client = record({ role: 'client' });
    client.protocol.sendBinary(concat([fromHex('00'), fromHex('ff')]));
    server.feed(fromHex(client.take()[0]![1] as string));
    expect(server.take()).toEqual([['binary', '00ff']]);
  });
});

describe('per-message send options (with an extension)', () => {
  /** The XOR extension that compresses only when not told `compress: false`, logging the options it got. */
  function optionAware(log: unknown[]): Extension {
    const inner = xorExtension();
    return {
      name: 'x-opt',
      rsvBits: 0x4,
      encode(payload, isBinary, options) {
        log.push(options);
        if (options?.compress === false) return { data: payload, rsv: 0 };
        return inner.encode!(payload, isBinary) as { data: Uint8Array; rsv: number };
      },
    };
  }

  it('hands { compress } to encode, and nothing when the caller gave no compress option', () => {
    const log: unknown[] = [];
    const r = record({ extensions: [optionAware(log)] });
    r.protocol.sendText('Hi', { compress: false });
    r.protocol.sendBinary(fromHex('01'), { compress: true });
    r.protocol.sendText('Hi');
    expect(r.take().map((e) => e[1])).toEqual(['8102' + '4869', 'c201' + '5b', 'c102' + '1233']);
    expect(log).toEqual([{ compress: false }, { compress: true }, undefined]);
  });

  it('throws TypeError for a compress or onWritten of the wrong type', () => {
    const r = record({ extensions: [optionAware([])] });
    expect(() => r.protocol.sendText('x', { compress: 'no' as unknown as boolean })).toThrow('options.compress must be a boolean');
    expect(() => r.protocol.sendText('x', { onWritten: 1 as unknown as () => void })).toThrow('options.onWritten must be a function');
  });

  it('calls onWritten(true) inside the send, right after the frame was written, with or without extensions', () => {
    for (const extensions of [[], [xorExtension()]]) {
      const r = record({ extensions });
      const marks: Array<[boolean, unknown[]]> = [];
      r.protocol.sendText('Hi', { onWritten: (written) => marks.push([written, r.take().map((e) => e[1])]) });
      expect(marks).toEqual([[true, [extensions.length === 0 ? '81024869' : 'c1021233']]]);
    }
  });

  it('calls onWritten(true) for a manual fragment, once its own frame is out', () => {
    const r = record();
    const marks: boolean[] = [];
    r.protocol.sendBinary(fromHex('01'), { fin: false, onWritten: (w) => marks.push(w) });
    expect(marks).toEqual([true]);
    expect(r.take().map((e) => e[1])).toEqual(['020101']);
  });

  it('calls onWritten later, after the frame of a message that waited for an asynchronous encode', async () => {
    const r = record({ extensions: [asyncXorExtension(5)] });
    const marks: Array<[string, boolean, unknown[]]> = [];
    const hook = (name: string) => (written: boolean) => marks.push([name, written, r.take().map((e) => e[1])]);
    r.protocol.sendText('one', { onWritten: hook('one') });
    r.protocol.sendBinary(fromHex('02'), { fin: false, onWritten: hook('frag') });
    r.protocol.sendBinary(fromHex('03'), { onWritten: hook('end') });
    expect(marks).toEqual([]);
    await transformsSettled();
    expect(marks).toEqual([
      ['one', true, [serverFrame(1, xor([utf8('one')]), { rsv1: true })]],
      ['frag', true, ['020102']],
      ['end', true, ['800103']],
    ]);
  });

  it('calls onWritten(false) for sends dropped when the connection fails before their encode finishes', async () => {
    const r = record({ extensions: [asyncXorExtension(11)] });
    const marks: Array<[string, boolean]> = [];
    r.protocol.sendText('a', { onWritten: (w) => marks.push(['a', w]) });
    r.protocol.sendText('b', { onWritten: (w) => marks.push(['b', w]) });
    r.protocol.fail(1001);
    expect(marks).toEqual([
      ['a', false],
      ['b', false],
    ]);
    await transformsSettled();
    expect(marks).toHaveLength(2);
    expect(r.take()).toEqual([
      ['write', serverClose(1001)],
      ['close', 1006, '', false],
    ]);
  });

  it('calls onWritten(false) for a send whose asynchronous encode failed, and for those behind it', async () => {
    const r = record({
      extensions: [{ name: 'x-fail', rsvBits: 0x4, encode: () => later(1, () => { throw new Error('zlib'); }) }],
    });
    const marks: Array<[string, boolean]> = [];
    r.protocol.sendText('a', { onWritten: (w) => marks.push(['a', w]) });
    r.protocol.sendText('b', { onWritten: (w) => marks.push(['b', w]) });
    await transformsSettled();
    expect(marks).toEqual([
      ['a', false],
      ['b', false],
    ]);
    expect(r.take()).toEqual([
      ['error', 'WS_ERR_EXTENSION_FAILED', 1011],
      ['write', serverClose(1011, 'Internal error')],
      ['close', 1006, '', false],
    ]);
  });

  it('does not call onWritten when the send returns false', () => {
    const r = record();
    r.protocol.sendClose(1000);
    const marks: boolean[] = [];
    expect(r.protocol.sendText('late', { onWritten: (w) => marks.push(w) })).toBe(false);
    expect(marks).toEqual([]);
  });
});

describe('sendRaw: pre-encoded frames keep message order', () => {
  it('writes at once when nothing waits, behind a pending encode otherwise, and not once closing', async () => {
    const r = record({ extensions: [asyncXorExtension(2)] });
    const raw = fromHex('810161');
    const marks: boolean[] = [];
    r.protocol.sendText('one');
    expect(r.protocol.sendRaw(raw, { onWritten: (w) => marks.push(w) })).toBe(true);
    expect([r.take(), marks]).toEqual([[], []]);
    await transformsSettled();
    expect(r.take().map((e) => e[1])).toEqual([serverFrame(1, xor([utf8('one')]), { rsv1: true }), '810161']);
    expect(marks).toEqual([true]);
    expect(r.protocol.sendRaw(raw)).toBe(true);
    expect(r.take()).toEqual([['write', '810161']]);
    r.protocol.sendClose(1000);
    expect(r.protocol.sendRaw(raw)).toBe(false);
    expect(() => r.protocol.sendRaw('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('Sender on its own (the send path without the state machine)', () => {
  function setup(extensions: Extension[] = [], isClient = false) {
    const events: Event[] = [];
    const outlets: string[] = [];
    const sender = new Sender(
      'owner',
      {
        drained: (owner) => outlets.push(`drained ${owner}`),
        fail: (owner, error, wireReason) => outlets.push(`fail ${owner} ${error.code} ${wireReason}`),
      },
      { handler: recordingHandler(events), isClient, extensions, randomMaskKey: () => RFC_KEY.slice() },
    );
    return { sender, events, outlets };
  }

  it('masks a client text frame with the injected key: the masked "Hello" of RFC 6455 §5.7', () => {
    const { sender, events } = setup([], true);
    expect(sender.writeTextNow('Hello')).toBe(true);
    expect(events).toEqual([['write', '818537fa213d7f9f4d5158']]);
  });

  it('keeps later frames and steps behind a pending encode, then tells the owner the queue drained', async () => {
    const held = heldXorExtension();
    const { sender, events, outlets } = setup([held.extension]);
    const marks: boolean[] = [];
    expect(sender.send(Opcode.Text, utf8('a'), { onWritten: (w) => marks.push(w) }, false, false)).toBe(true);
    expect(sender.writeTextNow('b')).toBe(false);
    sender.queueFrame(Opcode.Binary, fromHex('01'), true, 0, (w) => marks.push(w));
    sender.queueStep(() => events.push(['closing', 0, 'step ran']));
    expect([events, sender.queued.length]).toEqual([[], 3]);
    held.release();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(events).toEqual([
      ['write', serverFrame(1, xor([utf8('a')]), { rsv1: true })],
      ['write', '820101'],
      ['closing', 0, 'step ran'],
    ]);
    expect([marks, outlets, sender.queued.length]).toEqual([[true, true], ['drained owner'], 0]);
  });

  it('a discarded send writes nothing and returns false, but bad arguments still throw', () => {
    const { sender, events } = setup();
    expect(sender.send(Opcode.Binary, fromHex('01'), undefined, false, true)).toBe(false);
    expect(sender.sendControl(Opcode.Ping, 'x', true)).toBe(false);
    expect(sender.sendRaw(fromHex('810161'), undefined, true)).toBe(false);
    expect(() => sender.send(Opcode.Binary, fromHex('01'), { fin: 1 as unknown as boolean }, false, true)).toThrow(TypeError);
    expect(() => sender.sendControl(Opcode.Ping, new Uint8Array(126), true)).toThrow(RangeError);
    expect(events).toEqual([]);
  });

  it('drop tells every queued send it was not written; a result arriving afterwards is ignored', async () => {
    const held = heldXorExtension();
    const { sender, events, outlets } = setup([held.extension]);
    const marks: string[] = [];
    sender.send(Opcode.Text, utf8('a'), { onWritten: (w) => marks.push(`a ${w}`) }, false, false);
    sender.sendRaw(fromHex('810161'), { onWritten: (w) => marks.push(`raw ${w}`) }, false);
    sender.drop();
    expect([marks, sender.queued.length]).toEqual([['a false', 'raw false'], 0]);
    held.release();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect([events, outlets]).toEqual([[], []]);
  });

  it('an encoder that throws fails the owner with the reason withheld, and the send returns false', () => {
    const { sender, events, outlets } = setup([{ name: 'x-bad', rsvBits: 0x4, encode: () => { throw new Error('zlib'); } }]);
    expect(sender.send(Opcode.Text, utf8('a'), undefined, false, false)).toBe(false);
    expect([events, outlets]).toEqual([[], ['fail owner WS_ERR_EXTENSION_FAILED Internal error']]);
  });
});
