import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.ts';
import { connectSettings, parseUrl, withoutUserinfo } from './connect-options.ts';
import type { ConnectSettings } from './connect-options.ts';
import { UsageError } from './usage.ts';

const piped = { interactive: false, stdinIsTTY: false };
const typed = { interactive: true, stdinIsTTY: true };
const settings = (argv: string[], context = piped): ConnectSettings => connectSettings(parseCommandLine(argv), context);
const refused = (argv: string[], context = piped): string => {
  try {
    settings(argv, context);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(argv)}`);
};

const dir = mkdtempSync(join(tmpdir(), 'rfc6455-cli-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the URL', () => {
  it('no scheme means ws:// (as in wscat); only ws, wss, http and https', () => {
    expect(parseUrl('127.0.0.1:8080/chat').href).toBe('ws://127.0.0.1:8080/chat');
    expect(parseUrl('localhost:8080').href).toBe('ws://localhost:8080/');
    expect(parseUrl('https://example.com/x').href).toBe('https://example.com/x');
    expect(() => parseUrl('ftp://example.com/')).toThrow("the URL must start with ws://, wss://, http:// or https://, got 'ftp:'");
    expect(() => parseUrl('ws://')).toThrow("not a URL: 'ws://'");
  });

  it('userinfo stays in the URL the client dials, and is never in the one printed', () => {
    const { url, displayUrl, options } = settings(['-c', 'ws://alice:s%3Acret@127.0.0.1:8080/x?y=1']);
    expect([url.username, url.password]).toEqual(['alice', 's%3Acret']);
    expect(displayUrl).toBe('ws://127.0.0.1:8080/x?y=1');
    expect(options.headers).toBe(undefined);
    expect(withoutUserinfo(new URL('wss://h/'))).toBe('wss://h/');
  });

  it('the URL once: -c, connect <url> or a URL alone', () => {
    expect(settings(['connect', 'ws://h/']).url.href).toBe('ws://h/');
    expect(settings(['ws://h/']).url.href).toBe('ws://h/');
    expect(refused(['-c', 'ws://a/', 'ws://b/'])).toBe('give the URL once: -c ws://a/ or ws://b/');
    expect(refused(['connect'])).toBe('connect needs a URL, e.g. ws://127.0.0.1:8080/');
    expect(refused(['connect', 'ws://a/', 'ws://b/'])).toBe('connect takes one URL, got 2: ws://a/ ws://b/');
  });
});

describe('the client options', () => {
  it('defaults: 10 s handshake, 5 s close, the proxy from the environment, deflate left to the client', () => {
    expect(settings(['-c', 'ws://h/']).options).toEqual({ handshakeTimeoutMs: 10_000, closeTimeoutMs: 5_000, proxy: 'env' });
  });

  it("wscat's flags", () => {
    const { options } = settings([
      '-c', 'ws://h/', '-H', 'X-Trace: 1', '-s', 'chat.v2', '-s', 'chat', '-o', 'https://app.example', '--host', 'api.example',
      '--auth', 'alice:s3cr:et', '-n', '-L', '--max-redirects', '3', '--proxy', '127.0.0.1:3128', '-p', '13',
    ]);
    expect(options).toEqual({
      handshakeTimeoutMs: 10_000,
      closeTimeoutMs: 5_000,
      proxy: '127.0.0.1:3128',
      headers: { 'x-trace': '1', authorization: `Basic ${Buffer.from('alice:s3cr:et').toString('base64')}`, host: 'api.example' },
      protocols: ['chat.v2', 'chat'],
      origin: 'https://app.example',
      rejectUnauthorized: false,
      followRedirects: true,
      maxRedirects: 3,
    });
  });

  it('TLS files are read; the passphrase goes to tls.connect', () => {
    for (const name of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, name), `${name} bytes`);
    const { options, askPassphrase } = settings(['-c', 'wss://h/', '--ca', join(dir, 'ca.pem'), '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '--passphrase', 'pw']);
    expect([String(options.ca), String(options.cert), String(options.key), options.tls, askPassphrase]).toEqual(['ca.pem bytes', 'cert.pem bytes', 'key.pem bytes', { passphrase: 'pw' }, false]);
    expect(settings(['-c', 'wss://h/', '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '--passphrase'], typed).askPassphrase).toBe(true);
  });

  it('our flags: --no-deflate, --timeout, --ping-interval, -w in seconds, --binary, --json', () => {
    const result = settings(['-c', 'ws://h/', '--no-deflate', '--timeout', '2.5', '--ping-interval', '0.5', '-w', '0.25', '--binary', '--json', '-P', '--slash']);
    expect(result.options).toMatchObject({ perMessageDeflate: false, handshakeTimeoutMs: 2500 });
    expect(result).toMatchObject({ pingMs: 500, waitMs: 250, binary: true, format: { hex: true, json: true }, showPingPong: true, slash: true });
    expect(settings(['-c', 'ws://h/', '-x', 'a', '-x', 'b'])).toMatchObject({ execute: ['a', 'b'], waitMs: 2000 });
  });

  it.each([
    [['-c', 'ws://u:p@h/', '--auth', 'a:b'], 'credentials are given twice (the URL and --auth); keep one'],
    [['-c', 'ws://h/', '--auth', 'a:b', '-H', 'Authorization: Bearer x'], 'credentials are given twice (--auth and an Authorization header); keep one'],
    [['-c', 'ws://h/', '--auth', 'alice'], '--auth must look like user:password (RFC 7617 Basic)'],
    [['-c', 'ws://h/', '--host', 'a', '-H', 'Host: b'], 'the Host header is given twice (--host and -H Host:); keep one'],
    [['-c', 'ws://h/', '-p', '8'], '-p 8: @rfc6455/client speaks protocol version 13 only (every server that accepts 8 accepts 13); leave -p out'],
    [['-c', 'ws://h/', '-p', 'chat'], "-p/--protocol is the WebSocket protocol version (13), as in wscat, got 'chat'; a subprotocol is -s <name>"],
    [['-c', 'wss://h/', '--cert', 'c.pem'], '--cert and --key go together: give both'],
    [['-c', 'wss://h/', '--passphrase', 'pw'], '--passphrase is for the --key file: give --cert and --key too'],
    [['-c', 'wss://h/', '--ca', '/nonexistent/ca.pem'], "cannot read the --ca file '/nonexistent/ca.pem' (ENOENT)"],
    [['-c', 'ws://h/', '--max-redirects', '3'], '--max-redirects limits -L/--location: give -L too'],
  ])('refused: %j', (argv, message) => {
    expect(refused(argv)).toBe(message);
  });

  it('what depends on the terminal: -w needs -x when typing, --passphrase alone needs a terminal', () => {
    expect(refused(['-c', 'ws://h/', '-w', '1'], typed)).toBe('-w/--wait is the wait after -x/--execute or after piped input; add -x <message>');
    expect(settings(['-c', 'ws://h/', '-w', '1']).waitMs).toBe(1000);
    writeFileSync(join(dir, 'k.pem'), 'k');
    expect(refused(['-c', 'wss://h/', '--cert', join(dir, 'k.pem'), '--key', join(dir, 'k.pem'), '--passphrase'])).toBe(
      '--passphrase without a value asks on the terminal, and stdin is not one: give --passphrase <passphrase>',
    );
  });
});
