/**
 * The last 2^windowBits bytes a peer's decompressor has produced, kept so each message can be
 * inflated by a fresh, short-lived zlib call with these bytes as its preset dictionary. That is
 * exactly the LZ77 window context takeover refers to (RFC 7692 §7.1.1), so no inflate stream
 * has to live between messages.
 */
export class SlidingWindow {
  /** Capacity in bytes. */
  readonly size: number;
  #buffer: Uint8Array | undefined;
  #length = 0;

  /** A window of `size` bytes; memory is taken on the first {@link push}. */
  constructor(size: number) {
    this.size = size;
  }

  /** The bytes held, oldest first (a view: copy it before the next {@link push}). */
  get bytes(): Uint8Array {
    return this.#buffer === undefined ? new Uint8Array(0) : this.#buffer.subarray(0, this.#length);
  }

  /** Append `data`, dropping the oldest bytes beyond {@link size}. */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    const buffer = (this.#buffer ??= new Uint8Array(this.size));
    if (data.length >= this.size) {
      buffer.set(data.subarray(data.length - this.size));
      this.#length = this.size;
      return;
    }
    const keep = Math.min(this.#length, this.size - data.length);
    if (keep < this.#length) buffer.copyWithin(0, this.#length - keep, this.#length);
    buffer.set(data, keep);
    this.#length = keep + data.length;
  }

  /** Forget everything and give the memory back. */
  clear(): void {
    this.#buffer = undefined;
    this.#length = 0;
  }
}
