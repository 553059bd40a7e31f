/**
 * The built `websocket` command (node dist/main.js): its help, its version and its usage errors.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, run } from '../../test/cli.ts';

afterEach(cleanUp);

describe('--help', () => {
  it('every command has help with examples, exit 0', async () => {
    const main = await run(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/^Usage: websocket <command> \[options\]/);
    expect(main.stdout).toContain('connect <url>');
    expect(main.stdout).toContain('Examples:\n  websocket connect ws://127.0.0.1:8080/');
    const connectHelp = await run(['connect', '--help']);
    expect(connectHelp.code).toBe(0);
    expect(connectHelp.stdout).toMatch(/^Usage: websocket connect <url> \[options\]/);
    for (const option of ['--header', '--subprotocol', '--origin', '--compress', '--binary', '--json', '--ping', '--send', '--wait']) {
      expect(connectHelp.stdout).toContain(option);
    }
    expect(connectHelp.stdout).toContain('websocket connect ws://127.0.0.1:8080/ --send hello --send world --wait 500');
    const serveHelp = await run(['serve', '-h']);
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.stdout).toMatch(/^Usage: websocket serve \[options\]/);
    expect(serveHelp.stdout).toContain('websocket serve --static ./public --broadcast');
  });

  it('no command prints the help and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Usage: websocket <command>/);
  });
});

describe('usage errors exit 2 with a pointer to --help', () => {
  it.each([
    [['frobnicate'], "websocket: unknown command 'frobnicate'\nTry 'websocket --help'.\n"],
    [['connect'], "websocket: connect needs a URL, e.g. ws://127.0.0.1:8080/\nTry 'websocket connect --help'.\n"],
    [['connect', 'ftp://x/'], "websocket: the URL must start with ws://, wss://, http:// or https://, got 'ftp:'\nTry 'websocket connect --help'.\n"],
    [['connect', 'ws://127.0.0.1:1/', '--wait', 'soon'], "websocket: --wait must be a whole number from 0 to 2147483647, got 'soon'\nTry 'websocket connect --help'.\n"],
    [['connect', 'ws://127.0.0.1:1/', '-H', 'no colon'], "websocket: --header must look like 'Name: value', got 'no colon'\nTry 'websocket connect --help'.\n"],
    [['serve', '--echo', '--broadcast'], "websocket: choose --echo or --broadcast, not both\nTry 'websocket serve --help'.\n"],
    [['serve', '--port', '70000'], "websocket: --port must be a whole number from 0 to 65535, got '70000'\nTry 'websocket serve --help'.\n"],
  ])('%j', async (args, stderr) => {
    const result = await run(args);
    expect(result).toMatchObject({ code: 2, stderr, stdout: '' });
  });

  it('an unknown option', async () => {
    const result = await run(['connect', 'ws://127.0.0.1:1/', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^websocket: Unknown option '--bogus'/);
  });
});

describe('--version', () => {
  it('prints the version of @rfc6455/cli, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      expect(await run([flag])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});
