/**
 * The built `websocket` command (node dist/cli/main.js) against our server and with our client,
 * on 127.0.0.1 ephemeral ports. Every child is killed by its PID after each test.
 */
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { HttpError } from '@rfc6455/server';
import type { ServerWebSocket, WebSocketServer } from '@rfc6455/server';
import { createServer } from '../lib/create-server.ts';
import { finished, killChildren, run, start, waitForLine } from '../../test/cli.ts';
import type { Started } from '../../test/cli.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  killChildren();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Our server on an ephemeral port; `onConnection` decides what each connection does (echo by default). */
async function ourServer(
  options: Record<string, unknown> = {},
  onConnection: (ws: ServerWebSocket) => void = (ws) => ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary })),
): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = createServer({ port: 0, host: '127.0.0.1', heartbeat: false, ...options });
  cleanup.push(() => wss.close({ timeoutMs: 1000 }));
  await once(wss, 'listening');
  wss.on('connection', onConnection);
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/` };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `websocket serve …` on an ephemeral port, once it listens. */
async function serve(args: string[]): Promise<{ child: Started; port: number }> {
  const child = start(['serve', '--port', '0', ...args]);
  const match = await waitForLine(child, /listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
  return { child, port: Number(match[1]) };
}

/** Open our client to `port`; closed after the test. */
async function client(port: number): Promise<WebSocket> {
  const ws = await WebSocket.connect(`ws://127.0.0.1:${port}/`);
  cleanup.push(() => ws.terminate());
  return ws;
}

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

describe('websocket connect', () => {
  it('--send … --wait prints what was sent and the echo, then exits 0 after a clean close', async () => {
    const { url } = await ourServer();
    const result = await run(['connect', url, '--send', 'hello', '--send', 'world', '--wait', '300']);
    expect(result.stdout).toBe('> text: hello\n> text: world\n< text: hello\n< text: world\n');
    expect(result.stderr).toBe(`connected to ${url}\nclosed 1000 (NormalClosure)\n`);
    expect(result.code).toBe(0);
  });

  it('sends each line piped to stdin, then closes after --wait', async () => {
    const { url } = await ourServer();
    const result = await run(['connect', url, '--wait', '300'], { input: 'one\ntwo\nthree\n' });
    expect(result.stdout.split('\n').filter((line) => line.startsWith('<'))).toEqual(['< text: one', '< text: two', '< text: three']);
    expect(result.code).toBe(0);
  });

  it('--binary sends binary and prints hex; --json pretty-prints; headers, subprotocol and origin are sent', async () => {
    const requests: Array<Record<string, unknown>> = [];
    const { url } = await ourServer({
      handleProtocols: (offered: Set<string>) => (offered.has('chat.v2') ? 'chat.v2' : false),
      authenticate: (req: { headers: Record<string, unknown> }) => {
        requests.push({ trace: req.headers['x-trace'], origin: req.headers['origin'], protocol: req.headers['sec-websocket-protocol'] });
      },
    });
    const binary = await run(['connect', url, '-b', '--send', 'hello', '--wait', '300']);
    expect(binary.stdout).toBe('> binary (5 bytes): 68656c6c6f\n< binary (5 bytes): 68656c6c6f\n');
    const json = await run(['connect', url, '--json', '--send', '{"a":[1,2]}', '--wait', '300', '-s', 'chat.v2', '-H', 'X-Trace: 42', '-o', 'https://app.example']);
    expect(json.stdout).toContain('< text: {\n  "a": [\n    1,\n    2\n  ]\n}\n');
    expect(json.stderr).toContain(`connected to ${url} (subprotocol chat.v2)\n`);
    expect(requests).toEqual([
      { trace: undefined, origin: undefined, protocol: undefined },
      { trace: '42', origin: 'https://app.example', protocol: 'chat.v2' },
    ]);
  });

  it('refused: exit 1 and a readable error', async () => {
    const port = await closedPort();
    const result = await run(['connect', `ws://127.0.0.1:${port}/`, '--send', 'x']);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: `websocket: could not connect to 127.0.0.1:${port}: connection refused\n` });
  });

  it('a refused handshake: exit 1 with the HTTP status', async () => {
    const { url } = await ourServer({
      authenticate: () => {
        throw new HttpError(403, 'Not on the guest list');
      },
    });
    const result = await run(['connect', url, '--send', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^websocket: handshake failed: the server answered HTTP 403 Forbidden/);
    expect(result.stderr).toContain('Not on the guest list');
  });

  it('closed abnormally (no close frame): exit 3', async () => {
    const { url } = await ourServer({}, (ws) => ws.on('message', () => ws.terminate()));
    const result = await run(['connect', url, '--send', 'x', '--wait', '2000']);
    expect(result.stderr).toContain('closed 1006 (AbnormalClosure) (not clean)\n');
    expect(result.code).toBe(3);
  });

  it('closed by the server with an error code: exit 3', async () => {
    const { url } = await ourServer({}, (ws) => ws.on('message', () => ws.close(1011, 'boom')));
    const result = await run(['connect', url, '--send', 'x', '--wait', '2000']);
    expect(result.stderr).toContain('closed 1011 (InternalError): boom\n');
    expect(result.code).toBe(3);
  });

  it('--ping sends pings the server sees', async () => {
    let pings = 0;
    const { url } = await ourServer({}, (ws) => ws.on('ping', () => pings++));
    const result = await run(['connect', url, '--ping', '50', '--send', 'x', '--wait', '400']);
    expect(result.code).toBe(0);
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(result.stdout).toContain('< pong\n');
  });
});

describe('websocket serve', () => {
  it('--echo answers, and logs one line when a connection opens and one when it closes', async () => {
    const { child, port } = await serve(['--echo']);
    const ws = await client(port);
    ws.send('ping?');
    const [data] = (await once(ws, 'message')) as [Buffer];
    expect(data.toString()).toBe('ping?');
    await waitForLine(child, /#1 open 127\.0\.0\.1:\d+ \/\n/);
    ws.close(4000, 'done');
    expect((await waitForLine(child, /#1 close (.+)\n/))[1]).toBe('4000: done');
  });

  it('--broadcast fans a message out to every other connection', async () => {
    const { port } = await serve(['--broadcast']);
    const [a, b, c] = await Promise.all([client(port), client(port), client(port)]);
    const got: string[] = [];
    a.on('message', (data: Buffer) => got.push(`a:${data.toString()}`));
    const atB = once(b, 'message');
    const atC = once(c, 'message');
    a.send('hi all');
    expect(String(((await atB) as [Buffer])[0])).toBe('hi all');
    expect(String(((await atC) as [Buffer])[0])).toBe('hi all');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(got).toEqual([]);
  });

  it('SIGINT closes every connection with 1001 and exits 0', async () => {
    const { child, port } = await serve([]);
    const ws = await client(port);
    const closed = once(ws, 'close') as Promise<[number, Buffer, boolean]>;
    const exit = finished(child);
    process.kill(child.child.pid as number, 'SIGINT');
    const [code, reason, wasClean] = await closed;
    expect([code, reason.toString(), wasClean]).toEqual([1001, 'server shutting down', true]);
    const result = await exit;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('SIGINT: closing every connection with 1001\n');
  });

  it('--static serves files and refuses ../ traversal, WebSockets on the same port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfc6455-static-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'public', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'public', 'index.html'), '<h1>hi</h1>');
    writeFileSync(join(dir, 'public', 'sub', 'a.js'), 'export {}');
    writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET');
    const { port } = await serve(['--static', join(dir, 'public')]);

    const fetchText = async (path: string): Promise<[number, string, string | undefined]> => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return [res.status, await res.text(), res.headers.get('content-type') ?? undefined];
    };
    expect(await fetchText('/')).toEqual([200, '<h1>hi</h1>', 'text/html; charset=utf-8']);
    expect(await fetchText('/sub/a.js')).toEqual([200, 'export {}', 'text/javascript; charset=utf-8']);
    expect((await fetchText('/nope.txt'))[0]).toBe(404);

    // fetch and http.get normalise "..", so send the raw request line.
    const raw = async (target: string): Promise<string> => {
      const socket = netConnect(port, '127.0.0.1');
      socket.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      let text = '';
      for await (const chunk of socket) text += String(chunk);
      return text;
    };
    for (const target of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/..\\secret.txt']) {
      const answer = await raw(target);
      expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden/);
      expect(answer).not.toContain('TOP SECRET');
    }
    await new Promise<void>((resolve, reject) => {
      get(`http://127.0.0.1:${port}/%00`, (res) => {
        expect(res.statusCode).toBe(404);
        res.resume();
        resolve();
      }).on('error', reject);
    });

    const ws = await client(port);
    ws.send('still a WebSocket server');
    expect(String(((await once(ws, 'message')) as [Buffer])[0])).toBe('still a WebSocket server');
  });

  it('a port in use: exit 1 with a readable error', async () => {
    const { port } = await serve([]);
    const result = await run(['serve', '--port', String(port)]);
    expect(result).toMatchObject({ code: 1, stderr: `websocket: could not listen on 127.0.0.1:${port}: the port is in use\n` });
  });
});
