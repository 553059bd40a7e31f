import { describe, expect, it } from 'vitest';
import { checkOptionKeys } from './option-keys.ts';

const KNOWN = new Set(['maxPayload', 'handshakeTimeoutMs', 'perMessageDeflate', 'port']);

function messageOf(options: object, hints?: Record<string, string>): string | undefined {
  try {
    checkOptionKeys('new Thing(options)', options, KNOWN, hints);
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError);
    return (err as Error).message;
  }
  return undefined;
}

describe('checkOptionKeys', () => {
  it('accepts known keys, including ones whose value is undefined', () => {
    expect(messageOf({ maxPayload: 1, port: undefined })).toBeUndefined();
    expect(messageOf({})).toBeUndefined();
  });

  it('names the first unknown key with the hint given for it', () => {
    expect(messageOf({ port: 1, handshakeTimeout: 5, other: 1 }, { handshakeTimeout: 'use handshakeTimeoutMs (milliseconds)' })).toBe(
      'new Thing(options): unknown option "handshakeTimeout"; use handshakeTimeoutMs (milliseconds)',
    );
  });

  it('suggests the known name a misspelt key is closest to: another case, a typo, swapped letters', () => {
    expect(messageOf({ maxpayload: 1 })).toBe('new Thing(options): unknown option "maxpayload"; did you mean "maxPayload"?');
    expect(messageOf({ maxPaylod: 1 })).toBe('new Thing(options): unknown option "maxPaylod"; did you mean "maxPayload"?');
    expect(messageOf({ perMesageDeflate: true })).toMatch(/did you mean "perMessageDeflate"\?$/);
    expect(messageOf({ maxPalyoad: 1 })).toMatch(/did you mean "maxPayload"\?$/);
    expect(messageOf({ prot: 1 })).toMatch(/did you mean "port"\?$/);
  });

  it('lists the options when nothing is close, and never suggests a name for a short unrelated key', () => {
    expect(messageOf({ compression: true })).toBe(
      'new Thing(options): unknown option "compression"; the options are maxPayload, handshakeTimeoutMs, perMessageDeflate, port.',
    );
    expect(messageOf({ x: 1 })).toMatch(/the options are/);
  });

  it('treats inherited and symbol keys as not given (only own enumerable string keys are options)', () => {
    const inherited = Object.create({ bogus: 1 }) as object;
    expect(messageOf(inherited)).toBeUndefined();
    expect(messageOf({ [Symbol('s')]: 1 })).toBeUndefined();
  });

  it('a hint named like an Object.prototype property is only used when given', () => {
    expect(messageOf({ constructor: 1 })).toMatch(/the options are/);
    expect(messageOf({ toString: 1 }, { toString: 'not an option' })).toBe('new Thing(options): unknown option "toString"; not an option');
  });
});
