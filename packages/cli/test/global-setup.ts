/**
 * Build what the tests run: the @rfc6455 packages the command depends on (through turbo, only when
 * a dist/ is missing — turbo's `^build` normally did it) and this package itself (always, so a
 * test never runs yesterday's dist).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const dependencies = ['codes', 'frame', 'handshake', 'protocol', 'deflate', 'client', 'server'];

/** Vitest global setup: runs once before any test file. */
export default function setup(): void {
  if (dependencies.some((name) => !existsSync(`${root}packages/${name}/dist/index.js`))) {
    execFileSync(`${root}node_modules/.bin/turbo`, ['run', 'build', '--filter=@rfc6455/cli^...', '--output-logs=errors-only'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: here, stdio: 'inherit' });
}
