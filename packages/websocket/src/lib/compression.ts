/**
 * The seed's `compressionThreshold` setting as the shortcuts read it: a threshold means "compress
 * with permessage-deflate (RFC 7692) from this size on", so it switches permessage-deflate on and
 * is merged into the `perMessageDeflate` option of the Node client or server.
 */

/** The part of a `perMessageDeflate` settings object this mapping reads and writes. */
export interface CompressionSettings {
  /** Messages shorter than this many bytes are sent uncompressed. */
  compressionThreshold?: number | undefined;
  /** ws's name for the same setting, in a ws-shaped `perMessageDeflate`. */
  threshold?: number | undefined;
}

/**
 * Merge a `compressionThreshold` into a `perMessageDeflate` option value.
 *
 * - no threshold: `perMessageDeflate` is returned unchanged (the package's own default applies);
 * - a threshold: permessage-deflate is switched on with that threshold, keeping any other settings
 *   (a `compressionThreshold`, or ws's `threshold`, inside `perMessageDeflate` wins, as in the
 *   packages themselves);
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
  const settings: CompressionSettings = typeof perMessageDeflate === 'object' ? (perMessageDeflate as CompressionSettings) : {};
  // A threshold inside perMessageDeflate (ours or ws's `threshold`) wins; adding ours beside ws's
  // would give the setting twice, which the packages refuse.
  if (settings.compressionThreshold !== undefined || settings.threshold !== undefined) return settings;
  return { ...settings, compressionThreshold };
}
