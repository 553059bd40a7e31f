/**
 * Test helpers of the permessage-deflate codec's tests: hex and text conversions, a negotiated
 * configuration, codecs that are closed after each test, compressible sample text.
 */
import { afterEach } from 'vitest';
import type { DeflateConfig } from '../src/lib/negotiation.ts';
import { PerMessageDeflate, type PerMessageDeflateOptions } from '../src/lib/per-message-deflate.ts';

/** The RSV1 bit in the `rsv` of an encoded message (RFC 7692 §6: the "Per-Message Compressed" bit). */
export const RSV1 = 0x4;
/** Lower-case hex of `data`. */
export const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');
/** The bytes of a hex string (spaces allowed). */
export const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
/** UTF-8 bytes of `s`. */
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A negotiated configuration: context takeover both ways and 15 window bits, unless overridden. */
export function config(overrides: Partial<DeflateConfig> = {}): DeflateConfig {
  return { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15, ...overrides };
}

const open: PerMessageDeflate[] = [];
/** Close `ext` after the current test (for a codec built without {@link make}). */
export function closeAfterTest(ext: PerMessageDeflate): void {
  open.push(ext);
}
/** A codec (threshold 0 unless given) that is closed after the current test. */
export function make(options: Partial<PerMessageDeflateOptions> & Pick<PerMessageDeflateOptions, 'role'>): PerMessageDeflate {
  const ext = new PerMessageDeflate({ config: config(), compressionThreshold: 0, ...options });
  open.push(ext);
  return ext;
}
afterEach(() => {
  for (const ext of open.splice(0)) ext.close();
});

/** Compressible text of `n` bytes that is not trivially repetitive. */
export function sample(n: number, seed = 1): Uint8Array {
  const words = ['{"id":', '"name":', '"websocket"', ',', '}', 'alpha', 'beta', 'gamma', ' ', '12345', 'true', 'null'];
  let x = seed;
  let s = '';
  while (s.length < n) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += words[x % words.length];
  }
  return text(s.slice(0, n));
}

/** What `fn` throws or rejects with, undefined when it does not. */
export async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

