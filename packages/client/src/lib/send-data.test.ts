import { describe, expect, it } from 'vitest';
import { byteLengthOf, checkMask, controlArguments, fromWsData, isSendData, toBytes, toControlPayload } from './send-data.ts';

describe('byteLengthOf', () => {
  it('counts UTF-8 bytes of a string (a lone surrogate as the 3 of U+FFFD) and the bytes of the rest', () => {
    expect(byteLengthOf('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(byteLengthOf('\ud800')).toBe(3);
    expect(byteLengthOf(new Uint16Array(3))).toBe(6);
    expect(byteLengthOf(new ArrayBuffer(4))).toBe(4);
    expect(byteLengthOf(new Blob(['abc']))).toBe(3);
  });
});

describe('isSendData and toBytes', () => {
  it('accepts strings, buffers, views and Blobs only', () => {
    for (const data of ['', new ArrayBuffer(0), new DataView(new ArrayBuffer(1)), Buffer.alloc(1), new Blob([])]) expect(isSendData(data)).toBe(true);
    for (const data of [1, null, undefined, {}, [1]]) expect(isSendData(data)).toBe(false);
  });

  it('views the same memory as the data, exactly its bytes', () => {
    const backing = new Uint8Array([1, 2, 3, 4]);
    const bytes = toBytes(new DataView(backing.buffer, 1, 2));
    expect([...bytes]).toEqual([2, 3]);
    expect(bytes.buffer).toBe(backing.buffer);
    expect(toBytes(backing)).toBe(backing);
    expect([...toBytes(backing.buffer)]).toEqual([1, 2, 3, 4]);
  });
});

describe('toControlPayload', () => {
  it('takes a number as its decimal text (as ws does) and refuses a Blob or another type', () => {
    expect(toControlPayload(undefined)).toBeUndefined();
    expect(toControlPayload(42)).toBe('42');
    expect(toControlPayload('x')).toBe('x');
    expect([...(toControlPayload(Uint8Array.of(1, 2)) as Uint8Array)]).toEqual([1, 2]);
    expect(() => toControlPayload(new Blob(['x']))).toThrow(/not a Blob/);
    expect(() => toControlPayload({} as unknown as string)).toThrow(TypeError);
  });
});

describe("ws's data types and arguments", () => {
  it('fromWsData: a number is its text, undefined and null an empty binary message, arrays and objects their Buffer.from() bytes', () => {
    expect(fromWsData(1.5)).toBe('1.5');
    expect(fromWsData(undefined)).toEqual(new Uint8Array(0));
    expect(fromWsData(null)).toEqual(new Uint8Array(0));
    expect(Buffer.from(fromWsData([1, 2, 300]) as Uint8Array).toString('hex')).toBe('01022c');
    expect(Buffer.from(fromWsData({ valueOf: () => 'ab' }) as Uint8Array).toString()).toBe('ab');
    const view = new Uint8Array([9]);
    expect(fromWsData(view)).toBe(view);
    expect(() => fromWsData(Symbol('s'))).toThrow(TypeError);
    expect(() => fromWsData({})).toThrow(TypeError);
  });

  it('checkMask: only the value RFC 6455 §5.1 gives the role', () => {
    expect(() => checkMask(true, false, 'send')).not.toThrow();
    expect(() => checkMask(false, true, 'send')).not.toThrow();
    expect(() => checkMask(undefined, true, 'send')).not.toThrow();
    expect(() => checkMask(false, false, 'send')).toThrow(/mask: false on a client/);
    expect(() => checkMask(true, true, 'send')).toThrow(/mask: true on a server-role socket/);
    expect(() => checkMask(1, false, 'send')).toThrow(/mask must be a boolean/);
  });

  it('controlArguments: the callback in any place after the data, the payload as a number\'s text', () => {
    const cb = (): void => undefined;
    expect(controlArguments(true, false, cb, undefined, undefined)).toEqual({ payload: undefined, cb });
    expect(controlArguments(true, false, 42, cb, undefined)).toEqual({ payload: '42', cb });
    expect(controlArguments(false, false, 'x', true, cb)).toEqual({ payload: 'x', cb });
    expect(() => controlArguments(true, false, 'x', true, 'nope')).toThrow(/ping\(data, mask, cb\): cb must be a function/);
    expect(() => controlArguments(false, true, 'x', true, undefined)).toThrow(/pong\(data, mask\): mask: true/);
  });
});
