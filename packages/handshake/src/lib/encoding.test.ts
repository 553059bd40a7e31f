/// <reference types="node" />
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64, isBase64Of16Bytes } from './base64.ts';
import { encodeUtf8 } from './utf8.ts';

describe('encodeBase64', () => {
  it('encodes the RFC 4648 §10 vectors', () => {
    const cases: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [input, output] of cases) expect(encodeBase64(new Uint8Array(Buffer.from(input)))).toBe(output);
  });

  it('agrees with Buffer for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('isBase64Of16Bytes', () => {
  it('accepts 22 alphabet characters and "=="', () => {
    expect(isBase64Of16Bytes('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    expect(isBase64Of16Bytes('AAAAAAAAAAAAAAAAAAAA+/==')).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(isBase64Of16Bytes(Buffer.from(bytes).toString('base64'))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses other lengths, missing padding and characters outside the alphabet', () => {
    for (const value of [
      '',
      'dGhlIHNhbXBsZSBub25jZQ=',
      'dGhlIHNhbXBsZSBub25jZQ===',
      'dGhlIHNhbXBsZSBub25jZQAA',
      'dGhlIHNhbXBsZSBub25j-Q==',
      'dGhlIHNhbXBsZSBub25j_Q==',
      'dGhlIHNhbXBsZSBub25jZ===',
      ' dGhlIHNhbXBsZSBub25jZQ=',
      Buffer.from(new Uint8Array(15)).toString('base64'),
      Buffer.from(new Uint8Array(17)).toString('base64'),
    ]) {
      expect(isBase64Of16Bytes(value)).toBe(false);
    }
  });
});

describe('encodeUtf8', () => {
  it('matches Buffer for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (text) => {
        const expected = new Uint8Array(Buffer.from(text, 'utf8'));
        expect(encodeUtf8(text)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
    expect([...encodeUtf8('\ud800x')]).toEqual([0xef, 0xbf, 0xbd, 0x78]);
    expect([...encodeUtf8('é😀')]).toEqual([0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
  });
});
