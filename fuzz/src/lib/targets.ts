/**
 * The fuzz targets, by name: each has an arbitrary of JSON-serialisable inputs and a check that
 * throws an Error naming the first broken invariant. The corpus stores inputs under these names.
 */
import type fc from 'fast-check';
import { checkFrameParser } from './frame-target.ts';
import { checkClientRequest, checkExtensionsHeader, checkProtocolHeader, checkServerResponse, headerStringArb, requestInputArb, responseInputArb } from './handshake-target.ts';
import { checkProtocol, protocolInputArb } from './protocol-target.ts';
import { wireInputArb } from './wire.ts';

/** One fuzz target. */
export interface Target {
  /** Stable name, the corpus file prefix. */
  readonly name: string;
  /** Structured inputs. */
  readonly arbitrary: fc.Arbitrary<unknown>;
  /** Throws on a broken invariant. */
  readonly check: (input: unknown) => void;
}

function target<T>(name: string, arbitrary: fc.Arbitrary<T>, check: (input: T) => void): Target {
  return { name, arbitrary, check: check as (input: unknown) => void };
}

/** Every target, in the order `pnpm fuzz` runs them. */
export const TARGETS: readonly Target[] = [
  target('frame-parser', wireInputArb(), checkFrameParser),
  target('protocol', protocolInputArb(), checkProtocol),
  target('protocol-header', headerStringArb, checkProtocolHeader),
  target('extensions-header', headerStringArb, checkExtensionsHeader),
  target('client-request', requestInputArb, checkClientRequest),
  target('server-response', responseInputArb, checkServerResponse),
];
