/**
 * Buffers for encoded frames and assembled payloads, cheaply. `new Uint8Array(n)` zero-fills its
 * memory and, above 64 bytes, allocates an ArrayBuffer outside V8's heap: several hundred
 * nanoseconds for 1 KiB, tens of microseconds for 1 MiB (measured on Node 20), which is more than
 * the frame work itself when every byte is overwritten right away. So:
 * - up to ON_HEAP_MAX bytes, `new Uint8Array` (V8 keeps such arrays on its heap, the cheapest way);
 * - up to SLAB_MAX bytes, a view carved from a shared slab (the strategy of Node's Buffer pool):
 *   each view is handed out once and never written again, and a full slab is dropped, never
 *   recycled, so its memory is freed when the last view into it is;
 * - above that, an array of its own; where the runtime has Node's `Buffer` (Node, Bun, Deno with
 *   Node compatibility; found through `globalThis`, nothing imported), its memory comes unzeroed
 *   from `Buffer.allocUnsafeSlow`. Slabs come unzeroed the same way.
 * Every result is a plain `Uint8Array`, never a `Buffer` (a view is wrapped around the memory),
 * but it may be a view into a larger ArrayBuffer: use its `byteOffset` and `byteLength`.
 */

interface BufferApi {
  allocUnsafeSlow(size: number): Uint8Array;
}

/** Typed arrays up to this many bytes live on V8's heap: cheaper than a slab view (measured). */
const ON_HEAP_MAX = 64;
/** Largest buffer carved from a slab; larger ones get memory of their own. */
const SLAB_MAX = 4 * 1024;
/** Size of one slab. */
const SLAB_SIZE = 16 * 1024;

const nodeBuffer: BufferApi | undefined = (() => {
  const candidate = (globalThis as unknown as { Buffer?: Partial<BufferApi> }).Buffer;
  return typeof candidate?.allocUnsafeSlow === 'function' ? (candidate as BufferApi) : undefined;
})();

/**
 * `size` bytes of memory of its own whose content is unspecified (the caller overwrites all of it):
 * exported for the layers above (the protocol's frame writer) so the trick lives in one place.
 * unzeroed where the runtime allows, a plain `Uint8Array` over the whole of a fresh ArrayBuffer
 * (`byteOffset` 0) either way.
 */
export function allocateUninitialized(size: number): Uint8Array {
  if (nodeBuffer === undefined || size <= ON_HEAP_MAX) return new Uint8Array(size);
  const memory = nodeBuffer.allocUnsafeSlow(size);
  return new Uint8Array(memory.buffer, memory.byteOffset, size);
}

let slab: ArrayBuffer = new ArrayBuffer(0);
let slabOffset = 0;

/**
 * `size` bytes for an outgoing frame, content unspecified: the caller writes every byte. Small
 * sizes share a slab (the result is then a view into a larger ArrayBuffer), large ones get memory
 * of their own. Each result is handed out once; the allocator never writes to it again.
 */
export function allocateFrame(size: number): Uint8Array {
  if (size <= ON_HEAP_MAX) return new Uint8Array(size);
  if (size > SLAB_MAX) return allocateUninitialized(size);
  if (slabOffset + size > slab.byteLength) {
    slab = allocateUninitialized(SLAB_SIZE).buffer as ArrayBuffer;
    slabOffset = 0;
  }
  // A plain view, not subarray(), which pays for a species lookup on every call.
  const view = new Uint8Array(slab, slabOffset, size);
  // Keep views 8-byte aligned so word-wise masking of the payload starts close to alignment.
  slabOffset = (slabOffset + size + 7) & ~7;
  return view;
}
