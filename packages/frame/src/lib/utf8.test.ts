import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../test/bytes.ts';
import { nativeIsUtf8 } from './runtime.ts';
import { Utf8Validator, isValidUtf8 } from './utf8.ts';

/** The oracle: WHATWG's fatal decoder implements exactly RFC 3629's rules. */
const oracle = new TextDecoder('utf-8', { fatal: true });
function oracleValid(bytes: Uint8Array): boolean {
  try {
    oracle.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Validate by pushing the pieces between the cuts; returns every push result and end(). */
function pushAll(bytes: Uint8Array, cuts: number[]): { pushes: boolean[]; end: boolean } {
  const v = new Utf8Validator();
  const points = [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  const pushes: boolean[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    pushes.push(v.push(bytes.subarray(start, p)));
    start = p;
  }
  return { pushes, end: v.end() };
}

/** Pad so the whole input crosses the native threshold, exercising both engines. */
const pad = new TextEncoder().encode('x'.repeat(40));
function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(pad.length + bytes.length);
  out.set(pad);
  out.set(bytes, pad.length);
  return out;
}

const invalid: Record<string, string> = {
  'overlong 2-byte NUL (C0 80)': 'c080',
  'overlong C1 lead': 'c1bf',
  'overlong 3-byte (E0 80 80)': 'e08080',
  'overlong 3-byte (E0 9F BF)': 'e09fbf',
  'overlong 4-byte (F0 80 80 80)': 'f0808080',
  'overlong 4-byte (F0 8F BF BF)': 'f08fbfbf',
  'high surrogate (ED A0 80)': 'eda080',
  'low surrogate (ED BF BF)': 'edbfbf',
  'above U+10FFFF (F4 90 80 80)': 'f4908080',
  'F5 lead': 'f5808080',
  'FF byte': 'ff',
  'FE byte': 'fe',
  'lone continuation byte': '80',
  'truncated 2-byte at end': 'ce',
  'truncated 3-byte at end': 'e1bd',
  'truncated 4-byte at end': 'f09f98',
  'truncated sequence followed by ASCII': 'e1bd41',
  'too many continuation bytes': 'ceba80',
};

const valid: Record<string, string> = {
  empty: '',
  ascii: '48656c6c6f',
  'κόσμε': 'cebae1bdb9cf83cebcceb5',
  'U+0080 (smallest 2-byte)': 'c280',
  'U+07FF': 'dfbf',
  'U+0800 (smallest 3-byte)': 'e0a080',
  'U+D7FF (below surrogates)': 'ed9fbf',
  'U+E000 (above surrogates)': 'ee8080',
  'U+FFFF': 'efbfbf',
  'U+10000 (smallest 4-byte)': 'f0908080',
  'U+10FFFF (largest)': 'f48fbfbf',
  'NUL byte': '00',
  'BOM': 'efbbbf',
};

describe('isValidUtf8', () => {
  for (const [name, hex] of Object.entries(invalid)) {
    it(`rejects ${name}`, () => {
      expect(isValidUtf8(fromHex(hex))).toBe(false);
      expect(isValidUtf8(padded(fromHex(hex)))).toBe(false);
    });
  }
  for (const [name, hex] of Object.entries(valid)) {
    it(`accepts ${name}`, () => {
      expect(isValidUtf8(fromHex(hex))).toBe(true);
      expect(isValidUtf8(padded(fromHex(hex)))).toBe(true);
    });
  }

  it('agrees with TextDecoder({ fatal: true }) on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(isValidUtf8(bytes)).toBe(oracleValid(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the oracle on bytes biased toward UTF-8 edge cases', () => {
    const edgy = fc.constantFrom(0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff);
    fc.assert(
      fc.property(fc.array(edgy, { maxLength: 60 }), (list) => {
        const bytes = Uint8Array.from(list);
        expect(isValidUtf8(bytes)).toBe(oracleValid(bytes));
        expect(isValidUtf8(padded(bytes))).toBe(oracleValid(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts any encoded string, including lone-surrogate-free astral text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (s) => {
        expect(isValidUtf8(new TextEncoder().encode(s))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('runs the Node fast path on this runtime (Node ≥ 20.16 has process.getBuiltinModule)', () => {
    expect(typeof nativeIsUtf8).toBe('function');
  });

  it('checks only the bytes of a view', () => {
    const backing = fromHex('ff48656c6c6fff');
    expect(isValidUtf8(backing.subarray(1, 6))).toBe(true);
  });
});

describe('Utf8Validator', () => {
  it('accepts κόσμε pushed as CE BA | E1 | BD 80 (E1 BD 80 is U+1F40, valid)', () => {
    const v = new Utf8Validator();
    expect(v.push(fromHex('ceba'))).toBe(true);
    expect(v.push(fromHex('e1'))).toBe(true);
    expect(v.push(fromHex('bd80'))).toBe(true);
    expect(v.end()).toBe(true);
  });

  it('fails at the chunk that holds the first bad byte, not at the end', () => {
    const v = new Utf8Validator();
    expect(v.push(fromHex('cebae1bdb9cf83cebcceb5'))).toBe(true);
    expect(v.push(fromHex('ed'))).toBe(true); // ED may still start U+D000..U+D7FF
    expect(v.push(fromHex('a0'))).toBe(false); // ED A0 can only be a surrogate
    expect(v.push(fromHex('41'))).toBe(false); // stays failed
    expect(v.end()).toBe(false);
  });

  it('rejects a partial sequence that can no longer become valid, before it completes', () => {
    for (const hex of ['f490', 'e080', 'f080', 'eda0', 'c0', 'f5']) {
      const v = new Utf8Validator();
      expect(v.push(fromHex(hex)), hex).toBe(false);
    }
  });

  it('reports a stream that ends mid-sequence at end()', () => {
    const v = new Utf8Validator();
    expect(v.push(fromHex('48f09f98'))).toBe(true);
    expect(v.end()).toBe(false);
    expect(v.push(fromHex('80'))).toBe(true);
    expect(v.end()).toBe(true);
  });

  it('is reusable after reset()', () => {
    const v = new Utf8Validator();
    expect(v.push(fromHex('ff'))).toBe(false);
    v.reset();
    expect(v.push(fromHex('41'))).toBe(true);
    expect(v.end()).toBe(true);
  });

  it('handles a long chunk whose last sequence is cut (native prefix + state machine tail)', () => {
    const text = new TextEncoder().encode('a'.repeat(50) + '😀' + 'b'.repeat(50) + '€');
    for (let cut = 0; cut <= text.length; cut++) {
      const { pushes, end } = pushAll(text, [cut]);
      expect(pushes.every(Boolean), `cut ${cut}`).toBe(true);
      expect(end, `cut ${cut}`).toBe(true);
    }
  });

  it('agrees with the oracle under a split at every position', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.uint8Array({ maxLength: 3 }), (s, tail) => {
        const bytes = padded(new Uint8Array([...new TextEncoder().encode(s), ...tail]));
        const whole = oracleValid(bytes);
        for (let cut = 0; cut <= bytes.length; cut++) {
          const { pushes, end } = pushAll(bytes, [cut]);
          expect(pushes.every(Boolean) && end).toBe(whole);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('fails exactly at the piece holding the first byte the oracle cannot accept', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat(64), { maxLength: 6 }), (bytes, cuts) => {
        // First failing prefix length per the oracle: the shortest n such that no continuation of
        // bytes[0..n) can be valid. A prefix can still become valid iff decoding it in streaming
        // mode does not throw.
        let firstBad = -1;
        for (let n = 1; n <= bytes.length; n++) {
          const streaming = new TextDecoder('utf-8', { fatal: true });
          try {
            streaming.decode(bytes.subarray(0, n), { stream: true });
          } catch {
            firstBad = n - 1;
            break;
          }
        }
        const { pushes, end } = pushAll(bytes, cuts);
        const points = [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
        const bounds = [...points, bytes.length];
        if (firstBad === -1) {
          expect(pushes.every(Boolean)).toBe(true);
          expect(end).toBe(oracleValid(bytes));
        } else {
          const failingPiece = bounds.findIndex((b) => firstBad < b);
          expect(pushes.indexOf(false)).toBe(failingPiece);
          expect(end).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
