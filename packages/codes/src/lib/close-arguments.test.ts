import { describe, expect, it } from 'vitest';
import { checkCloseArguments } from './close-arguments.ts';

function nameOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as DOMException).name;
  }
  return 'no error';
}

describe('checkCloseArguments', () => {
  it('lets an application send only 1000 and 3000–4999', () => {
    for (const code of [1000, 3000, 4999]) expect(checkCloseArguments(code, undefined, 'application')).toBeUndefined();
    for (const code of [999, 1001, 1011, 2999, 5000, 1000.5]) expect(nameOf(() => checkCloseArguments(code, undefined, 'application'))).toBe('InvalidAccessError');
  });

  it('lets an endpoint send every wire code, never 1004–1006 or 1015', () => {
    for (const code of [1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999]) expect(checkCloseArguments(code, 'x', 'endpoint')).toBe('x');
    for (const code of [1004, 1005, 1006, 1015, 2000, 5000]) expect(nameOf(() => checkCloseArguments(code, undefined, 'endpoint'))).toBe('InvalidAccessError');
  });

  it('refuses a code that is not a number', () => {
    expect(nameOf(() => checkCloseArguments('1000' as unknown as number, undefined, 'endpoint'))).toBe('InvalidAccessError');
  });

  it('allows 123 bytes of reason and refuses 124', () => {
    expect(checkCloseArguments(1000, 'a'.repeat(123), 'application')).toHaveLength(123);
    expect(nameOf(() => checkCloseArguments(1000, 'a'.repeat(124), 'application'))).toBe('SyntaxError');
    // 41 three-byte characters are 123 bytes; one more ASCII byte is too many.
    expect(nameOf(() => checkCloseArguments(1000, '€'.repeat(41) + 'a', 'application'))).toBe('SyntaxError');
  });

  it('reads a reason given as bytes through its own view, as UTF-8', () => {
    const backing = new TextEncoder().encode('xxbyexx');
    expect(checkCloseArguments(1000, backing.subarray(2, 5), 'application')).toBe('bye');
    expect(checkCloseArguments(1000, new DataView(backing.buffer, 2, 3), 'application')).toBe('bye');
    // 61 two-byte characters and one ASCII byte are 123 bytes: allowed; 62 two-byte ones are not.
    expect(checkCloseArguments(1000, 'é'.repeat(61) + 'x', 'application')).toHaveLength(62);
    expect(nameOf(() => checkCloseArguments(1000, 'é'.repeat(62), 'application'))).toBe('SyntaxError');
    expect(nameOf(() => checkCloseArguments(1000, new Uint8Array([0xff]), 'application'))).toBe('SyntaxError');
  });
});
