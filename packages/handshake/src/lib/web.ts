/**
 * The few Web APIs this package uses, reached through `globalThis` with minimal local types.
 *
 * The package compiles against the plain ES2022 library (no DOM, no @types/node) so that nothing
 * runtime-specific can slip in; these are the only runtime services it touches, all present in
 * Node 20+, Deno, Bun, Workers and browsers.
 */

/** The parts of a WHATWG URL record the client request needs. */
export interface WhatwgUrl {
  readonly href: string;
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
}

interface WebGlobals {
  URL?: new (input: string) => WhatwgUrl;
  crypto?: {
    getRandomValues?<T extends Uint8Array>(array: T): T;
    subtle?: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> };
  };
}

const web = globalThis as unknown as WebGlobals;

/** Parse `input` with the runtime's WHATWG URL parser; throws `TypeError` when it is not a URL. */
export function parseUrl(input: string): WhatwgUrl {
  const Url = web.URL;
  if (Url === undefined) throw new TypeError('This runtime has no WHATWG URL class (globalThis.URL).');
  return new Url(input);
}

/** Fill `bytes` from the runtime's cryptographic random source. */
export function fillRandom(bytes: Uint8Array): Uint8Array {
  const crypto = web.crypto;
  if (crypto?.getRandomValues === undefined) {
    throw new TypeError('This runtime has no crypto.getRandomValues; pass a random source explicitly.');
  }
  return crypto.getRandomValues(bytes);
}

/** SHA-1 through Web Crypto (`crypto.subtle.digest`), where the runtime offers it. */
export async function subtleSha1(data: Uint8Array): Promise<Uint8Array> {
  const subtle = web.crypto?.subtle;
  if (subtle === undefined) throw new TypeError('This runtime has no crypto.subtle; use createAcceptKey instead.');
  return new Uint8Array(await subtle.digest('SHA-1', data));
}
