import { expect } from 'vitest';
import { HandshakeError } from '../src/lib/errors.ts';

/** Run `fn`, assert it throws a HandshakeError, and return that error for further assertions. */
export function catchHandshakeError(fn: () => unknown): HandshakeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HandshakeError);
    return err as HandshakeError;
  }
  throw new Error('expected a HandshakeError to be thrown');
}
