/**
 * The few runtime facilities this package uses, reached through `globalThis` so the package
 * type-checks against plain ES2022 and imports nothing from `node:*`. Every one of them is a Web
 * API (or, for `isUtf8`, an optional Node fast path probed without importing it).
 */

interface RuntimeGlobals {
  TextEncoder?: new () => { encode(input: string): Uint8Array };
  TextDecoder?: new (
    label?: string,
    options?: { fatal?: boolean; ignoreBOM?: boolean },
  ) => { decode(input: Uint8Array): string };
  crypto?: { getRandomValues(array: Uint8Array): Uint8Array };
  process?: { getBuiltinModule?: (id: string) => unknown };
}

const runtime = globalThis as unknown as RuntimeGlobals;

/** UTF-8 encoder; every runtime this package targets has TextEncoder. */
export const textEncoder = runtime.TextEncoder === undefined ? undefined : new runtime.TextEncoder();

/**
 * UTF-8 decoder that keeps a leading U+FEFF: a BOM at the start of a close reason is part of the
 * reason, not a byte-order mark to strip.
 */
export const textDecoder =
  runtime.TextDecoder === undefined ? undefined : new runtime.TextDecoder('utf-8', { ignoreBOM: true });

/** The runtime's CSPRNG, or undefined where there is none (the caller must then inject one). */
export function getRandomValues(): ((array: Uint8Array) => void) | undefined {
  const crypto = runtime.crypto;
  if (crypto === undefined || typeof crypto.getRandomValues !== 'function') return undefined;
  return (array) => {
    crypto.getRandomValues(array);
  };
}

/**
 * Node's native UTF-8 check (`buffer.isUtf8`, simdutf underneath), found through
 * `process.getBuiltinModule` (Node ≥ 20.16) so that no `node:*` import ties this package to Node.
 * Undefined in browsers, Deno without Node compatibility, Workers, and older Node.
 */
export const nativeIsUtf8: ((input: Uint8Array) => boolean) | undefined = (() => {
  try {
    const process = runtime.process;
    if (typeof process?.getBuiltinModule !== 'function') return undefined;
    const buffer = process.getBuiltinModule('buffer') as { isUtf8?: unknown } | undefined;
    const isUtf8 = buffer?.isUtf8;
    return typeof isUtf8 === 'function' ? (isUtf8 as (input: Uint8Array) => boolean) : undefined;
  } catch {
    return undefined;
  }
})();
