/**
 * The one runtime facility this package needs beyond ES2022: a UTF-8 encoder for text given as a
 * string. Reached through `globalThis` so the package imports nothing from `node:*` and type-checks
 * against plain ES2022; every target runtime (Node, Deno, Bun, Workers, browsers) has TextEncoder.
 */

interface Utf8Encoder {
  encode(input: string): Uint8Array;
  encodeInto(input: string, target: Uint8Array): { read: number; written: number };
}

interface EncoderGlobals {
  TextEncoder?: new () => Utf8Encoder;
}

const EncoderClass = (globalThis as unknown as EncoderGlobals).TextEncoder;

/** The shared UTF-8 encoder, or undefined in a runtime without TextEncoder. */
export const textEncoder: Utf8Encoder | undefined = EncoderClass === undefined ? undefined : new EncoderClass();

/** UTF-8 bytes of `text`; TypeError when the runtime has no TextEncoder. */
export function encodeUtf8(text: string): Uint8Array {
  if (textEncoder === undefined) throw new TypeError('This runtime has no TextEncoder: pass text as UTF-8 bytes');
  return textEncoder.encode(text);
}
