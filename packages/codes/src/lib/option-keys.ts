/**
 * The rule every options object of the toolkit keeps: no option is silently ignored. A key the
 * callee does not know throws at once, and the message says what to write instead when it can — a
 * hint for a name users bring from another library (ws's `maxPayload` where we say
 * `maxMessageLength`, say), or the known name a misspelt key is closest to.
 */

/** What to write instead of a key that is not an option: key → advice, such as `'use handshakeTimeoutMs'`. */
export type OptionHints = Readonly<Record<string, string>>;

/**
 * Throw a `TypeError` naming the first own enumerable key of `options` that is not in `known`:
 * `` `${where}: unknown option "key"; advice` ``, where the advice is `hints[key]` when there is
 * one, else the known name the key most likely misspells (a different case, or at most two edits
 * away), else the list of known names. Does nothing when every key is known.
 *
 * @throws {TypeError} for the first unknown key.
 */
export function checkOptionKeys(where: string, options: object, known: ReadonlySet<string>, hints: OptionHints = {}): void {
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    throw new TypeError(`${where}: unknown option ${JSON.stringify(key)}; ${adviceFor(key, known, hints)}`);
  }
}

function adviceFor(key: string, known: ReadonlySet<string>, hints: OptionHints): string {
  if (Object.hasOwn(hints, key)) return hints[key] as string;
  const closest = closestName(key, known);
  if (closest !== undefined) return `did you mean ${JSON.stringify(closest)}?`;
  return `the options are ${[...known].join(', ')}.`;
}

/** The known name `key` most likely misspells: the same letters in another case, else the nearest within two edits. */
function closestName(key: string, known: ReadonlySet<string>): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(key.length / 3));
  for (const name of known) {
    if (name.toLowerCase() === lower) return name;
    const distance = editDistance(lower, name.toLowerCase(), bestDistance);
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Optimal string alignment distance (insertions, deletions, substitutions and swaps of adjacent
 * letters), or `limit + 1` as soon as it must exceed `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (before[j - 2] as number) + 1);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}
