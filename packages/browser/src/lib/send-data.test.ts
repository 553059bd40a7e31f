import { describe, expect, it } from 'vitest';
import { sendDataByteLength } from './send-data.ts';

describe('sendDataByteLength', () => {
  it('measures every kind of data send() takes', () => {
    expect(sendDataByteLength('héllo')).toBe(6);
    expect(sendDataByteLength('😀\ud800')).toBe(7);
    expect(sendDataByteLength(new ArrayBuffer(7))).toBe(7);
    expect(sendDataByteLength(new Uint16Array(3))).toBe(6);
    expect(sendDataByteLength(new DataView(new ArrayBuffer(9), 2, 4))).toBe(4);
    expect(sendDataByteLength(new Blob(['abc', new Uint8Array(2)]))).toBe(5);
  });

  it('throws TypeError for anything else', () => {
    expect(() => sendDataByteLength({} as unknown as string)).toThrow(TypeError);
    expect(() => sendDataByteLength(null as unknown as string)).toThrow(TypeError);
  });
});
