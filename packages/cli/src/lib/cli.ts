/**
 * The `websocket` command's dispatch: picks `connect` or `serve`, prints the help and the version,
 * and turns a {@link UsageError} into its message, a pointer to `--help` and exit code 2.
 */
import { readFileSync } from 'node:fs';
import { runConnect } from './connect.ts';
import type { ConnectIo } from './connect.ts';
import { runServe } from './serve.ts';
import { CONNECT_HELP, ExitCode, MAIN_HELP, SERVE_HELP, UsageError } from './usage.ts';

/** This package's version, from its package.json (two levels above dist/lib/cli.js). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Run the command line `argv` (without `node` and the script) and resolve with the exit code. */
export async function runCli(argv: string[], io: ConnectIo): Promise<number> {
  const [command, ...rest] = argv;
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
        if (command === 'help' && rest[0] === 'connect') io.stdout.write(CONNECT_HELP);
        else if (command === 'help' && rest[0] === 'serve') io.stdout.write(SERVE_HELP);
        else io.stdout.write(MAIN_HELP);
        return command === undefined ? ExitCode.Usage : ExitCode.Ok;
      case '-v':
      case '--version':
        io.stdout.write(`${version()}\n`);
        return ExitCode.Ok;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      const help = err.command === undefined ? 'websocket --help' : `websocket ${err.command} --help`;
      io.stderr.write(`websocket: ${err.message}\nTry '${help}'.\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
}
