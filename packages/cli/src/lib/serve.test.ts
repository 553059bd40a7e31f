/**
 * The servers of the built command, `websocket serve` and wscat's `websocket -l`, with our client
 * on 127.0.0.1 ephemeral ports.
 */
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import type { WebSocketOptions } from '@rfc6455/client';
import { cleanUp, finished, onCleanUp, run, start, waitForLine } from '../../test/cli.ts';
import type { Started } from '../../test/cli.ts';

afterEach(cleanUp);

/** `websocket serve …` (or with `listen`, `websocket -l 0 …` with stdin open) on an ephemeral port, once it listens. */
async function serve(args: string[], { listen = false } = {}): Promise<{ child: Started; port: number }> {
  const child = listen ? start(['-l', '0', ...args], { keepStdin: true }) : start(['serve', '--port', '0', ...args]);
  const match = await waitForLine(child, /listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
  return { child, port: Number(match[1]) };
}

/** Open our client to `port`; closed after the test. */
async function client(port: number, options: WebSocketOptions = {}): Promise<WebSocket> {
  const ws = await WebSocket.connect(`ws://127.0.0.1:${port}/`, options);
  onCleanUp(() => ws.terminate());
  return ws;
}

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
    const atA = once(a, 'message');
    const atB = once(b, 'message');
    const atC = once(c, 'message');
    a.send('hi all');
    expect(String(((await atB) as [Buffer])[0])).toBe('hi all');
    expect(String(((await atC) as [Buffer])[0])).toBe('hi all');
    // The server wrote 'hi all' to every receiver before it read b's answer, so had it sent
    // 'hi all' back to a, that would be the first message on a's connection.
    b.send('from b');
    expect(String(((await atA) as [Buffer])[0])).toBe('from b');
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
    onCleanUp(() => rmSync(dir, { recursive: true, force: true }));
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

  it('--deflate accepts permessage-deflate; by default serve declines it', async () => {
    const { port: plain } = await serve([]);
    expect((await client(plain)).extensions).toBe('');
    const { port } = await serve(['--deflate']);
    const ws = await client(port);
    expect(ws.extensions).toBe('permessage-deflate');
    ws.send('x'.repeat(2000));
    expect(String(((await once(ws, 'message')) as [Buffer])[0])).toBe('x'.repeat(2000));
  });

  it('--bind chooses the address; --host there says to use --bind', async () => {
    const { port } = await serve(['--bind', '127.0.0.1']);
    expect((await client(port)).readyState).toBe(WebSocket.OPEN);
    expect(await run(['serve', '--host', '0.0.0.0'])).toMatchObject({
      code: 2,
      stderr: "websocket: --host is the Host header of a client (as in wscat); to choose the address a server listens on, use --bind <address>\nTry 'websocket serve --help'.\n",
    });
  });
});

describe("websocket -l (wscat's interactive server)", () => {
  it('prints what each client sends and sends each line of stdin to every client', async () => {
    const { child, port } = await serve([], { listen: true });
    const [a, b] = await Promise.all([client(port), client(port)]);
    await waitForLine(child, /#2 open /);
    a.send('hello from a');
    await waitForLine(child, /#1 < hello from a\n/);
    // No echo: the next message a sees is the line typed on the server.
    const atA = once(a, 'message');
    const atB = once(b, 'message');
    child.child.stdin?.write('hello, everyone\n');
    expect([String(((await atA) as [Buffer])[0]), String(((await atB) as [Buffer])[0])]).toEqual(['hello, everyone', 'hello, everyone']);
  });

  it('--slash: /close closes every client with the code and reason typed; the end of stdin stops the server', async () => {
    const { child, port } = await serve(['--slash', '-P'], { listen: true });
    const ws = await client(port);
    ws.ping('beat');
    await waitForLine(child, /#1 < Received ping \(data: "beat"\)\n/);
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    child.child.stdin?.write('/close 4002 see you\n');
    const [code, reason] = await closed;
    expect([code, reason.toString()]).toEqual([4002, 'see you']);
    // The log shows the code and reason of the close frame the client answered with.
    await waitForLine(child, /#1 close 4002: see you\n/);
    const exit = finished(child);
    child.child.stdin?.end();
    const result = await exit;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('end of input: closing every connection with 1001\n');
  });

  it('a line typed with no client connected is not sent, and says so', async () => {
    const { child } = await serve([], { listen: true });
    child.child.stdin?.write('anyone?\n');
    await waitForLine(child, /websocket: no client is connected: nothing sent\n/, 'stderr');
  });
});
