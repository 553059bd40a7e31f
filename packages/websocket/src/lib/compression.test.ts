import { describe, expect, it } from 'vitest';
import { withCompressionThreshold } from './compression.ts';

describe('withCompressionThreshold', () => {
  it('leaves perMessageDeflate alone without a threshold', () => {
    const settings = { level: 3 };
    expect(withCompressionThreshold('t', undefined, undefined)).toBe(undefined);
    expect(withCompressionThreshold('t', false, undefined)).toBe(false);
    expect(withCompressionThreshold('t', settings, undefined)).toBe(settings);
  });

  it('turns compression on with the threshold, keeping other settings', () => {
    expect(withCompressionThreshold('t', undefined, 10_240)).toEqual({ compressionThreshold: 10_240 });
    expect(withCompressionThreshold('t', true, 0)).toEqual({ compressionThreshold: 0 });
    expect(withCompressionThreshold('t', { level: 3 }, Infinity)).toEqual({ level: 3, compressionThreshold: Infinity });
    // A threshold inside perMessageDeflate wins, as in the client's and the server's own options.
    expect(withCompressionThreshold('t', { level: 3, compressionThreshold: 5 }, Infinity)).toEqual({ level: 3, compressionThreshold: 5 });
    // ws's name inside perMessageDeflate wins the same way (not given twice under two names).
    expect(withCompressionThreshold('t', { threshold: 7 }, 100)).toEqual({ threshold: 7 });
  });

  it('refuses a bad threshold and a contradiction, naming the caller', () => {
    expect(() => withCompressionThreshold('createClient', undefined, -1)).toThrow(RangeError);
    expect(() => withCompressionThreshold('createClient', undefined, Number.NaN)).toThrow(/createClient: compressionThreshold must be/);
    expect(() => withCompressionThreshold('createServer', false, 100)).toThrow(TypeError);
    expect(() => withCompressionThreshold('createServer', false, 100)).toThrow(/createServer: compressionThreshold turns permessage-deflate on/);
  });
});
