/**
 * Reconnect delays: exponential backoff with "full jitter" (a uniformly random delay between 0 and
 * the exponential ceiling), which spreads a crowd of clients reconnecting after a server restart
 * far better than a fixed or equal-jitter schedule does.
 */

/** The backoff settings, all in milliseconds except `factor`. */
export interface BackoffOptions {
  /** The ceiling of the first retry's delay. Default 1000. */
  minDelayMs: number;
  /** The largest ceiling any retry can have. Default 30000. */
  maxDelayMs: number;
  /** How much the ceiling grows per retry. Default 2. */
  factor: number;
}

/** The backoff defaults: 1 s, doubling, capped at 30 s. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ minDelayMs: 1000, maxDelayMs: 30_000, factor: 2 });

/** The ceiling of retry number `attempt` (1-based): `min(maxDelayMs, minDelayMs × factor^(attempt−1))`. */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const exponential = options.minDelayMs * Math.pow(options.factor, Math.max(0, attempt - 1));
  // Math.pow overflows to Infinity after enough retries; min() keeps the cap.
  return Math.min(options.maxDelayMs, exponential);
}

/**
 * The delay before retry number `attempt` (1-based): `floor(random() × ceiling)`, so a whole
 * number of milliseconds in `[0, ceiling)`. `random` must return a number in `[0, 1)`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0;
  return Math.floor(unit * backoffCeiling(attempt, options));
}

/** Checks backoff options supplied by a caller and fills defaults; throws RangeError/TypeError naming the bad option. */
export function resolveBackoff(options: Partial<BackoffOptions>): BackoffOptions {
  const minDelayMs = options.minDelayMs ?? DEFAULT_BACKOFF.minDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs;
  const factor = options.factor ?? DEFAULT_BACKOFF.factor;
  checkNumber('minDelayMs', minDelayMs, 0);
  checkNumber('maxDelayMs', maxDelayMs, 0);
  checkNumber('factor', factor, 1);
  if (maxDelayMs < minDelayMs) throw new RangeError(`reconnect.maxDelayMs (${maxDelayMs}) must be ≥ reconnect.minDelayMs (${minDelayMs})`);
  return { minDelayMs, maxDelayMs, factor };
}

function checkNumber(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`reconnect.${name} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value) || value < min) throw new RangeError(`reconnect.${name} must be a finite number ≥ ${min}, got ${value}`);
}
