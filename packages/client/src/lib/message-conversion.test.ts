import { describe, expect, it } from 'vitest';
import { isBinaryType, toBuffer, toMessageData, toWhatwgData } from './message-conversion.ts';

describe('toMessageData', () => {
  const backing = Uint8Array.of(0, 1, 2, 3, 4);
  const view = backing.subarray(1, 4);

  it('hands a Buffer over the same memory by default, and Buffer[] for fragments', () => {
    const data = toMessageData(view, true, 'nodebuffer') as Buffer;
    expect(Buffer.isBuffer(data)).toBe(true);
    expect([...data]).toEqual([1, 2, 3]);
    data[0] = 9;
    expect(backing[1]).toBe(9);
    backing[1] = 1;
    const fragments = toMessageData(view, true, 'fragments') as Buffer[];
    expect(fragments.map((b) => [...b])).toEqual([[1, 2, 3]]);
  });

  it('gives an ArrayBuffer of exactly the message: the whole buffer when it is one, else a copy', () => {
    const whole = Uint8Array.of(7, 8);
    expect(toMessageData(whole, true, 'arraybuffer')).toBe(whole.buffer);
    const copy = toMessageData(view, true, 'arraybuffer') as ArrayBuffer;
    expect([...new Uint8Array(copy)]).toEqual([1, 2, 3]);
    expect(copy).not.toBe(backing.buffer);
  });

  it('makes a Blob of a binary message, but keeps text as a Buffer', async () => {
    const blob = toMessageData(view, true, 'blob');
    expect(blob).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (blob as Blob).arrayBuffer())]).toEqual([1, 2, 3]);
    expect(Buffer.isBuffer(toMessageData(view, false, 'blob'))).toBe(true);
  });
});

describe('toWhatwgData', () => {
  it('decodes text from every ws-style form and leaves binary as it is', () => {
    const text = Buffer.from('héllo');
    expect(toWhatwgData(text, false)).toBe('héllo');
    expect(toWhatwgData(new Uint8Array(text).buffer, false)).toBe('héllo');
    expect(toWhatwgData([Buffer.from('hé'), Buffer.from('llo')], false)).toBe('héllo');
    expect(toWhatwgData(text, true)).toBe(text);
  });
});

describe('isBinaryType and toBuffer', () => {
  it('knows the four binary types and nothing else', () => {
    for (const type of ['nodebuffer', 'arraybuffer', 'blob', 'fragments']) expect(isBinaryType(type)).toBe(true);
    for (const type of ['buffer', '', undefined, 1]) expect(isBinaryType(type)).toBe(false);
  });

  it('wraps a view without copying', () => {
    const backing = Uint8Array.of(5, 6, 7);
    const buffer = toBuffer(backing.subarray(1));
    expect([...buffer]).toEqual([6, 7]);
    expect(buffer.buffer).toBe(backing.buffer);
  });
});
