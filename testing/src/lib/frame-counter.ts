/**
 * Counts frames in a stream of unmasked (server → client) frames by reading headers and skipping
 * payloads: the load generator of the end-to-end benchmarks must cost less CPU than any server it
 * measures, so it never copies, unmasks or inflates a payload. Nothing is validated; use
 * {@link FrameReader} to judge what a peer sent.
 */
export class FrameCounter {
  /** Payload bytes of the current frame still to skip. */
  #skip = 0;
  /** Whether the frame being skipped counts (a final data frame). */
  #counts = false;
  /** A header cut by a chunk boundary (at most 9 bytes). */
  #partial: Buffer | undefined;

  /**
   * Feed one chunk; returns how many final data frames (FIN set, opcode below 8) it completed.
   * Control frames (a heartbeat ping, a close) and non-final fragments are skipped uncounted.
   */
  push(data: Buffer): number {
    let chunk = data;
    if (this.#partial !== undefined) {
      chunk = Buffer.concat([this.#partial, chunk]);
      this.#partial = undefined;
    }
    let count = 0;
    let i = 0;
    const n = chunk.length;
    for (;;) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, n - i);
        this.#skip -= take;
        i += take;
        if (this.#skip > 0) return count;
        if (this.#counts) count++;
      }
      if (i >= n) return count;
      if (n - i < 2) {
        this.#partial = chunk.subarray(i);
        return count;
      }
      const b0 = chunk[i]!;
      const len7 = chunk[i + 1]! & 0x7f;
      const head = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
      if (n - i < head) {
        this.#partial = chunk.subarray(i);
        return count;
      }
      // RFC 6455 §5.2 length forms; a 64-bit length is read from its low 32 bits (no benchmark sends 4 GiB).
      const size = len7 < 126 ? len7 : len7 === 126 ? chunk.readUInt16BE(i + 2) : chunk.readUInt32BE(i + 6);
      i += head;
      this.#counts = (b0 & 0x80) !== 0 && (b0 & 0x0f) < 8;
      if (size === 0) {
        if (this.#counts) count++;
        continue;
      }
      this.#skip = size;
    }
  }
}
