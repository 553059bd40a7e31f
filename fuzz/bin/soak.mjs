#!/usr/bin/env node
// pnpm soak [--connections N] [--seconds S]: hold N connections (default 5,000) for S seconds
// (default 60) with mixed traffic and print the report (see src/lib/soak.ts). Raise the open-file
// limit first if N is large: each connection uses two descriptors (`ulimit -n 20000`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '5000' }, seconds: { type: 'string', default: '60' } } });
const env = { ...process.env, SOAK_CONNECTIONS: values.connections, SOAK_SECONDS: values.seconds, SOAK_VERBOSE: '1' };
const result = spawnSync('pnpm', ['exec', 'vitest', 'run', 'src/soak.test.ts', '--reporter=verbose'], {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
