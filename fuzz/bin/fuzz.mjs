#!/usr/bin/env node
// pnpm fuzz [--seconds N] [--seed S] [--target NAME]: run every fuzz target (or one) for N seconds
// each (default 60) through vitest, which resolves the workspace's TypeScript sources.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string' }, target: { type: 'string' } },
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('--seconds must be a positive number');
  process.exit(2);
}
const env = { ...process.env, FUZZ_SECONDS: String(seconds) };
if (values.seed !== undefined) env.FUZZ_SEED = values.seed;
const args = ['exec', 'vitest', 'run', 'src/fuzz.test.ts', '--reporter=verbose'];
if (values.target !== undefined) args.push('-t', values.target);
const result = spawnSync('pnpm', args, { cwd: fileURLToPath(new URL('..', import.meta.url)), env, stdio: 'inherit' });
process.exit(result.status ?? 1);
