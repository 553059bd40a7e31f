/**
 * Structured byte-stream arbitraries: sequences of valid-ish WebSocket frames (RFC 6455 §5.2),
 * built field by field, then mutated (bit flips, overwritten bytes, truncation, inserted bytes)
 * and cut into chunks. Inputs are kept as hex so a counterexample is plain JSON in the corpus.
 */
import { encodeFrame, toHex } from '@rfc6455/testing';
import fc from 'fast-check';

/** A byte-stream input: who receives it, the bytes (hex), where to cut them, and the limits. */
export interface WireInput {
  role: 'client' | 'server';
  hex: string;
  cuts: number[];
  limits: { maxPayloadLength: number; maxMessageLength: number; maxFragments: number };
}

interface FrameSpec {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  mask: number[];
  payload: Uint8Array;
  lengthForm: 'min' | '16' | '64' | 'huge';
}

/** Encode one frame spec, with the length written in the chosen form (possibly not minimal, possibly a lie). */
function encodeSpec(f: FrameSpec, hugeLength: number): Uint8Array {
  const form = { min: 'minimal', '16': '16-bit', '64': '64-bit', huge: '64-bit' } as const;
  return encodeFrame({
    opcode: f.opcode,
    payload: f.payload,
    fin: f.fin,
    rsv: f.rsv,
    mask: f.masked ? Uint8Array.from(f.mask) : false,
    lengthForm: form[f.lengthForm],
    ...(f.lengthForm === 'huge' ? { announcedLength: hugeLength } : {}),
  });
}

const closeCodeArb = fc.oneof(
  fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999),
  fc.constantFrom(0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535),
  fc.integer({ min: 0, max: 65535 }),
);

const textBytes = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => new TextEncoder().encode(s));

function payloadFor(opcode: number): fc.Arbitrary<Uint8Array> {
  if (opcode === 0x8) {
    return fc.oneof(
      fc.constant(new Uint8Array(0)),
      fc.tuple(closeCodeArb, textBytes).map(([code, reason]) => Uint8Array.from([code >> 8, code & 0xff, ...reason.slice(0, 123)])),
      fc.uint8Array({ maxLength: 3 }),
    );
  }
  if (opcode === 0x1 || opcode === 0x0) return fc.oneof(textBytes, fc.uint8Array({ maxLength: 40 }));
  if (opcode >= 0x8) return fc.oneof(fc.uint8Array({ maxLength: 125 }), fc.uint8Array({ minLength: 126, maxLength: 140 }));
  return fc.oneof({ weight: 6, arbitrary: fc.uint8Array({ maxLength: 64 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 126, maxLength: 2000 }) });
}

function frameArb(role: 'client' | 'server'): fc.Arbitrary<FrameSpec> {
  const opcode = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(0x0, 0x1, 0x2, 0x8, 0x9, 0xa) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) },
  );
  return opcode.chain((op) =>
    fc.record({
      fin: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      rsv: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) }),
      opcode: fc.constant(op),
      // A server receives masked frames, a client unmasked ones (RFC 6455 §5.1); sometimes the wrong way.
      masked: fc.oneof({ weight: 9, arbitrary: fc.constant(role === 'server') }, { weight: 1, arbitrary: fc.constant(role !== 'server') }),
      mask: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
      payload: payloadFor(op),
      lengthForm: fc.oneof(
        { weight: 12, arbitrary: fc.constant('min' as const) },
        { weight: 1, arbitrary: fc.constantFrom('16' as const, '64' as const, 'huge' as const) },
      ),
    }),
  );
}

/** A mutation applied to the encoded stream; positions are taken modulo the stream's length. */
type Mutation = { kind: 'flip'; pos: number; bit: number } | { kind: 'set'; pos: number; value: number } | { kind: 'truncate'; pos: number } | { kind: 'insert'; pos: number; bytes: number[] };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 10 }) }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = bytes;
  for (const m of mutations) {
    if (out.length === 0) break;
    const pos = m.pos % out.length;
    if (m.kind === 'flip') out[pos] = out[pos]! ^ (1 << m.bit);
    else if (m.kind === 'set') out[pos] = m.value;
    else if (m.kind === 'truncate') out = out.slice(0, pos);
    else {
      const next = new Uint8Array(out.length + m.bytes.length);
      next.set(out.subarray(0, pos), 0);
      next.set(m.bytes, pos);
      next.set(out.subarray(pos), pos + m.bytes.length);
      out = next;
    }
  }
  return out;
}

/** Streams of frames for `role` to receive, mostly valid, some mutated, cut anywhere, under varied limits. */
export function wireInputArb(): fc.Arbitrary<WireInput> {
  return fc.constantFrom('client' as const, 'server' as const).chain((role) =>
    fc
      .record({
        frames: fc.array(frameArb(role), { maxLength: 12 }),
        mutations: fc.oneof({ weight: 2, arbitrary: fc.constant([] as Mutation[]) }, { weight: 3, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) }),
        hugeLength: fc.constantFrom(2 ** 63, 2 ** 62, 2 ** 53, 2 ** 53 - 1, 2 ** 32, 70_000, 0x7fff_ffff),
        cuts: fc.array(fc.nat(), { maxLength: 8 }),
        limits: fc.record({
          maxPayloadLength: fc.constantFrom(0, 125, 1024, 64 * 1024 * 1024),
          maxMessageLength: fc.constantFrom(1, 100, 4096, 64 * 1024 * 1024),
          maxFragments: fc.constantFrom(1, 2, 8, 131_072),
        }),
      })
      .map(({ frames, mutations, hugeLength, cuts, limits }) => {
        const parts = frames.map((f) => encodeSpec(f, hugeLength));
        const total = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          total.set(p, at);
          at += p.length;
        }
        return { role, hex: toHex(mutate(total, mutations)), cuts, limits };
      }),
  );
}
