import { describe, expect, it } from 'vitest';
import { formatControl, formatMessage, toHex } from './format.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('formatMessage', () => {
  it('text, binary as hex, text as hex with --binary', () => {
    expect(formatMessage(utf8('hello'), false)).toBe('hello');
    expect(formatMessage(utf8('hello'), true)).toBe('binary (5 bytes): 68656c6c6f');
    expect(formatMessage(utf8('hé'), false, { hex: true })).toBe('text (3 bytes): 68c3a9');
    expect(formatMessage(new Uint8Array(0), true)).toBe('binary (0 bytes): ');
  });

  it('--json pretty-prints JSON text and leaves other text alone', () => {
    expect(formatMessage(utf8('{"a":1,"b":[true]}'), false, { json: true })).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}');
    expect(formatMessage(utf8('not json {'), false, { json: true })).toBe('not json {');
  });

  it('reads only the view it is given', () => {
    const bytes = utf8('xxhelloxx').subarray(2, 7);
    expect(toHex(bytes)).toBe('68656c6c6f');
    expect(formatMessage(bytes, false)).toBe('hello');
  });
});

describe('formatControl', () => {
  it("ping and pong in wscat's words, with and without data", () => {
    expect(formatControl('ping', new Uint8Array(0))).toBe('Received ping (data: "")');
    expect(formatControl('pong', utf8('xxbeatxx').subarray(2, 6))).toBe('Received pong (data: "beat")');
  });
});
