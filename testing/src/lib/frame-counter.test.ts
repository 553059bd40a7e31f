import { describe, expect, it } from 'vitest';
import { encodeFrame } from './encode-frame.ts';
import { FrameCounter } from './frame-counter.ts';

describe('FrameCounter', () => {
  const stream = Buffer.concat([
    encodeFrame({ opcode: 2, payload: new Uint8Array(5) }),
    encodeFrame({ opcode: 9, payload: 'ping' }),
    encodeFrame({ opcode: 1, payload: 'frag', fin: false }),
    encodeFrame({ opcode: 0, payload: 'ment' }),
    encodeFrame({ opcode: 2, payload: new Uint8Array(300) }),
    encodeFrame({ opcode: 2 }),
    encodeFrame({ opcode: 1, payload: new Uint8Array(70_000) }),
    encodeFrame({ opcode: 8, payload: Uint8Array.of(3, 0xe8) }),
  ]);

  it('counts final data frames only, skipping control frames and unfinished fragments', () => {
    expect(new FrameCounter().push(stream)).toBe(5);
  });

  it('counts the same whatever the chunk boundaries, headers cut included', () => {
    for (const step of [1, 2, 3, 7, 100, 65536]) {
      const counter = new FrameCounter();
      let total = 0;
      for (let at = 0; at < stream.length; at += step) total += counter.push(stream.subarray(at, at + step));
      expect(total).toBe(5);
    }
  });

  it('counts a frame only once its payload is complete', () => {
    const counter = new FrameCounter();
    const frame = encodeFrame({ opcode: 2, payload: new Uint8Array(10) });
    expect(counter.push(frame.subarray(0, 11))).toBe(0);
    expect(counter.push(frame.subarray(11))).toBe(1);
  });
});
