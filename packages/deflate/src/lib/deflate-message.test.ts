import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { SYNC_DEFLATE_MAX_LENGTH, deflateMessage, stripSyncFlushTail } from './deflate-message.ts';
import { ZlibLimiter } from './zlib-limiter.ts';

const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');
const TAIL = Buffer.from([0, 0, 0xff, 0xff]);

/** RFC 7692 §7.2.2: put the tail back and inflate, with the window the peer negotiated. */
function inflate(data: Uint8Array, windowBits = 15): Uint8Array {
  return zlib.inflateRawSync(Buffer.concat([data, TAIL]), { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

/** Compressible text of `n` bytes. */
function sample(n: number): Uint8Array {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `{"id":${i},"name":"item ${i % 97}"},`;
  return new TextEncoder().encode(s.slice(0, n));
}

describe('deflateMessage', () => {
  it('is zlib raw DEFLATE with a sync flush, minus the 00 00 ff ff tail (RFC 7692 §7.2.1)', () => {
    const payload = sample(3000);
    const expected = zlib.deflateRawSync(payload, { windowBits: 12, level: 9, memLevel: 5, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const data = deflateMessage(payload, { windowBits: 12, level: 9, memLevel: 5 });
    expect(hex(expected.subarray(-4))).toBe('0000ffff');
    expect(hex(data as Uint8Array)).toBe(hex(expected.subarray(0, expected.length - 4)));
    expect(hex(inflate(data as Uint8Array, 12))).toBe(hex(payload));
  });

  it('compresses an empty message to the single byte 00 (§7.2.3.6)', () => {
    expect(hex(deflateMessage(new Uint8Array(0), { windowBits: 15, sync: true }))).toBe('00');
  });

  it('compresses a negotiated window of 8 with 9, readable by a strict 8-bit inflater', () => {
    // Repeats 300 bytes apart: a 9-bit window could reach them, an 8-bit one cannot.
    const block = new Uint8Array(randomBytes(300));
    const payload = new Uint8Array([...block, ...block, ...block, ...block]);
    const data = deflateMessage(payload, { windowBits: 8, sync: true });
    const nine = zlib.deflateRawSync(payload, { windowBits: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(hex(data)).toBe(hex(nine.subarray(0, nine.length - 4)));
    expect(hex(inflate(data, 8))).toBe(hex(payload));
  });

  it(`runs on the calling thread up to ${SYNC_DEFLATE_MAX_LENGTH} bytes and on the thread pool above, through the limiter`, async () => {
    const limiter = new ZlibLimiter(1);
    const run = vi.spyOn(limiter, 'run');
    const small = sample(SYNC_DEFLATE_MAX_LENGTH);
    const large = sample(SYNC_DEFLATE_MAX_LENGTH + 1);
    const direct = deflateMessage(small, { windowBits: 15, limiter });
    expect(direct).toBeInstanceOf(Uint8Array);
    const later = deflateMessage(large, { windowBits: 15, limiter });
    expect(later).toBeInstanceOf(Promise);
    expect([run.mock.calls.length, limiter.active]).toEqual([1, 1]);
    const data = await later;
    expect(limiter.active).toBe(0);
    expect(hex(data)).toBe(hex(deflateMessage(large, { windowBits: 15, sync: true })));
    expect(hex(inflate(data))).toBe(hex(large));
  });

  it('sync: true keeps a large payload on the calling thread', () => {
    const limiter = new ZlibLimiter(1);
    const run = vi.spyOn(limiter, 'run');
    const payload = sample(200_000);
    const data = deflateMessage(payload, { windowBits: 10, sync: true, limiter });
    expect(run).not.toHaveBeenCalled();
    expect(hex(inflate(data, 10))).toBe(hex(payload));
  });

  it('refuses bad arguments at once, naming what is wrong', () => {
    const payload = sample(10);
    expect(() => deflateMessage('text' as never, { windowBits: 15 })).toThrow(TypeError);
    expect(() => deflateMessage(payload, { windowBits: 16 })).toThrow('deflateMessage: windowBits must be an integer from 8 to 15, got 16.');
    expect(() => deflateMessage(payload, { windowBits: 15, level: 10 })).toThrow(/level/);
    expect(() => deflateMessage(payload, { windowBits: 15, memLevel: 0 })).toThrow(/memLevel/);
    expect(() => deflateMessage(payload, { windowBits: 15, threshold: 0 } as never)).toThrow(
      'deflateMessage: unknown option "threshold"; deflateMessage always compresses: decide on a threshold before calling it.',
    );
    expect(() => deflateMessage(payload, { windowBits: 15, memlevel: 8 } as never)).toThrow('deflateMessage: unknown option "memlevel"; did you mean "memLevel"?');
    expect(() => deflateMessage(payload, { windowBits: 15, limiter: {} as never })).toThrow(/ZlibLimiter/);
  });
});

describe('stripSyncFlushTail', () => {
  it('removes the tail, and refuses output that does not end with one', () => {
    expect(hex(stripSyncFlushTail(new Uint8Array([1, 2, 0, 0, 0xff, 0xff])))).toBe('0102');
    expect(hex(stripSyncFlushTail(new Uint8Array([0, 0, 0xff, 0xff])))).toBe('00');
    expect(() => stripSyncFlushTail(new Uint8Array([1, 2, 3]))).toThrow(/sync flush/);
  });
});
