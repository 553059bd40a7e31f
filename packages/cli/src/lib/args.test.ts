import { describe, expect, it } from 'vitest';
import { integer, parseHeaders } from './args.ts';
import { UsageError } from './usage.ts';

describe('parseHeaders', () => {
  it('names are lower-cased, values trimmed, repeats kept in order', () => {
    expect(parseHeaders('connect', ['X-A: 1', 'Authorization:Bearer t:k', 'x-a:  2 '])).toEqual({ 'x-a': ['1', '2'], authorization: 'Bearer t:k' });
  });

  it('a line without a token name is a usage error', () => {
    for (const bad of ['no colon', ': value', 'Bad Name: x']) {
      expect(() => parseHeaders('connect', [bad])).toThrow(UsageError);
    }
  });
});

describe('integer', () => {
  it('the fallback when absent, the number when in range', () => {
    expect(integer('serve', 'port', undefined, 8080, 0, 65535)).toBe(8080);
    expect(integer('serve', 'port', '0', 8080, 0, 65535)).toBe(0);
    expect(integer('serve', 'port', '65535', 8080, 0, 65535)).toBe(65535);
  });

  it('anything else is a usage error naming the option and the range', () => {
    for (const bad of ['65536', '-1', '1.5', '1e3', ' 1', '']) {
      expect(() => integer('serve', 'port', bad, 8080, 0, 65535)).toThrow(`--port must be a whole number from 0 to 65535, got '${bad}'`);
    }
  });
});
