import { describe, expect, it } from 'vitest';
import { SINGLE_WRITE_MAX } from './protocol.ts';
import { concat, frame, fromHex, record, serverFrame, toHex, utf8 } from '../../test/recorder.ts';

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
