/**
 * The seed's `compressionThreshold` setting, mapped onto the `perMessageDeflate` option of the
 * Node client and server (RFC 7692 permessage-deflate through @rfc6455/deflate).
 */

/** The part of a `perMessageDeflate` settings object this mapping reads and writes. */
export interface CompressionSettings {
  /** Messages shorter than this many bytes are sent uncompressed. */
  compressionThreshold?: number | undefined;
}

/**
 * Merge a `compressionThreshold` into a `perMessageDeflate` option value.
 *
 * - no threshold: `perMessageDeflate` is returned unchanged (compression stays off unless it asks);
 * - a threshold: compression is turned on with that threshold, keeping any other settings;
 * - a threshold with `perMessageDeflate: false`: a contradiction, so a TypeError.
 *
 * @throws {RangeError} when the threshold is not a number ≥ 0 (Infinity: negotiate, never compress).
 * @throws {TypeError} when compression is also switched off explicitly.
 */
export function withCompressionThreshold<T extends object>(
  caller: string,
  perMessageDeflate: boolean | T | undefined,
  compressionThreshold: number | undefined,
): boolean | T | CompressionSettings | undefined {
  if (compressionThreshold === undefined) return perMessageDeflate;
  if (typeof compressionThreshold !== 'number' || Number.isNaN(compressionThreshold) || compressionThreshold < 0) {
    throw new RangeError(
      `${caller}: compressionThreshold must be a number of bytes ≥ 0 (Infinity never compresses), got ${String(compressionThreshold)}.`,
    );
  }
  if (perMessageDeflate === false) {
    throw new TypeError(`${caller}: compressionThreshold turns permessage-deflate on; drop perMessageDeflate: false or the threshold.`);
  }
  if (perMessageDeflate !== undefined && perMessageDeflate !== true && (perMessageDeflate === null || typeof perMessageDeflate !== 'object')) {
    throw new TypeError(`${caller}: perMessageDeflate must be a boolean or an object of settings.`);
  }
  const settings = typeof perMessageDeflate === 'object' ? perMessageDeflate : {};
  return { ...settings, compressionThreshold };
}
