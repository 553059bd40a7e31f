import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes.ts';
import { EXAMPLE_MASK_KEY, RSV1, closePayload, encodeFrame } from './encode-frame.ts';
import { FrameReader, readFrames } from './frame-reader.ts';

const summary = (f: { fin: boolean; rsv: number; opcode: number; masked: boolean; payload: Buffer; violation?: string }) => [f.fin, f.rsv, f.opcode, f.masked, f.payload.toString('hex'), f.violation];

describe('FrameReader', () => {
  it('reads the examples of RFC 6455 §5.7, unmasking and keeping the exact bytes', () => {
    const wire = fromHex('818537fa213d7f9f4d5158 010348656c 80026c6f 8a05 48656c6c6f');
    const frames = readFrames(wire);
    expect(frames.map(summary)).toEqual([
      [true, 0, 1, true, '48656c6c6f', undefined],
      [false, 0, 1, false, '48656c', undefined],
      [true, 0, 0, false, '6c6f', undefined],
      [true, 0, 10, false, '48656c6c6f', undefined],
    ]);
    expect(frames.map((f) => toHex(f.raw))).toEqual(['818537fa213d7f9f4d5158', '010348656c', '80026c6f', '8a0548656c6c6f']);
  });

  it('gives the same frames whatever the chunking, holding back a frame cut short', () => {
    const wire = Buffer.concat([
      encodeFrame({ opcode: 2, payload: new Uint8Array(300).fill(7), mask: EXAMPLE_MASK_KEY }),
      encodeFrame({ opcode: 2, payload: new Uint8Array(70_000).fill(9), mask: EXAMPLE_MASK_KEY }),
      encodeFrame({ opcode: 8, payload: closePayload(1000), mask: EXAMPLE_MASK_KEY }),
    ]);
    const whole = readFrames(wire).map(summary);
    expect(whole.map((f) => [f[2], (f[4] as string).length / 2])).toEqual([[2, 300], [2, 70_000], [8, 2]]);
    for (const step of [1, 3, 13, 4096]) {
      const reader = new FrameReader({ expectMasked: true });
      const got = [];
      for (let at = 0; at < wire.length; at += step) got.push(...reader.push(wire.subarray(at, at + step)));
      expect(got.map(summary)).toEqual(whole);
      expect(reader.buffered).toBe(0);
    }
    const reader = new FrameReader();
    expect(reader.push(wire.subarray(0, 200))).toEqual([]);
    expect(reader.buffered).toBe(200);
  });

  it('names what RFC 6455 forbids a sender', () => {
    const fromServer = new FrameReader({ expectMasked: false });
    const violations = (reader: FrameReader, ...frames: Buffer[]) => reader.push(Buffer.concat(frames)).map((f) => f.violation);
    expect(
      violations(
        fromServer,
        encodeFrame({ opcode: 1, payload: 'x', mask: true }),
        encodeFrame({ opcode: 1, payload: 'x', rsv: RSV1 }),
        encodeFrame({ opcode: 3 }),
        encodeFrame({ opcode: 9, fin: false }),
        encodeFrame({ opcode: 10, payload: new Uint8Array(126) }),
        encodeFrame({ opcode: 2, payload: 'ok' }),
      ),
    ).toEqual(['masked frame from a server', 'reserved bits 4 set', 'reserved opcode 3', 'fragmented or oversized control frame', 'fragmented or oversized control frame', undefined]);
    expect(violations(new FrameReader({ expectMasked: true }), encodeFrame({ opcode: 1, payload: 'x' }))).toEqual(['unmasked frame from a client']);
    expect(violations(new FrameReader(), encodeFrame({ opcode: 1, mask: true }), encodeFrame({ opcode: 1 }))).toEqual([undefined, undefined]);
  });

  it('allows RSV1 on data frames only once permessage-deflate is negotiated', () => {
    const deflate = new FrameReader({ allowRsv1: true });
    const frames = deflate.push(Buffer.concat([encodeFrame({ opcode: 1, rsv: RSV1 }), encodeFrame({ opcode: 0, rsv: RSV1 }), encodeFrame({ opcode: 9, rsv: RSV1 }), encodeFrame({ opcode: 2, rsv: 0b110 })]));
    expect(frames.map((f) => f.violation)).toEqual([undefined, 'reserved bits 4 set', 'reserved bits 4 set', 'reserved bits 6 set']);
  });
});
