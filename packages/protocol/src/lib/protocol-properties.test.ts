import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame } from '@rfc6455/frame';
import { isValidCloseCode } from '@rfc6455/codes';
import type { Extension } from './extension.ts';
import { concat, fromHex, record, utf8 } from '../../test/recorder.ts';
import type { Event } from '../../test/recorder.ts';
import type { ProtocolOptions } from './protocol.ts';

/** A frame as the generator describes it; encoded masked (to a server) or not (to a client). */
interface FrameSpec {
  opcode: number;
  fin: boolean;
  rsv1: boolean;
  payload: Uint8Array;
  key: Uint8Array;
}

const keyArb = fc.uint8Array({ minLength: 4, maxLength: 4 });

/** A message split into 1–4 fragments, with control frames sometimes between them. */
const messageArb = fc
  .record({
    binary: fc.boolean(),
    text: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }).map(utf8), fc.uint8Array({ maxLength: 40 })),
    cuts: fc.array(fc.nat(40), { maxLength: 3 }),
    pings: fc.array(fc.uint8Array({ maxLength: 10 }), { maxLength: 2 }),
    key: keyArb,
  })
  .map(({ binary, text, cuts, pings, key }): FrameSpec[] => {
    const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
    const pieces: Uint8Array[] = [];
    let from = 0;
    for (const point of points) {
      pieces.push(text.subarray(from, point));
      from = point;
    }
    pieces.push(text.subarray(from));
    const frames: FrameSpec[] = [];
    pieces.forEach((piece, i) => {
      frames.push({ opcode: i === 0 ? (binary ? 2 : 1) : 0, fin: i === pieces.length - 1, rsv1: false, payload: piece, key });
      const ping = pings[i];
      if (ping !== undefined && i < pieces.length - 1) frames.push({ opcode: 9, fin: true, rsv1: false, payload: ping, key });
    });
    return frames;
  });

const controlArb = fc.record({
  opcode: fc.constantFrom(9, 10),
  fin: fc.constant(true),
  rsv1: fc.constant(false),
  payload: fc.uint8Array({ maxLength: 125 }),
  key: keyArb,
});

const closeArb = fc
  .record({ code: fc.constantFrom(1000, 1001, 1005, 1004, 3000, 4999, 999), reason: fc.string({ maxLength: 20 }), key: keyArb })
  .map(({ code, reason, key }): FrameSpec => ({
    opcode: 8,
    fin: true,
    rsv1: false,
    payload: code === 1005 ? new Uint8Array(0) : concat([new Uint8Array([code >> 8, code & 0xff]), utf8(reason)]),
    key,
  }));

/** Any frame at all: every opcode, RSV1, FIN, payload lengths across the 7- and 16-bit forms. */
const wildFrameArb = fc.record({
  opcode: fc.integer({ min: 0, max: 15 }),
  fin: fc.boolean(),
  rsv1: fc.boolean(),
  payload: fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 126, maxLength: 300 })),
  key: keyArb,
});

const streamArb = fc
  .array(fc.oneof({ weight: 6, arbitrary: messageArb }, { weight: 2, arbitrary: controlArb.map((f) => [f]) }, { weight: 1, arbitrary: wildFrameArb.map((f) => [f]) }), {
    maxLength: 8,
  })
  .chain((groups) => fc.tuple(fc.constant(groups.flat()), fc.option(closeArb, { nil: undefined })))
  .map(([frames, close]) => (close === undefined ? frames : [...frames, close]));

/** Encode frames the way a peer would, bypassing the encoder's own argument checks for wild control frames. */
function encode(frames: readonly FrameSpec[], masked: boolean): Uint8Array {
  return concat(
    frames.map((f) => {
      if (f.opcode >= 8 && (f.payload.length > 125 || !f.fin)) {
        // encodeFrame refuses these; build the header by hand so the peer can send them anyway.
        const body = encodeFrame(2, f.payload, { fin: f.fin, rsv1: f.rsv1, ...(masked ? { maskKey: f.key } : {}) });
        body[0] = (body[0]! & 0xf0) | f.opcode;
        return body;
      }
      return encodeFrame(f.opcode, f.payload, { fin: f.fin, rsv1: f.rsv1, ...(masked ? { maskKey: f.key } : {}) });
    }),
  );
}

/** Split `bytes` at the given points into copies. */
function chunk(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    out.push(bytes.slice(from, point));
    from = point;
  }
  out.push(bytes.slice(from));
  return out;
}

const xorRsv1: Extension = {
  name: 'x-xor',
  rsvBits: 0x4,
  decode: (fragments) => concat(fragments).map((b) => b ^ 0x5a),
};

function run(options: Partial<ProtocolOptions>, chunks: readonly Uint8Array[], eof: boolean): Event[] {
  const r = record(options);
  r.feed(...chunks);
  if (eof) r.protocol.receiveEof();
  return r.events;
}

const ALLOWED_FAILURE_CODES = new Set([1002, 1007, 1008, 1009]);

/** Invariants every event log must satisfy after end of stream. */
function checkEnding(events: readonly Event[]): void {
  const closes = events.filter((e) => e[0] === 'close');
  expect(closes).toHaveLength(1);
  expect(events.at(-1)?.[0]).toBe('close');
  const [, code, , wasClean] = closes[0] as ['close', number, string, boolean];
  expect(code === 1005 || code === 1006 || isValidCloseCode(code)).toBe(true);
  const errors = events.filter((e) => e[0] === 'error') as ['error', string, number][];
  expect(errors.length).toBeLessThanOrEqual(1);
  for (const [, errorCode, closeCode] of errors) {
    expect(errorCode).toMatch(/^WS_ERR_[A-Z0-9_]+$/);
    expect(ALLOWED_FAILURE_CODES.has(closeCode)).toBe(true);
    expect(wasClean).toBe(false);
  }
  // The close frame we wrote (server role: unmasked) carries a code that may be sent.
  const closeWrites = events.filter((e) => e[0] === 'write' && (e[1] as string).startsWith('88'));
  expect(closeWrites.length).toBeLessThanOrEqual(1);
  for (const [, hex] of closeWrites) {
    const bytes = fromHex(hex as string);
    if (bytes.length >= 4) expect(isValidCloseCode((bytes[2]! << 8) | bytes[3]!)).toBe(true);
  }
}

describe('properties', () => {
  it('any chunking of the input gives the same events (server, with an RSV1 extension)', () => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(), { maxLength: 12 }), (frames, cuts) => {
        const bytes = encode(frames, true);
        const options = { extensions: [xorRsv1], maxMessageLength: 200, maxFragments: 3 };
        const whole = run(options, [bytes.slice()], true);
        const chunked = run(options, chunk(bytes, cuts), true);
        expect(chunked).toEqual(whole);
        checkEnding(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('any chunking of the input gives the same events (client, byte by byte)', () => {
    fc.assert(
      fc.property(streamArb, (frames) => {
        const bytes = encode(frames, false);
        const whole = run({ role: 'client' }, [bytes.slice()], true);
        const bytewise = run({ role: 'client' }, chunk(bytes, Array.from(bytes.keys())), true);
        expect(bytewise).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });

  it('random bytes never throw out of receiveData and always end in an allowed close', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constantFrom<'client' | 'server'>('client', 'server'),
        (bytes, cuts, role) => {
          const events = run({ role }, chunk(bytes, cuts), true);
          checkEnding(role === 'server' ? events : events.filter((e) => e[0] !== 'write'));
        },
      ),
      { numRuns: 300 },
    );
  });
});
