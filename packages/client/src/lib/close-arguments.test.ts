import { describe, expect, it } from 'vitest';
import { checkCloseArguments } from './close-arguments.ts';

describe('checkCloseArguments', () => {
  it('reads a reason given as bytes through its own view only', () => {
    const secret = new TextEncoder().encode('SECRET-hi-SECRET');
    expect(checkCloseArguments(1000, secret.subarray(7, 9), false)).toBe('hi');
    expect(checkCloseArguments(1000, new DataView(secret.buffer, 7, 2), false)).toBe('hi');
    expect(checkCloseArguments(1000, Buffer.from('bye'), false)).toBe('bye');
  });

  it('refuses bytes that are not UTF-8 and reasons over 123 bytes with SyntaxError', () => {
    expect(() => checkCloseArguments(1000, Uint8Array.of(0xff), false)).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(() => checkCloseArguments(1000, 'é'.repeat(62), false)).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(checkCloseArguments(1000, 'é'.repeat(61) + 'x', false)).toHaveLength(62);
  });

  it('keeps the WHATWG code rules per role', () => {
    expect(() => checkCloseArguments(1001, undefined, false)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    expect(checkCloseArguments(1001, undefined, true)).toBeUndefined();
    expect(() => checkCloseArguments(1005, undefined, true)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
  });
});
