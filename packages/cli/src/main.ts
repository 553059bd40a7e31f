#!/usr/bin/env node
/**
 * The `websocket` command: `websocket connect <url>` and `websocket serve`. See `websocket --help`
 * and the package README for the options and exit codes.
 */
import { runCli } from './lib/cli.ts';
import { ExitCode } from './lib/usage.ts';

runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    // Let stdout and stderr drain before leaving (they may be pipes read by a script).
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (err: unknown) => {
    process.stderr.write(`websocket: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(ExitCode.Abnormal);
  },
);
