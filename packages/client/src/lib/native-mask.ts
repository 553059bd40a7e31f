/**
 * Optional native masking. When the application has installed `bufferutil` (the same optional
 * add-on ws uses), masking and unmasking of payloads from 48 bytes up runs in its native SIMD code
 * instead of the frame package's JavaScript/WebAssembly; nothing changes on the wire. It is loaded
 * once, on the first connection, and never required: set `WS_NO_BUFFER_UTIL=1` (ws's variable) to
 * keep the built-in code.
 */
import { createRequire } from 'node:module';
import { setMaskImplementation } from '@rfc6455/frame';
import type { MaskImplementation } from '@rfc6455/frame';

/** Where the native implementation comes from; replaced in tests. */
export type NativeMaskLoader = () => MaskImplementation;

const requireFromHere = createRequire(import.meta.url);
const loadBufferutil: NativeMaskLoader = () => requireFromHere('bufferutil') as MaskImplementation;

let state: 'untried' | 'native' | 'builtin' = 'untried';

/**
 * Plug bufferutil into the frame codec if it can be loaded, once per process. Returns whether
 * native masking is in use. Never throws: a missing or broken add-on leaves the built-in code.
 */
export function useNativeMaskIfAvailable(
  load: NativeMaskLoader = loadBufferutil,
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (state !== 'untried') return state === 'native';
  state = 'builtin';
  if (env.WS_NO_BUFFER_UTIL) return false;
  try {
    setMaskImplementation(load());
    state = 'native';
  } catch {
    // Not installed, or not loadable on this platform: the built-in masking is correct, only slower.
  }
  return state === 'native';
}

/** Forget what was decided (tests only). */
export function resetNativeMaskForTests(): void {
  state = 'untried';
  setMaskImplementation(undefined);
}
