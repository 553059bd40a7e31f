/**
 * Run one target for a time budget and save any counterexample to the corpus, so it is replayed
 * by the corpus test from then on.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Target } from './targets.ts';

/** Result of a timed run. */
export interface RunResult {
  /** Inputs tried. */
  runs: number;
  /** The shrunk counterexample and its error, when an invariant broke. */
  failure?: { input: unknown; message: string; file: string } | undefined;
}

/** Where counterexamples go. */
export const CORPUS_DIR = new URL('../../corpus/', import.meta.url).pathname;

/** Run `target` for about `seconds` (seeded by `seed` when given); write a failure to `corpusDir`. */
export function runTarget(target: Target, seconds: number, seed?: number, corpusDir = CORPUS_DIR): RunResult {
  let message = '';
  const details = fc.check(
    fc.property(target.arbitrary, (input) => {
      try {
        target.check(input);
      } catch (err) {
        message = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (cause: ${err.cause.message})` : ''}` : String(err);
        throw err;
      }
    }),
    {
      numRuns: Number.MAX_SAFE_INTEGER,
      interruptAfterTimeLimit: seconds * 1000,
      markInterruptAsFailure: false,
      ...(seed === undefined ? {} : { seed }),
    },
  );
  if (!details.failed || details.counterexample === null) return { runs: details.numRuns };
  const input = details.counterexample[0];
  const json = JSON.stringify({ target: target.name, input, message, seed: details.seed }, null, 2);
  const file = join(corpusDir, `${target.name}-${createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 12)}.json`);
  mkdirSync(corpusDir, { recursive: true });
  writeFileSync(file, `${json}\n`);
  return { runs: details.numRuns, failure: { input, message, file } };
}
