/**
 * Outgoing frames as single buffers, cheaply. Small frames are carved out of a shared slab (the
 * strategy of Node's Buffer pool): allocating a typed array outside the V8 heap costs several
 * hundred nanoseconds, far more than building a small frame, and carving avoids it. Every slice is
 * handed out once and never written again; a slab is dropped (never recycled) when full, so it is
 * freed once the last frame cut from it has been written and released.
 *
 * Consequence for the I/O layer: a written array may be a view into a larger buffer. Use its
 * `byteOffset` and `byteLength` (as `Buffer.from(a.buffer, a.byteOffset, a.byteLength)` does), never
 * its whole `buffer`.
 */
import { allocateUninitialized, applyMask, maskInto, writeFrameHeader } from '@rfc6455/frame';
import type { EncodeFrameOptions } from '@rfc6455/frame';
import { textEncoder } from './runtime.ts';

/**
 * Unmasked payloads up to this many bytes are copied behind their header into one buffer (one
 * write); larger ones go out as two writes, header then the caller's own buffer, to skip the copy.
 * Masked (client) frames are always one buffer: masking needs a copy anyway.
 */
export const SINGLE_WRITE_MAX = 16 * 1024;

/** Size of one slab. */
const SLAB_SIZE = 16 * 1024;
/** Largest frame taken from a slab; larger frames get a buffer of their own. */
const SLAB_MAX = 4 * 1024;
/** Typed arrays up to this size live on V8's heap and are cheap to allocate (measured: faster than a slab view). */
const ON_HEAP_MAX = 64;
/** Largest string length encoded straight into a frame buffer (3 bytes a UTF-16 unit at most). */
const DIRECT_TEXT_MAX = 16 * 1024;
/** Room left before a text payload for the longest header: 10 length bytes + 4 mask bytes. */
const MAX_HEADER = 14;

let slab: Uint8Array = new Uint8Array(0);
let slabOffset = 0;
// Whether the last reserve() came from the slab. A flag, not `view.buffer === slab.buffer`: reading
// `.buffer` of a small on-heap typed array forces V8 to move it off the heap, the very cost avoided here.
let fromSlab = false;

/** Reserve `size` bytes: a view into the current slab, or an array of its own. Commit with {@link commit}. */
function reserve(size: number): Uint8Array {
  // V8 keeps typed arrays of up to 64 bytes on its heap, where allocating one is cheaper than a view.
  if (size <= ON_HEAP_MAX) {
    fromSlab = false;
    return new Uint8Array(size);
  }
  if (size > SLAB_MAX) {
    // Every byte is overwritten: skip the zero-fill (bench:e2e found it in 4 KiB echo profiles).
    fromSlab = false;
    return allocateUninitialized(size);
  }
  if (slabOffset + size > slab.length) {
    slab = allocateUninitialized(SLAB_SIZE);
    slabOffset = 0;
  }
  fromSlab = true;
  return slab.subarray(slabOffset, slabOffset + size);
}

/** Mark the first `used` bytes of the view just reserved as handed out (no-op for an array of its own). */
function commit(used: number): void {
  // Keep slices 8-byte aligned so the word-wise masking loop starts aligned.
  if (fromSlab) slabOffset = (slabOffset + used + 7) & ~7;
}

function headerLength(payloadLength: number, masked: boolean): number {
  return (payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

function frameOptions(fin: boolean, rsv: number, maskKey: Uint8Array | undefined): EncodeFrameOptions {
  // A literal rather than a spread: V8 builds it an order of magnitude faster on this hot path.
  return maskKey === undefined
    ? { fin, rsv1: (rsv & 4) !== 0, rsv2: (rsv & 2) !== 0, rsv3: (rsv & 1) !== 0 }
    : { fin, rsv1: (rsv & 4) !== 0, rsv2: (rsv & 2) !== 0, rsv3: (rsv & 1) !== 0, maskKey };
}

/** Header and payload (masked with `maskKey` when given) in one buffer; `payload` is not changed. */
export function encodeDataFrame(
  opcode: number,
  payload: Uint8Array,
  fin: boolean,
  rsv: number,
  maskKey: Uint8Array | undefined,
): Uint8Array {
  const length = payload.length;
  const size = headerLength(length, maskKey !== undefined) + length;
  const frame = reserve(size);
  const at = writeFrameHeader(frame, 0, opcode, length, frameOptions(fin, rsv, maskKey));
  if (maskKey === undefined) frame.set(payload, at);
  else maskInto(payload, maskKey, frame, at);
  commit(size);
  return frame.length === size ? frame : frame.subarray(0, size);
}

/** Only the header of an unmasked frame, for a payload written separately. */
export function encodeHeader(opcode: number, length: number, fin: boolean, rsv: number): Uint8Array {
  const size = headerLength(length, false);
  const header = reserve(size);
  writeFrameHeader(header, 0, opcode, length, frameOptions(fin, rsv, undefined));
  commit(size);
  return header;
}

/**
 * A whole text frame built from a string with one encode and no intermediate copy: the UTF-8 bytes
 * are encoded straight behind room for the longest header, then the header is written just before
 * them. Returns undefined when the string is too long for this path (the caller encodes it first).
 */
export function encodeTextFrame(text: string, maskKey: Uint8Array | undefined): Uint8Array | undefined {
  if (textEncoder === undefined || text.length > DIRECT_TEXT_MAX) return undefined;
  const view = reserve(MAX_HEADER + text.length * 3);
  const { written } = textEncoder.encodeInto(text, view.subarray(MAX_HEADER));
  const start = MAX_HEADER - headerLength(written, maskKey !== undefined);
  writeFrameHeader(view, start, 1, written, frameOptions(true, 0, maskKey));
  const end = MAX_HEADER + written;
  if (maskKey !== undefined) applyMask(view.subarray(MAX_HEADER, end), maskKey);
  commit(end);
  return view.subarray(start, end);
}
