#!/usr/bin/env node
/**
 * The `websocket` command: `websocket connect <url>` and `websocket serve`. See `websocket --help`
 * and the package README for the options and exit codes.
 */
import { readFileSync } from 'node:fs';
import { runConnect } from './connect.ts';
import { runServe } from './serve.ts';
import { CONNECT_HELP, ExitCode, MAIN_HELP, SERVE_HELP, UsageError } from './usage.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  try {
    switch (command) {
      case 'connect':
        return await runConnect(rest, io);
      case 'serve':
        return await runServe(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        if (command === 'help' && rest[0] === 'connect') process.stdout.write(CONNECT_HELP);
        else if (command === 'help' && rest[0] === 'serve') process.stdout.write(SERVE_HELP);
        else process.stdout.write(MAIN_HELP);
        return command === undefined ? ExitCode.Usage : ExitCode.Ok;
      case '-v':
      case '--version':
        process.stdout.write(`${version()}\n`);
        return ExitCode.Ok;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      const help = err.command === undefined ? 'websocket --help' : `websocket ${err.command} --help`;
      process.stderr.write(`websocket: ${err.message}\nTry '${help}'.\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Let stdout and stderr drain before leaving (they may be pipes read by a script).
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (err: unknown) => {
    process.stderr.write(`websocket: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(ExitCode.Abnormal);
  },
);
