import { afterEach, describe, expect, it } from 'vitest';
import { applyMask } from '@rfc6455/frame';
import type { MaskImplementation } from '@rfc6455/frame';
import { resetNativeMaskForTests, useNativeMaskIfAvailable } from './native-mask.ts';

afterEach(() => resetNativeMaskForTests());

/** A stand-in for bufferutil that counts its calls and masks correctly. */
function countingImplementation(): MaskImplementation & { calls: number } {
  const impl = {
    calls: 0,
    mask(source: Uint8Array, key: Uint8Array, output: Uint8Array, offset: number, length: number) {
      impl.calls++;
      for (let i = 0; i < length; i++) output[offset + i] = source[i]! ^ key[i & 3]!;
    },
    unmask(buffer: Uint8Array, key: Uint8Array) {
      impl.calls++;
      for (let i = 0; i < buffer.length; i++) buffer[i] = buffer[i]! ^ key[i & 3]!;
    },
  };
  return impl;
}

describe('useNativeMaskIfAvailable', () => {
  it('plugs a loadable implementation into the frame codec, once', () => {
    const impl = countingImplementation();
    let loads = 0;
    const load = () => (loads++, impl);
    expect(useNativeMaskIfAvailable(load, {})).toBe(true);
    expect(useNativeMaskIfAvailable(load, {})).toBe(true);
    expect(loads).toBe(1);
    const data = new Uint8Array(64).fill(0x0f);
    applyMask(data, Uint8Array.of(1, 2, 3, 4));
    expect(impl.calls).toBe(1);
    expect([...data.subarray(0, 4)]).toEqual([0x0e, 0x0d, 0x0c, 0x0b]);
  });

  it('keeps the built-in code when the add-on is missing, without throwing', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'bufferutil'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(useNativeMaskIfAvailable(missing, {})).toBe(false);
    const data = new Uint8Array(64).fill(0x0f);
    applyMask(data, Uint8Array.of(1, 2, 3, 4));
    expect([...data.subarray(0, 4)]).toEqual([0x0e, 0x0d, 0x0c, 0x0b]);
  });

  it('honours WS_NO_BUFFER_UTIL, as ws does', () => {
    const impl = countingImplementation();
    expect(useNativeMaskIfAvailable(() => impl, { WS_NO_BUFFER_UTIL: '1' })).toBe(false);
    applyMask(new Uint8Array(64), Uint8Array.of(1, 2, 3, 4));
    expect(impl.calls).toBe(0);
  });

  it('refuses an object that is not mask-shaped and stays on the built-in code', () => {
    expect(useNativeMaskIfAvailable(() => ({}) as MaskImplementation, {})).toBe(false);
  });
});
