/**
 * Masking (RFC 6455 §5.3): every payload byte i is XORed with byte (i mod 4) of a 4-byte key.
 * XOR is its own inverse, so the same functions mask and unmask.
 *
 * Speed, three tiers chosen by length (all measured on Node 20 / V8 11, see bench/):
 * - from SIMD_THRESHOLD bytes, a WebAssembly SIMD kernel where the runtime allows one (mask-simd.ts);
 * - from WORD_THRESHOLD bytes, an XOR over an `Int32Array` view, unrolled eight words a loop: 3–4×
 *   a byte loop from 1 KiB up, and faster than a `DataView`;
 * - below that (most chat-sized messages) a byte loop with the key in locals, 4 bytes a step,
 *   because creating a view costs more than it saves.
 * A native implementation plugged in with {@link setMaskImplementation} (bufferutil in Node) takes
 * over from NATIVE_THRESHOLD bytes, where its call overhead is paid back.
 */
import { SIMD_BLOCK, simdKernel } from './mask-simd.ts';
import { getRandomValues } from './runtime.ts';

/** Below this many bytes the byte loop wins over creating an Int32Array view (measured). */
const WORD_THRESHOLD = 48;
/** From this many bytes the WebAssembly SIMD kernel, copies included, beats the Int32Array loop (measured). */
const SIMD_THRESHOLD = 4096;

/**
 * A native masking implementation, in the shape of the `bufferutil` package (what ws uses), so
 * `setMaskImplementation(require('bufferutil'))` works as is. Both functions must accept any
 * `Uint8Array` (including views at an offset) and use the key from its first byte.
 */
export interface MaskImplementation {
  /** Write `source[0..length)` XOR the key into `output` from `offset`. */
  mask(source: Uint8Array, mask: Uint8Array, output: Uint8Array, offset: number, length: number): void;
  /** XOR `buffer` in place with the key. */
  unmask(buffer: Uint8Array, mask: Uint8Array): void;
}

/**
 * From this many bytes a plugged-in native implementation takes over: bufferutil beats the word loop
 * from here (38 vs 56 ns at 48 bytes, 69 vs 162 ns at 1 KiB, Node 20 / x64); below it, the byte
 * loop is faster than the call into native code.
 */
const NATIVE_THRESHOLD = WORD_THRESHOLD;

let native: MaskImplementation | undefined;

/**
 * Plug in a native masking implementation for payloads of 48 bytes and more (shorter ones stay in
 * JavaScript, which is faster there), or pass `undefined` to go back to the built-in JavaScript and
 * WebAssembly code. It applies process-wide: to `applyMask`, `maskInto`, `encodeFrame` and every
 * `FrameParser`. The package itself never loads native code; a Node application (or the Node
 * client and server) can pass `bufferutil`, which masks with native SIMD about 3× faster than the
 * WebAssembly kernel on large payloads. Throws TypeError when `impl` lacks the two functions.
 */
export function setMaskImplementation(impl: MaskImplementation | undefined): void {
  if (impl !== undefined && (typeof impl?.mask !== 'function' || typeof impl.unmask !== 'function')) {
    throw new TypeError('setMaskImplementation needs an object with mask() and unmask() functions (like bufferutil), or undefined');
  }
  native = impl;
}

// The key rotated to start at a given phase, for native implementations that always start at key[0].
const rotatedKey = new Uint8Array(4);
function keyAtPhase(key: Uint8Array, phase: number): Uint8Array {
  if (phase === 0) return key;
  rotatedKey[0] = key[phase]!;
  rotatedKey[1] = key[(phase + 1) & 3]!;
  rotatedKey[2] = key[(phase + 2) & 3]!;
  rotatedKey[3] = key[(phase + 3) & 3]!;
  return rotatedKey;
}

// Scratch space to turn four key bytes into one machine word in the platform's byte order, so the
// word XOR is correct on little- and big-endian hosts alike.
const keyBytes = new Uint8Array(4);
const keyWord = new Int32Array(keyBytes.buffer);

/**
 * XOR `data[start..end)` in place with `key`, where `data[start]` sits at position `phase` of the
 * key cycle. The shared core of {@link applyMask} and {@link maskInto}; arguments are trusted.
 */
export function maskRange(data: Uint8Array, start: number, end: number, key: Uint8Array, phase: number): void {
  if (native !== undefined && end - start >= NATIVE_THRESHOLD) {
    const range = start === 0 && end === data.length ? data : new Uint8Array(data.buffer, data.byteOffset + start, end - start);
    native.unmask(range, keyAtPhase(key, phase & 3));
    return;
  }
  let i = start;
  if (end - start >= SIMD_THRESHOLD) {
    const simd = simdKernel();
    if (simd !== undefined) {
      const memory = simd.memory;
      // WebAssembly memory is little-endian on every host: build the key word explicitly.
      const s = (phase + (i - start)) & 3;
      const word = key[s]! | (key[(s + 1) & 3]! << 8) | (key[(s + 2) & 3]! << 16) | (key[(s + 3) & 3]! << 24);
      // Blocks are multiples of 16 bytes, so every block starts at the same key phase.
      while (end - i >= 16) {
        const n = Math.min(SIMD_BLOCK, (end - i) & ~15);
        memory.set(new Uint8Array(data.buffer, data.byteOffset + i, n), 0);
        simd.xor(0, n, word);
        data.set(n === SIMD_BLOCK ? memory : new Uint8Array(memory.buffer, 0, n), i);
        i += n;
      }
    }
  }
  if (end - i >= WORD_THRESHOLD) {
    // Key byte for data[j] is key[(j - start + phase) & 3]; `shift` folds start and phase together.
    const shift = (phase - start) & 3;
    // Bytes up to the first 4-byte aligned address of the underlying buffer.
    const aligned = start + ((4 - ((data.byteOffset + start) & 3)) & 3);
    for (; i < aligned; i++) data[i]! ^= key[(i + shift) & 3]!;
    const words = (end - i) >>> 2;
    keyBytes[0] = key[(i + shift) & 3]!;
    keyBytes[1] = key[(i + shift + 1) & 3]!;
    keyBytes[2] = key[(i + shift + 2) & 3]!;
    keyBytes[3] = key[(i + shift + 3) & 3]!;
    const word = keyWord[0]!;
    const view = new Int32Array(data.buffer, data.byteOffset + i, words);
    const unrolled = words & ~7;
    let w = 0;
    for (; w < unrolled; w += 8) {
      view[w]! ^= word;
      view[w + 1]! ^= word;
      view[w + 2]! ^= word;
      view[w + 3]! ^= word;
      view[w + 4]! ^= word;
      view[w + 5]! ^= word;
      view[w + 6]! ^= word;
      view[w + 7]! ^= word;
    }
    for (; w < words; w++) view[w]! ^= word;
    i += words << 2;
  }
  // A short payload, or the 0–3 bytes after the words: four key bytes in locals, four bytes a step
  // (twice as fast as indexing the key per byte for chat-sized messages, measured).
  const s = (phase + (i - start)) & 3;
  const k0 = key[s]!;
  const k1 = key[(s + 1) & 3]!;
  const k2 = key[(s + 2) & 3]!;
  const k3 = key[(s + 3) & 3]!;
  const quads = i + ((end - i) & ~3);
  for (; i < quads; i += 4) {
    data[i]! ^= k0;
    data[i + 1]! ^= k1;
    data[i + 2]! ^= k2;
    data[i + 3]! ^= k3;
  }
  if (i < end) {
    data[i]! ^= k0;
    if (++i < end) {
      data[i]! ^= k1;
      if (++i < end) data[i]! ^= k2;
    }
  }
}

/**
 * Write `source` XOR the key into `target` from `targetOffset`, with `source[0]` at position `phase`
 * of the key cycle; `source` is not changed and must not overlap `target`. Large inputs go through
 * the SIMD kernel straight from source to target (3 passes over the data, each cache-friendly);
 * the rest is copied (a memcpy) and masked in place. Arguments are trusted.
 */
export function maskCopy(source: Uint8Array, target: Uint8Array, targetOffset: number, key: Uint8Array, phase: number): void {
  const length = source.length;
  if (native !== undefined && length >= NATIVE_THRESHOLD) {
    native.mask(source, keyAtPhase(key, phase & 3), target, targetOffset, length);
    return;
  }
  let i = 0;
  const simd = length >= SIMD_THRESHOLD ? simdKernel() : undefined;
  if (simd !== undefined) {
    const memory = simd.memory;
    const s = phase & 3;
    const word = key[s]! | (key[(s + 1) & 3]! << 8) | (key[(s + 2) & 3]! << 16) | (key[(s + 3) & 3]! << 24);
    while (length - i >= 16) {
      const n = Math.min(SIMD_BLOCK, (length - i) & ~15);
      memory.set(new Uint8Array(source.buffer, source.byteOffset + i, n), 0);
      simd.xor(0, n, word);
      target.set(n === SIMD_BLOCK ? memory : new Uint8Array(memory.buffer, 0, n), targetOffset + i);
      i += n;
    }
  }
  if (i < length) {
    target.set(i === 0 ? source : new Uint8Array(source.buffer, source.byteOffset + i, length - i), targetOffset + i);
    maskRange(target, targetOffset + i, targetOffset + length, key, (phase + i) & 3);
  }
}

function checkMaskKey(maskKey: Uint8Array): void {
  if (!(maskKey instanceof Uint8Array)) throw new TypeError('maskKey must be a Uint8Array of 4 bytes');
  if (maskKey.length !== 4) throw new RangeError(`maskKey must be exactly 4 bytes, got ${maskKey.length}`);
}

/**
 * XOR `data` in place with the 4-byte `maskKey`, starting at position `offset` of the key cycle
 * (default 0): pass the number of payload bytes already processed to continue a mask across pieces
 * of one payload. Works a 32-bit word at a time where alignment allows. Masking and unmasking are
 * the same operation (RFC 6455 §5.3).
 */
export function applyMask(data: Uint8Array, maskKey: Uint8Array, offset = 0): void {
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  checkMaskKey(maskKey);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a non-negative integer, got ${String(offset)}`);
  }
  maskRange(data, 0, data.length, maskKey, offset & 3);
}

/**
 * Write `source` XOR `maskKey` into `target` starting at `targetOffset`; `source` is not changed.
 * `source` and the target range must not overlap (mask in place with `applyMask` instead).
 */
export function maskInto(source: Uint8Array, maskKey: Uint8Array, target: Uint8Array, targetOffset: number): void {
  if (!(source instanceof Uint8Array)) throw new TypeError('source must be a Uint8Array');
  if (!(target instanceof Uint8Array)) throw new TypeError('target must be a Uint8Array');
  checkMaskKey(maskKey);
  if (!Number.isSafeInteger(targetOffset) || targetOffset < 0 || targetOffset + source.length > target.length) {
    throw new RangeError(
      `target has no room for ${source.length} bytes at offset ${String(targetOffset)} (length ${target.length})`,
    );
  }
  maskCopy(source, target, targetOffset, maskKey, 0);
}

/** Size of the random pool; one getRandomValues call serves POOL_SIZE / 4 keys. */
const POOL_SIZE = 4096;
let pool: Uint8Array = new Uint8Array(0);
let poolOffset = 0;

/**
 * A new 4-byte mask key. RFC 6455 §5.3 requires keys a proxy cannot predict, so the default source
 * is the runtime's CSPRNG (`crypto.getRandomValues`), drawn 4 KiB at a time into a pool; each key
 * is a view of 4 pool bytes that are handed out once and never rewritten (a spent pool is replaced,
 * not refilled). Pass `random` to inject a source (tests, deterministic fuzzing): it is called with
 * a fresh 4-byte array to fill.
 */
export function generateMaskKey(random?: (target: Uint8Array) => void): Uint8Array {
  if (random !== undefined) {
    if (typeof random !== 'function') throw new TypeError('random must be a function that fills a Uint8Array');
    const key = new Uint8Array(4);
    random(key);
    return key;
  }
  if (poolOffset + 4 > pool.length) {
    const fill = getRandomValues();
    if (fill === undefined) {
      throw new TypeError('This runtime has no crypto.getRandomValues: pass a random source to generateMaskKey');
    }
    pool = new Uint8Array(POOL_SIZE);
    fill(pool);
    poolOffset = 0;
  }
  // A plain view (not subarray(), which pays for a species lookup on every key).
  const key = new Uint8Array(pool.buffer, poolOffset, 4);
  poolOffset += 4;
  return key;
}
