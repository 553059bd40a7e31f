/// <reference types="node" />
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAcceptKey, createAcceptKeyAsync, generateKey } from './accept-key.ts';

const nodeSha1 = (data: Uint8Array): Uint8Array => createHash('sha1').update(data).digest();

describe('createAcceptKey', () => {
  it('gives the RFC 6455 §1.3 sample answer', () => {
    expect(createAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('gives the same answer with an injected native SHA-1 and with Web Crypto', async () => {
    expect(createAcceptKey('dGhlIHNhbXBsZSBub25jZQ==', nodeSha1)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(await createAcceptKeyAsync('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    for (let i = 0; i < 50; i++) {
      const key = generateKey();
      const expected = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      expect(createAcceptKey(key)).toBe(expected);
    }
  });

  it('refuses a non-string key and a bad hash function with TypeErrors', () => {
    expect(() => createAcceptKey(undefined as unknown as string)).toThrow(TypeError);
    expect(() => createAcceptKey('x', 'sha1' as unknown as never)).toThrow(TypeError);
    expect(() => createAcceptKey('x', () => new Uint8Array(19))).toThrow(/20-byte/);
  });
});

describe('generateKey', () => {
  it('is base64 of the 16 bytes the random source gives', () => {
    const key = generateKey((bytes) => bytes.fill(0xab));
    expect(key).toBe(Buffer.from(new Uint8Array(16).fill(0xab)).toString('base64'));
    expect(key).toBe('q6urq6urq6urq6urq6urqw==');
  });

  it('uses crypto.getRandomValues by default: 24 characters, different each time', () => {
    const keys = new Set(Array.from({ length: 20 }, () => generateKey()));
    expect(keys.size).toBe(20);
    for (const key of keys) expect(Buffer.from(key, 'base64')).toHaveLength(16);
  });

  it('refuses a random source that returns the wrong thing', () => {
    expect(() => generateKey(() => new Uint8Array(8))).toThrow(TypeError);
    expect(() => generateKey(42 as unknown as never)).toThrow(TypeError);
  });
});
