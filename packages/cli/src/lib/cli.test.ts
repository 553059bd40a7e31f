/**
 * The built `websocket` command (node dist/main.js): its help, its version and its usage errors.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, run } from '../../test/cli.ts';
import { renderHelp } from './usage.ts';

afterEach(cleanUp);

describe('--help', () => {
  it('prints the help of the side asked for, exit 0', async () => {
    const main = await run(['--help']);
    expect(main).toMatchObject({ code: 0, stdout: renderHelp(), stderr: '' });
    expect(await run(['connect', '--help'])).toMatchObject({ code: 0, stdout: renderHelp('connect') });
    expect(await run(['-c', 'ws://127.0.0.1:1/', '-h'])).toMatchObject({ code: 0, stdout: renderHelp('connect') });
    expect(await run(['serve', '-h'])).toMatchObject({ code: 0, stdout: renderHelp('serve') });
    expect(await run(['help', 'serve'])).toMatchObject({ code: 0, stdout: renderHelp('serve') });
  });

  it('no command prints the help and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Usage: websocket -c <url>/);
  });
});

describe('usage errors exit 2 with what to type instead and a pointer to --help', () => {
  it.each([
    [['frobnicate'], "websocket: unknown command 'frobnicate': use -c <url> (or connect <url>), -l <port>, or serve\nTry 'websocket --help'.\n"],
    [['connect'], "websocket: connect needs a URL, e.g. ws://127.0.0.1:8080/\nTry 'websocket connect --help'.\n"],
    [['connect', 'ftp://x/'], "websocket: the URL must start with ws://, wss://, http:// or https://, got 'ftp:'\nTry 'websocket connect --help'.\n"],
    [['-c', 'ws://127.0.0.1:1/', '-x', 'a', '--wait', 'soon'], "websocket: -w/--wait takes seconds, a number from 0 to 2147483 (e.g. 2 or 0.5), got 'soon'\nTry 'websocket connect --help'.\n"],
    [['-c', 'ws://127.0.0.1:1/', '-H', 'no colon'], "websocket: --header must look like 'Name: value', got 'no colon'\nTry 'websocket connect --help'.\n"],
    [['-c', 'ws://127.0.0.1:1/', '--compress'], "websocket: unknown option '--compress'; permessage-deflate is on by default in a client (--no-deflate turns it off); a server accepts it with --deflate\nTry 'websocket connect --help'.\n"],
    [['-c', 'ws://127.0.0.1:1/', '-l', '8080'], "websocket: use either -l/--listen or -c/--connect, not both\nTry 'websocket --help'.\n"],
    [['serve', '--echo', '--broadcast'], "websocket: choose --echo or --broadcast, not both\nTry 'websocket serve --help'.\n"],
    [['serve', '--port', '70000'], "websocket: --port must be a whole number from 0 to 65535, got '70000'\nTry 'websocket serve --help'.\n"],
    [['serve', '-p', '8080'], "websocket: -p/--protocol is a client's WebSocket version (as in wscat); to choose the port, use -l <port> or serve --port <port>\nTry 'websocket serve --help'.\n"],
    [['--no-color'], "websocket: say what to do: -c <url> to connect, -l <port> or serve to run a server\nTry 'websocket --help'.\n"],
  ])('%j', async (args, stderr) => {
    const result = await run(args);
    expect(result).toMatchObject({ code: 2, stderr, stdout: '' });
  });
});

describe('-V, --version', () => {
  it('prints the version of @rfc6455/cli, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      expect(await run([flag])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});
