/**
 * UTF-8 validation as RFC 3629 defines it (what RFC 6455 §8.1 requires of text messages and close
 * reasons): no overlong forms, no surrogates (U+D800–U+DFFF), nothing above U+10FFFF.
 *
 * Two engines: Node's native `buffer.isUtf8` (simdutf) when the runtime offers it, for every
 * complete stretch of at least NATIVE_THRESHOLD bytes; and a small state machine here for short
 * inputs, for the ≤ 3 bytes of a sequence cut by a fragment boundary, and for runtimes without the
 * native check. The state machine checks the second byte of a sequence against the range RFC 3629
 * §4 allows after each lead byte, so it rejects at the first byte that makes the input invalid.
 */
import { nativeIsUtf8 } from './runtime.ts';

/** From this length up the native check wins over the JavaScript loop (measured in bench/). */
const NATIVE_THRESHOLD = 32;

// The allowed range of the next continuation byte (RFC 3629 §4), by index:
// 0: 80..BF (any), 1: A0..BF (after E0, no overlongs), 2: 80..9F (after ED, no surrogates),
// 3: 90..BF (after F0, no overlongs), 4: 80..8F (after F4, nothing above U+10FFFF).
const LOW: readonly number[] = [0x80, 0xa0, 0x80, 0x90, 0x80];
const HIGH: readonly number[] = [0xbf, 0xbf, 0x9f, 0xbf, 0x8f];

/** A scan state: 0 between characters; otherwise (continuation bytes still needed) * 8 + range. */
const ACCEPT = 0;
/** The scan found a byte that makes the input invalid. */
const REJECT = -1;

/** Scan bytes[start..end) from `state`; return the state after it, or REJECT. */
function scan(bytes: Uint8Array, start: number, end: number, state: number): number {
  let need = state >>> 3;
  let range = state & 7;
  let i = start;
  while (i < end) {
    const byte = bytes[i]!;
    if (need === 0) {
      if (byte < 0x80) {
        i++;
        continue;
      }
      if (byte < 0xc2) return REJECT; // a stray continuation byte, or an overlong C0/C1 lead
      if (byte < 0xe0) {
        need = 1;
        range = 0;
      } else if (byte < 0xf0) {
        need = 2;
        range = byte === 0xe0 ? 1 : byte === 0xed ? 2 : 0;
      } else if (byte < 0xf5) {
        need = 3;
        range = byte === 0xf0 ? 3 : byte === 0xf4 ? 4 : 0;
      } else {
        return REJECT; // F5..FF never appear in UTF-8
      }
    } else {
      if (byte < LOW[range]! || byte > HIGH[range]!) return REJECT;
      need--;
      range = 0;
    }
    i++;
  }
  return need === 0 ? ACCEPT : (need << 3) | range;
}

/**
 * Whether `bytes` is entirely valid UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above
 * U+10FFFF, no truncated sequence at the end. An empty array is valid.
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (nativeIsUtf8 !== undefined && bytes.length >= NATIVE_THRESHOLD) return nativeIsUtf8(bytes);
  return scan(bytes, 0, bytes.length, ACCEPT) === ACCEPT;
}

/**
 * Where the trailing, possibly unfinished sequence of bytes[start..end) begins: the index of a lead
 * byte among the last three bytes whose sequence runs past `end`, or `end` when there is none.
 */
function unfinishedTail(bytes: Uint8Array, start: number, end: number): number {
  const stop = Math.max(start, end - 3);
  for (let j = end - 1; j >= stop; j--) {
    const byte = bytes[j]!;
    if (byte < 0x80) return end; // ASCII: whatever follows starts fresh
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return j + length > end ? j : end;
    }
  }
  return end;
}

/**
 * Incremental UTF-8 validation across the fragments of a text message (RFC 6455 §8.1). `push()`
 * returns false from the first chunk that holds a byte making the stream invalid, including the
 * start of a sequence that can no longer become valid (`F4 90`, `ED A0`, `E0 80`), so a receiver
 * can fail the connection before the message is complete (§5.6 allows it, Autobahn tests it).
 * `end()` returns false if the stream stops inside a sequence. Once invalid, every later `push()`
 * and `end()` returns false until `reset()`.
 */
export class Utf8Validator {
  #state = ACCEPT;

  /** Feed the next bytes; false as soon as the stream so far cannot be valid UTF-8. */
  push(bytes: Uint8Array): boolean {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    let state = this.#state;
    if (state === REJECT) return false;
    const end = bytes.length;
    let i = 0;
    if (state !== ACCEPT) {
      // Finish the sequence the previous chunk left open: at most 3 bytes.
      i = Math.min(end, state >>> 3);
      state = scan(bytes, 0, i, state);
    }
    if (state === ACCEPT && i < end) {
      if (nativeIsUtf8 !== undefined && end - i >= NATIVE_THRESHOLD) {
        const cut = unfinishedTail(bytes, i, end);
        state = nativeIsUtf8(bytes.subarray(i, cut)) ? scan(bytes, cut, end, ACCEPT) : REJECT;
      } else {
        state = scan(bytes, i, end, ACCEPT);
      }
    }
    this.#state = state;
    return state !== REJECT;
  }

  /** Whether the stream ended on a character boundary with nothing invalid before it. */
  end(): boolean {
    return this.#state === ACCEPT;
  }

  /** Forget everything, to validate a new stream (the next text message). */
  reset(): void {
    this.#state = ACCEPT;
  }
}
