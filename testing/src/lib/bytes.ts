/**
 * Byte strings as tests write them: hex both ways, text or bytes to a Buffer, and a stream cut into
 * the chunks a socket might deliver.
 */

/** Bytes → lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Hex → a fresh plain Uint8Array (not a Buffer, whose `slice` would share memory: code under test
 * unmasks in place). Whitespace is ignored (`fromHex('cebae1 bdb9')`), so vectors can be grouped
 * the way RFCs print them; anything else that is not a pair of hex digits throws a `TypeError`.
 */
export function fromHex(hex: string): Uint8Array {
  const digits = hex.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) throw new TypeError(`not an even number of hex digits: ${JSON.stringify(hex)}`);
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

/** A string (as UTF-8) or any bytes as a Buffer; bytes are viewed, not copied. `undefined` is empty. */
export function toBytes(data: string | Uint8Array | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Split `bytes` at `cuts`. Any numbers will do: each is taken modulo the length, then they are
 * sorted and deduplicated, so a property test can draw cut points without knowing the length.
 * Every chunk is a fresh plain Uint8Array, even from a Buffer. Empty input gives no chunks.
 */
export function cutAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  if (bytes.length === 0) return [];
  const points = [...new Set(cuts.map((c) => Math.abs(c) % bytes.length))].filter((c) => c > 0).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(new Uint8Array(bytes.subarray(from, p)));
    from = p;
  }
  out.push(new Uint8Array(bytes.subarray(from)));
  return out;
}

/** Split `bytes` into Buffers of `size` bytes (the last may be shorter), each a copy, as reads from a socket. */
export function cutEvery(bytes: Uint8Array, size: number): Buffer[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(Buffer.from(bytes.subarray(at, at + size)));
  return out;
}
