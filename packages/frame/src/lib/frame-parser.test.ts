import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, splitAt, toHex } from '../../test/bytes.ts';
import { parse } from '../../test/parse.ts';
import { encodeFrame } from './encode-frame.ts';
import type { Frame, FrameHeader, Role } from './frame.ts';
import { RSV1, RSV2, RSV3 } from './frame.ts';
import { ERROR_CLOSE_CODES } from '@rfc6455/codes';
import { FrameErrorCode } from './frame-error.ts';
import { FrameParser } from './frame-parser.ts';
import type { FrameParserOptions } from './parser-options.ts';

/** The fields of a frame as plain data, payload as hex, for deep equality. */
function plain(frame: Frame): Record<string, unknown> {
  return { ...frame, payload: toHex(frame.payload) };
}


describe('FrameParser: RFC 6455 §5.7 examples', () => {
  const examples: [string, Role, string, Partial<Frame>[]][] = [
    ['single-frame unmasked text', 'client', '810548656c6c6f', [{ fin: true, opcode: 1, masked: false, payloadLength: 5 }]],
    ['single-frame masked text', 'server', '818537fa213d7f9f4d5158', [{ fin: true, opcode: 1, masked: true, payloadLength: 5 }]],
    [
      'fragmented unmasked text',
      'client',
      '010348656c 80026c6f',
      [
        { fin: false, opcode: 1, payloadLength: 3 },
        { fin: true, opcode: 0, payloadLength: 2 },
      ],
    ],
    ['unmasked ping', 'client', '890548656c6c6f', [{ fin: true, opcode: 9, payloadLength: 5 }]],
    ['masked pong', 'server', '8a8537fa213d7f9f4d5158', [{ fin: true, opcode: 10, masked: true, payloadLength: 5 }]],
  ];
  for (const [name, role, hex, expected] of examples) {
    it(`${name}, whole and one byte at a time`, () => {
      const bytes = fromHex(hex);
      const whole = parse([bytes], { role });
      const bytewise = parse(splitAt(bytes, Array.from(bytes, (_, i) => i)), { role });
      for (const result of [whole, bytewise]) {
        expect(result.error).toBeUndefined();
        expect(result.frames.map((f) => new TextDecoder().decode(f.payload)).join('')).toBe('Hello');
        expect(result.frames).toHaveLength(expected.length);
        result.frames.forEach((f, i) => expect(f).toMatchObject(expected[i]!));
      }
    });
  }

  it('256-byte binary (82 7E 0100) and 64 KiB binary (82 7F 0000000000010000)', () => {
    const small = concat([fromHex('827e0100'), new Uint8Array(256).fill(1)]);
    const big = concat([fromHex('827f0000000000010000'), new Uint8Array(65536).fill(2)]);
    const { frames, error } = parse([small, big], { role: 'client' });
    expect(error).toBeUndefined();
    expect(frames.map((f) => [f.opcode, f.payloadLength, f.payload.length, f.payload[0], f.payload.at(-1)])).toEqual([
      [2, 256, 256, 1, 1],
      [2, 65536, 65536, 2, 2],
    ]);
  });
});

/** A frame to encode: arbitrary bits, a control frame only with fin and ≤ 125 bytes. */
const frameArb = fc
  .record({
    opcode: fc.constantFrom(0, 1, 2, 8, 9, 10),
    fin: fc.boolean(),
    rsv1: fc.boolean(),
    rsv2: fc.boolean(),
    rsv3: fc.boolean(),
    length: fc.oneof(
      fc.nat(130),
      fc.integer({ min: 120, max: 130 }),
      fc.integer({ min: 65530, max: 65540 }),
      fc.constantFrom(0, 125, 126, 127, 65535, 65536, 70_000),
    ),
    fill: fc.nat(255),
    maskKey: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  })
  .map((r) => {
    const control = r.opcode >= 8;
    const length = control ? r.length % 126 : r.length;
    const payload = new Uint8Array(length).map((_, i) => (r.fill + i * 7) & 0xff);
    return { ...r, fin: control ? true : r.fin, payload };
  });

describe('FrameParser: parse(encode(f)) = f under any chunking', () => {
  for (const role of ['server', 'client'] as const) {
    it(`as a ${role}`, () => {
      fc.assert(
        fc.property(
          fc.array(frameArb, { minLength: 1, maxLength: 4 }),
          fc.array(fc.nat(200_000), { maxLength: 12 }),
          fc.boolean(),
          (specs, cuts, bytewiseHead) => {
            const encoded = specs.map((s) =>
              encodeFrame(s.opcode, s.payload, {
                fin: s.fin,
                rsv1: s.rsv1,
                rsv2: s.rsv2,
                rsv3: s.rsv3,
                ...(role === 'server' ? { maskKey: s.maskKey } : {}),
              }),
            );
            const stream = concat(encoded);
            // Cuts anywhere, plus optionally every one of the first 20 bytes (split headers).
            const allCuts = bytewiseHead ? [...cuts, ...Array.from({ length: 20 }, (_, i) => i)] : cuts;
            const { frames, error, parser } = parse(splitAt(stream, allCuts.map((c) => c % (stream.length + 1))), {
              role,
              allowedRsvBits: RSV1 | RSV2 | RSV3,
            });
            expect(error).toBeUndefined();
            expect(parser.bufferedLength).toBe(0);
            expect(frames.map(plain)).toEqual(
              specs.map((s) => ({
                fin: s.fin,
                rsv1: s.rsv1,
                rsv2: s.rsv2,
                rsv3: s.rsv3,
                opcode: s.opcode,
                masked: role === 'server',
                payloadLength: s.payload.length,
                payload: toHex(s.payload),
              })),
            );
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});

describe('FrameParser: onPayloadChunk under any chunking', () => {
  it('reports unmasked pieces that add up to each spanning payload, at the right offsets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9000 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(30_000), { maxLength: 10 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (lengths, cuts, maskKey) => {
          const payloads = lengths.map((n, f) => new Uint8Array(n).map((_, i) => (i * 13 + f) & 0xff));
          const stream = concat(payloads.map((p) => encodeFrame(2, p, { maskKey })));
          const pieces = new Map<number, Uint8Array[]>();
          let frameIndex = 0;
          const frames: Frame[] = [];
          const parser = new FrameParser({
            role: 'server',
            onFrame: (f) => {
              frames.push(f);
              frameIndex++;
            },
            onPayloadChunk: (header, chunk, offset) => {
              const list = pieces.get(frameIndex) ?? [];
              expect(offset).toBe(list.reduce((n, p) => n + p.length, 0));
              expect(header.payloadLength).toBe(payloads[frameIndex]!.length);
              list.push(chunk.slice());
              pieces.set(frameIndex, list);
            },
          });
          for (const piece of splitAt(stream, cuts.map((c) => c % (stream.length + 1)))) {
            expect(parser.push(piece)).toBeUndefined();
          }
          expect(frames.map((f) => toHex(f.payload))).toEqual(payloads.map(toHex));
          for (const [index, list] of pieces) expect(toHex(concat(list))).toBe(toHex(payloads[index]!));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('FrameParser: after a violation', () => {
  it('keeps the frames before the bad one, and ignores everything after it', () => {
    const frames: Frame[] = [];
    const parser = new FrameParser({ role: 'client', onFrame: (f) => frames.push(f) });
    const err = parser.push(fromHex('8100 8300 8100'));
    expect(err?.code).toBe('WS_ERR_INVALID_OPCODE');
    expect(frames).toHaveLength(1);
    expect(parser.push(fromHex('8100'))).toBe(err);
    expect(frames).toHaveLength(1);
    expect(parser.bufferedLength).toBe(0);
  });
});

describe('FrameParser: random bytes', () => {
  it('never throws, and fails only with documented codes and close codes', () => {
    const codes = new Set<string>(Object.values(FrameErrorCode));
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(300), { maxLength: 8 }),
        fc.constantFrom<Role>('client', 'server'),
        fc.nat(7),
        (bytes, cuts, role, allowedRsvBits) => {
          const parser = new FrameParser({ role, allowedRsvBits, maxPayloadLength: 1000, onFrame: () => {} });
          for (const piece of splitAt(bytes, cuts)) {
            const err = parser.push(piece);
            if (err !== undefined) {
              expect(codes.has(err.code)).toBe(true);
              expect(err.closeCode).toBe(ERROR_CLOSE_CODES[err.code]);
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives the same frames and error under any chunking of random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(200), { maxLength: 10 }), (bytes, cuts) => {
        const whole = parse([bytes], { role: 'client', maxPayloadLength: 500 });
        const split = parse(splitAt(bytes, cuts), { role: 'client', maxPayloadLength: 500 });
        expect(split.frames.map(plain)).toEqual(whole.frames.map(plain));
        expect(split.error?.code).toBe(whole.error?.code);
      }),
      { numRuns: 500 },
    );
  });
});

describe('FrameParser: buffers and callbacks', () => {
  it('hands out a view of the chunk, unmasked in place, when the frame lies in one chunk', () => {
    const chunk = fromHex('818537fa213d7f9f4d5158');
    const frames: Frame[] = [];
    new FrameParser({ role: 'server', onFrame: (f) => frames.push(f) }).push(chunk);
    const payload = frames[0]!.payload;
    expect(payload.buffer).toBe(chunk.buffer);
    expect(payload.byteOffset).toBe(6);
    expect(toHex(chunk.subarray(6))).toBe('48656c6c6f');
  });

  it('copies a frame that spans chunks once into a buffer of its exact size', () => {
    const frames: Frame[] = [];
    const parser = new FrameParser({ role: 'client', onFrame: (f) => frames.push(f) });
    parser.push(fromHex('8205 6869'));
    expect(parser.bufferedLength).toBe(2);
    parser.push(fromHex('21'));
    expect(parser.bufferedLength).toBe(3);
    parser.push(fromHex('2122 8100'));
    expect(parser.bufferedLength).toBe(0);
    expect(frames.map((f) => toHex(f.payload))).toEqual(['6869212122', '']);
    expect(frames[0]!.payload.buffer.byteLength).toBe(5);
  });

  it('counts header bytes held between chunks', () => {
    const parser = new FrameParser({ role: 'server', onFrame: () => {} });
    parser.push(fromHex('81'));
    expect(parser.bufferedLength).toBe(1);
    parser.push(fromHex('8537fa'));
    expect(parser.bufferedLength).toBe(4);
  });

  it('reports unmasked payload pieces with their offsets while a frame spans chunks', () => {
    const seen: [FrameHeader, string, number][] = [];
    const frames: Frame[] = [];
    const parser = new FrameParser({
      role: 'server',
      onFrame: (f) => frames.push(f),
      onPayloadChunk: (header, chunk, offset) => seen.push([{ ...header }, toHex(chunk), offset]),
    });
    const bytes = fromHex('818537fa213d7f9f4d5158');
    parser.push(bytes.slice(0, 7));
    parser.push(bytes.slice(7, 9));
    parser.push(bytes.slice(9));
    const header = { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: true, payloadLength: 5 };
    expect(seen).toEqual([
      [header, '48', 0],
      [header, '656c', 1],
      [header, '6c6f', 3],
    ]);
    expect(toHex(frames[0]!.payload)).toBe('48656c6c6f');
  });

  it('calls onFrame and onPayloadChunk with thisArg as this, one function pair serving two parsers', () => {
    type Sink = { name: string; seen: string[] };
    function onFrame(this: Sink, f: Frame): void {
      this.seen.push(`${this.name} frame ${toHex(f.payload)}`);
    }
    function onPayloadChunk(this: Sink, _header: FrameHeader, chunk: Uint8Array, offset: number): void {
      this.seen.push(`${this.name} chunk ${toHex(chunk)}@${offset}`);
    }
    const a: Sink = { name: 'a', seen: [] };
    const b: Sink = { name: 'b', seen: [] };
    const pa = new FrameParser({ role: 'server', onFrame, onPayloadChunk, thisArg: a });
    const pb = new FrameParser({ role: 'server', onFrame, thisArg: b });
    // "Hello" masked with 37fa213d (RFC 6455 §5.7), and "Hi" masked with 01020304: while a's frame
    // waits for its rest, b unmasks a whole frame with another key; a's key must survive that.
    const hello = fromHex('818537fa213d7f9f4d5158');
    pa.push(hello.slice(0, 4));
    pb.push(fromHex('8182 01020304 496b'));
    pa.push(hello.slice(4, 8));
    pa.push(hello.slice(8));
    expect(a.seen).toEqual(['a chunk 4865@0', 'a chunk 6c6c6f@2', 'a frame 48656c6c6f']);
    expect(b.seen).toEqual(['b frame 4869']);
  });

  it('stops inside onFrame: the rest of the chunk and later chunks are ignored', () => {
    const frames: Frame[] = [];
    const parser = new FrameParser({
      role: 'client',
      onFrame: (f) => {
        frames.push(f);
        if (f.opcode === 8) parser.stop();
      },
    });
    expect(parser.push(fromHex('8100 8802 03e8 8100'))).toBeUndefined();
    expect(parser.push(fromHex('8100'))).toBeUndefined();
    expect(frames.map((f) => f.opcode)).toEqual([1, 8]);
    expect(parser.stopped).toBe(true);
    expect(parser.error).toBeUndefined();
  });

  it('stops inside onPayloadChunk without delivering the frame', () => {
    const frames: Frame[] = [];
    const parser = new FrameParser({
      role: 'client',
      onFrame: (f) => frames.push(f),
      onPayloadChunk: () => parser.stop(),
    });
    parser.push(fromHex('8103 41'));
    parser.push(fromHex('4242'));
    expect(frames).toHaveLength(0);
    expect(parser.bufferedLength).toBe(0);
  });

  it('applies allowedRsvBits and maxPayloadLength changed between pushes', () => {
    const frames: Frame[] = [];
    const parser = new FrameParser({ role: 'client', onFrame: (f) => frames.push(f) });
    parser.allowedRsvBits = RSV1;
    parser.maxPayloadLength = 2;
    expect(parser.push(fromHex('c1026869'))).toBeUndefined();
    expect(frames[0]?.rsv1).toBe(true);
    expect(parser.push(fromHex('8103'))?.code).toBe('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
  });

  it('fails a frame held in more pieces than maxBufferedChunks with WS_ERR_TOO_MANY_BUFFERED_PARTS (1008)', () => {
    const frames: Frame[] = [];
    const parser = new FrameParser({ role: 'client', maxBufferedChunks: 3, onFrame: (f) => frames.push(f) });
    // A 5-byte payload, one byte per push: the header push holds no piece, then pieces 1, 2, 3.
    for (const hex of ['8205', '41', '42', '43']) expect(parser.push(fromHex(hex))).toBeUndefined();
    const error = parser.push(fromHex('44'));
    expect([error?.code, error?.closeCode]).toEqual(['WS_ERR_TOO_MANY_BUFFERED_PARTS', 1008]);
    expect(frames).toHaveLength(0);
    expect(parser.bufferedLength).toBe(0);
    // The same frame in three pieces is within the limit.
    const fine = new FrameParser({ role: 'client', maxBufferedChunks: 3, onFrame: (f) => frames.push(f) });
    for (const hex of ['8205', '4142', '43', '4445']) expect(fine.push(fromHex(hex))).toBeUndefined();
    expect(Buffer.from(frames[0]!.payload).toString()).toBe('ABCDE');
    expect(() => new FrameParser({ role: 'client', maxBufferedChunks: 0, onFrame: () => undefined })).toThrow(RangeError);
  });

  it('lets an exception from onFrame propagate and stops', () => {
    const parser = new FrameParser({
      role: 'client',
      onFrame: () => {
        throw new Error('boom');
      },
    });
    expect(() => parser.push(fromHex('8100'))).toThrow('boom');
    expect(parser.stopped).toBe(true);
  });

  it('refuses misuse at once', () => {
    const onFrame = (): void => {};
    expect(() => new FrameParser({ role: 'peer' as Role, onFrame })).toThrow(TypeError);
    expect(() => new FrameParser({ role: 'client' } as FrameParserOptions)).toThrow(TypeError);
    expect(() => new FrameParser({ role: 'client', onFrame, maxPayloadLength: -1 })).toThrow(RangeError);
    expect(() => new FrameParser({ role: 'client', onFrame, allowedRsvBits: 8 })).toThrow(RangeError);
    const parser = new FrameParser({ role: 'client', onFrame });
    expect(() => parser.push('81' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => {
      parser.maxPayloadLength = Number.NaN;
    }).toThrow(RangeError);
    const reentrant: FrameParser = new FrameParser({ role: 'client', onFrame: () => reentrant.push(fromHex('8100')) });
    expect(() => reentrant.push(fromHex('8100'))).toThrow(/inside onFrame/);
  });
});
