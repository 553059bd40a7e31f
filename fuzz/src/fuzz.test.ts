/**
 * The short fuzz pass CI runs: each target for FUZZ_SECONDS (default 2) seconds. `pnpm fuzz
 * --seconds N` runs this same file with a longer budget. A counterexample is written to corpus/
 * and fails the test with the broken invariant.
 */
import { describe, expect, it } from 'vitest';
import { runTarget } from './lib/run-target.ts';
import { TARGETS } from './lib/targets.ts';

const seconds = Number(process.env['FUZZ_SECONDS'] ?? 2);
const seed = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);

describe('fuzz', () => {
  for (const target of TARGETS) {
    it(`${target.name} keeps its invariants for ${seconds} s`, () => {
      const result = runTarget(target, seconds, seed);
      if (result.failure) throw new Error(`${target.name}: ${result.failure.message}\nsaved to ${result.failure.file}`);
      console.log(`${target.name}: ${result.runs} inputs in ${seconds} s`);
      expect(result.runs).toBeGreaterThan(0);
    }, seconds * 1000 + 60_000);
  }
});
