import { describe, expect, it } from 'vitest';
import { createAcceptKey } from './lib/accept-key.ts';
import { sha1 } from './lib/sha1.ts';
import { nodeSha1 } from './node.ts';

describe('nodeSha1', () => {
  it('gives the accept value of RFC 6455 §1.3', () => {
    expect(createAcceptKey('dGhlIHNhbXBsZSBub25jZQ==', nodeSha1)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('agrees with the portable SHA-1', () => {
    const data = new TextEncoder().encode('x'.repeat(1000));
    expect(Array.from(nodeSha1(data))).toEqual(Array.from(sha1(data)));
  });
});
