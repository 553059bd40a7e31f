/**
 * One way to read handshake headers, whatever shape they arrive in.
 *
 * Node gives `IncomingHttpHeaders` (lower-case keys, `string | string[] | undefined` values) and a
 * flat `rawHeaders` array; fetch-style code gives a `Headers` object; tests give pairs. They are
 * normalised once into a `Map` keyed by lower-case name, so a missing, repeated, empty or array
 * value can never crash a caller (ws's CVE-2024-37890 was `undefined.toLowerCase()`), and names
 * such as `__proto__` or `constructor` are ordinary keys.
 */

/** Anything iterable over `[name, value]` pairs, such as a WHATWG `Headers` object or a `Map`. */
export interface HeaderEntries {
  entries(): Iterable<readonly [string, string]>;
}

/**
 * The header shapes every function of this package accepts:
 * - a Node `IncomingHttpHeaders`-like record (`string | string[] | undefined` values; numbers are
 *   tolerated for `OutgoingHttpHeaders`),
 * - a `Headers`-like object or `Map` (anything with `entries()`),
 * - an array of `[name, value]` pairs, or Node's flat `rawHeaders` array `[name, value, name, …]`,
 * - an already normalised {@link HandshakeHeaders}.
 */
export type HeadersInput =
  | HandshakeHeaders
  | HeaderEntries
  | ReadonlyArray<readonly [string, string]>
  | readonly string[]
  | Readonly<Record<string, string | number | readonly string[] | undefined>>;

/**
 * Header fields by lower-case name, each with every value received in order. Read-only after
 * construction; build one with {@link normalizeHeaders}.
 */
export class HandshakeHeaders {
  readonly #fields = new Map<string, string[]>();

  /** Add one received value of `name`; used while normalising. */
  #add(name: string, value: string): void {
    const key = name.toLowerCase();
    const values = this.#fields.get(key);
    if (values === undefined) this.#fields.set(key, [value]);
    else values.push(value);
  }

  /** Build from any {@link HeadersInput}. Values that are not strings or numbers are skipped. */
  constructor(input?: HeadersInput | null) {
    if (input === undefined || input === null) return;
    if (input instanceof HandshakeHeaders) {
      for (const [name, values] of input.#fields) this.#fields.set(name, [...values]);
      return;
    }
    if (Array.isArray(input)) {
      if (input.every((item) => typeof item === 'string')) {
        const flat = input as readonly string[];
        for (let i = 0; i + 1 < flat.length; i += 2) this.#add(flat[i] as string, flat[i + 1] as string);
      } else {
        for (const pair of input as ReadonlyArray<unknown>) {
          if (!Array.isArray(pair)) continue;
          const [name, value] = pair as unknown[];
          if (typeof name === 'string' && (typeof value === 'string' || typeof value === 'number')) {
            this.#add(name, String(value));
          }
        }
      }
      return;
    }
    if (typeof input !== 'object') return;
    if (typeof (input as Partial<HeaderEntries>).entries === 'function') {
      for (const entry of (input as HeaderEntries).entries()) {
        const [name, value] = entry;
        if (typeof name === 'string' && typeof value === 'string') this.#add(name, value);
      }
      return;
    }
    // Own enumerable keys only: inherited or prototype names never become headers.
    for (const name of Object.keys(input)) {
      const value: unknown = (input as Record<string, unknown>)[name];
      if (typeof value === 'string' || typeof value === 'number') this.#add(name, String(value));
      else if (Array.isArray(value)) {
        for (const item of value as unknown[]) if (typeof item === 'string') this.#add(name, item);
      }
    }
  }

  /** Whether `name` was received at least once. */
  has(name: string): boolean {
    return this.#fields.has(name.toLowerCase());
  }

  /** Every value received for `name`, in order; `[]` when absent. */
  getAll(name: string): readonly string[] {
    return this.#fields.get(name.toLowerCase()) ?? [];
  }

  /**
   * The value of `name`, repeated fields combined with `", "` as RFC 7230 §3.2.2 allows for list
   * headers; `undefined` when absent.
   */
  get(name: string): string | undefined {
    const values = this.#fields.get(name.toLowerCase());
    return values === undefined ? undefined : values.join(', ');
  }

  /**
   * The value of a header that must appear at most once: `undefined` when absent, `null` when it
   * was repeated (which the handshake treats as invalid), the value otherwise.
   */
  getSingle(name: string): string | null | undefined {
    const values = this.#fields.get(name.toLowerCase());
    if (values === undefined) return undefined;
    return values.length === 1 ? (values[0] as string) : null;
  }

  /** A plain null-prototype record of the headers, repeated values joined with `", "`. */
  toRecord(): Record<string, string> {
    const record = Object.create(null) as Record<string, string>;
    for (const [name, values] of this.#fields) record[name] = values.join(', ');
    return record;
  }

  /** The `[lower-case name, values]` entries, in the order the names first appeared. */
  entries(): Array<[string, readonly string[]]> {
    return Array.from(this.#fields, ([name, values]): [string, readonly string[]] => [name, [...values]]);
  }
}

/** Normalise any {@link HeadersInput} into {@link HandshakeHeaders} (a no-copy pass-through for one). */
export function normalizeHeaders(input: HeadersInput | null | undefined): HandshakeHeaders {
  return input instanceof HandshakeHeaders ? input : new HandshakeHeaders(input);
}
