/**
 * The `websocket` command's dispatch: parses the command line, runs a client (`-c`, `connect`), the
 * interactive server (`-l`) or `serve`, prints the help and the version, and turns a
 * {@link UsageError} into its message, a pointer to `--help` and exit code 2.
 */
import { readFileSync } from 'node:fs';
import { parseCommandLine } from './args.ts';
import { runConnect } from './connect.ts';
import { runServe } from './serve.ts';
import type { CommandIo } from './terminal.ts';
import { ExitCode, UsageError, renderHelp } from './usage.ts';

/** This package's version, from its package.json (two levels above dist/lib/cli.js). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Run the command line `argv` (without `node` and the script) and resolve with the exit code. */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  try {
    const line = parseCommandLine(argv);
    if (line.values.has('help')) {
      io.stdout.write(renderHelp(line.topic));
      return ExitCode.Ok;
    }
    if (line.values.has('version')) {
      io.stdout.write(`${version()}\n`);
      return ExitCode.Ok;
    }
    if (line.mode === undefined) {
      if (line.values.size > 0) throw new UsageError('say what to do: -c <url> to connect, -l <port> or serve to run a server');
      io.stdout.write(renderHelp());
      return ExitCode.Usage;
    }
    return line.mode === 'connect' ? await runConnect(line, io) : await runServe(line, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const help = err.command === undefined ? 'websocket --help' : `websocket ${err.command} --help`;
      io.stderr.write(`websocket: ${err.message}\nTry '${help}'.\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
}
