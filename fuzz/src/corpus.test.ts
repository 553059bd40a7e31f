/**
 * Replays every committed corpus input (corpus/*.json: hand-written interesting inputs and
 * counterexamples `pnpm fuzz` found) through its target's invariants.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR } from './lib/run-target.ts';
import { TARGETS } from './lib/targets.ts';

const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.json')).sort();

describe('corpus', () => {
  it('has entries for every target', () => {
    const names = new Set(files.map((f) => (JSON.parse(readFileSync(join(CORPUS_DIR, f), 'utf8')) as { target: string }).target));
    expect([...names].sort()).toEqual(TARGETS.map((t) => t.name).sort());
  });

  for (const file of files) {
    it(file, () => {
      const entry = JSON.parse(readFileSync(join(CORPUS_DIR, file), 'utf8')) as { target: string; input: unknown };
      const target = TARGETS.find((t) => t.name === entry.target);
      expect(target, `unknown target ${entry.target}`).toBeDefined();
      target!.check(entry.input);
    });
  }
});
