#!/usr/bin/env node
// pnpm soak [--connections N] [--seconds S]: hold N connections (default 5,000) for S seconds
// (default 60) with mixed traffic and print the report (see src/lib/soak.ts). Each connection
// takes two descriptors (client and server end, one process), so the run needs about 2N + 1,024.
// Node raises its own soft open-file limit to the hard one at start; when even the hard limit is too
// low, this script raises it (as root) by running the soak under `ulimit -Hn`, and otherwise says
// what to do.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '5000' }, seconds: { type: 'string', default: '60' } } });
const connections = Number(values.connections);
const seconds = Number(values.seconds);
if (!Number.isInteger(connections) || connections <= 0 || !Number.isFinite(seconds) || seconds <= 0) {
  console.error('--connections must be a positive integer and --seconds a positive number');
  process.exit(2);
}

const limit = (flag) => {
  const out = spawnSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).stdout.trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
};
const needed = connections * 2 + 1024;
const soft = limit('-Sn');
const hard = limit('-Hn');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let raise = '';
if (soft < needed) {
  if (needed <= hard) raise = `ulimit -Sn ${needed} && `;
  else if (isRoot && spawnSync('sh', ['-c', `ulimit -n ${needed}`]).status === 0) raise = `ulimit -n ${needed} && `;
  else {
    console.error(
      `soak: ${connections} connections need about ${needed} open files; the hard limit is ${hard}. ` +
        `Raise it (as root: ulimit -Hn ${needed}, or LimitNOFILE in systemd) or run fewer connections.`,
    );
    process.exit(1);
  }
  console.log(`soak: raising the open-file limit from ${soft} to ${needed} for this run`);
}

const env = { ...process.env, SOAK_CONNECTIONS: String(connections), SOAK_SECONDS: String(seconds), SOAK_VERBOSE: '1' };
// vitest's own entry, run by this Node: no package manager needed on PATH inside `sh`.
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const args = [process.execPath, vitest, 'run', 'src/soak.test.ts', '--reporter=verbose'];
const result = spawnSync('sh', ['-c', `${raise}exec "$@"`, 'sh', ...args], {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
