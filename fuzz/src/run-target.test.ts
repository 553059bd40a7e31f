/**
 * The fuzz harness itself: a broken invariant is found, shrunk, and written to the corpus folder.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { runTarget } from './lib/run-target.ts';

it('runTarget saves the shrunk counterexample with its message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-corpus-'));
  try {
    const target = {
      name: 'demo',
      arbitrary: fc.integer({ min: 0, max: 1000 }),
      check: (n: unknown) => {
        if ((n as number) >= 10) throw new Error(`too big: ${String(n)}`);
      },
    };
    const result = runTarget(target, 1, 42, dir);
    expect(result.failure?.input).toBe(10);
    expect(result.failure?.message).toBe('too big: 10');
    const files = readdirSync(dir);
    expect(files.length).toBe(1);
    expect(files[0]).toMatch(/^demo-[0-9a-f]{12}\.json$/);
    const saved = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as { target: string; input: number };
    expect([saved.target, saved.input]).toEqual(['demo', 10]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
