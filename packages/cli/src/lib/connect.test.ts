/**
 * The client side of the built command (`websocket -c`, `websocket connect`) against our server on
 * 127.0.0.1 ephemeral ports: wscat's flags with wscat's meaning, ours, the output and exit codes.
 * Where a test needs replies, the server closes once it has answered, so no test waits on a clock.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '@rfc6455/server';
import { cleanUp, onCleanUp, run, testEnv } from '../../test/cli.ts';
import { fixture, httpsServer, ourServer } from '../../test/servers.ts';
import type { Seen } from '../../test/servers.ts';

afterEach(cleanUp);

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An HTTP server answering every upgrade with a 302 to `location`. */
async function redirector(location: string): Promise<string> {
  const server = createHttpServer();
  server.on('upgrade', (_req, socket: Socket) => socket.end(`HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`));
  onCleanUp(() => new Promise((resolve) => server.close(resolve)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/old`;
}

/** A CONNECT proxy on 127.0.0.1; `targets` lists the host:port of every tunnel asked for. */
async function connectProxy(): Promise<{ url: string; targets: string[] }> {
  const targets: string[] = [];
  const server = createHttpServer();
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    targets.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).on('error', () => client.destroy());
      client.pipe(upstream).on('error', () => upstream.destroy());
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  onCleanUp(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, targets };
}

describe('sending and printing', () => {
  it('-x (repeatable) sends once connected; stdout has the replies as they came (wscat), stderr the status', async () => {
    const { url } = await ourServer({ closeAfter: 2 });
    const result = await run(['-c', url, '-x', 'hello', '-x', 'world', '-w', '30']);
    expect(result).toMatchObject({ code: 0, stdout: 'hello\nworld\n', stderr: `connected to ${url}\nclosed 1000 (NormalClosure)\n` });
  });

  it('-x then -w: closes with 1000 after the wait when nothing else happens', async () => {
    const { url } = await ourServer({}, () => {});
    const result = await run(['-c', url, '-x', 'anyone?', '-w', '0.1']);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: `connected to ${url}\nclosed 1000 (NormalClosure)\n` });
  });

  it('sends each line piped to stdin (connect <url> works too)', async () => {
    const { url } = await ourServer({ closeAfter: 3 });
    const result = await run(['connect', url, '-w', '30'], { input: 'one\ntwo\nthree\n' });
    expect(result).toMatchObject({ code: 0, stdout: 'one\ntwo\nthree\n' });
  });

  it('a URL without a scheme is ws:// (as in wscat)', async () => {
    const { url } = await ourServer({ closeAfter: 1 });
    const result = await run(['-c', url.slice('ws://'.length), '-x', 'hi']);
    expect(result).toMatchObject({ code: 0, stdout: 'hi\n', stderr: `connected to ${url}\nclosed 1000 (NormalClosure)\n` });
  });

  it('--binary sends binary and prints hex; --json pretty-prints', async () => {
    const { url } = await ourServer({ closeAfter: 1 });
    expect((await run(['-c', url, '--binary', '-x', 'hello'])).stdout).toBe('binary (5 bytes): 68656c6c6f\n');
    expect((await run(['-c', url, '--json', '-x', '{"a":[1,2]}'])).stdout).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}\n');
  });

  it('-P prints pings and pongs in wscat\'s words; --ping-interval sends pings the server sees', async () => {
    let pings = 0;
    const { url } = await ourServer({}, (ws) => {
      ws.ping('from server');
      ws.on('ping', () => {
        if (++pings === 3) ws.close(1000);
      });
    });
    const result = await run(['-c', url, '-P', '--ping-interval', '0.02', '-w', '30', '-x', 'x']);
    expect(result.code).toBe(0);
    expect(pings).toBe(3);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Received ping (data: "from server")');
    expect(lines.filter((line) => line === 'Received pong (data: "")').length).toBeGreaterThanOrEqual(2);
  });

  it('without -P, pings and pongs are not printed', async () => {
    const { url } = await ourServer({}, (ws) => {
      ws.ping('hidden');
      ws.on('pong', () => ws.close(1000));
    });
    expect(await run(['-c', url, '-x', 'x', '-w', '30'])).toMatchObject({ code: 0, stdout: '' });
  });

  it('--slash on piped lines: /ping with data, /close with a code and a reason', async () => {
    const got: string[] = [];
    const { url } = await ourServer({}, (ws) => {
      ws.on('ping', (data: Buffer) => got.push(`ping ${data.toString()}`));
      ws.on('close', (code: number, reason: Buffer) => got.push(`close ${code} ${reason.toString()}`));
    });
    const result = await run(['-c', url, '--slash', '-w', '30'], { input: '/ping are you there\n/close 4001 done for today\n' });
    expect(got).toEqual(['ping are you there', 'close 4001 done for today']);
    // Our server's answer echoes the code and the reason (RFC 6455 §5.5.1).
    expect(result.stderr).toContain('closed 4001: done for today\n');
  });
});

describe("wscat's handshake flags", () => {
  it('-H (repeatable), -s (repeatable), -o and --host are sent; the subprotocol is reported', async () => {
    const { url, seen } = await ourServer({ closeAfter: 1, handleProtocols: (offered: Set<string>) => (offered.has('chat.v2') ? 'chat.v2' : false) });
    const result = await run(['-c', url, '-x', 'x', '-H', 'X-Trace: 42', '-H', 'X-Other: a:b', '-s', 'chat.v2', '-s', 'chat', '-o', 'https://app.example', '--host', 'api.example']);
    expect(result.stderr).toContain(`connected to ${url} (subprotocol chat.v2)\n`);
    const { headers } = seen[0] as Seen;
    expect([headers['x-trace'], headers['x-other'], headers['sec-websocket-protocol'], headers['origin'], headers['host']]).toEqual([
      '42',
      'a:b',
      'chat.v2, chat',
      'https://app.example',
      'api.example',
    ]);
  });

  it('--auth and userinfo in the URL become Basic auth; the credentials are never printed', async () => {
    const { url, seen } = await ourServer({ closeAfter: 1 });
    const withUserinfo = url.replace('ws://', 'ws://alice:s%3Acret@');
    const first = await run(['-c', withUserinfo, '-x', 'x']);
    const second = await run(['-c', url, '--auth', 'bob:pa55:word', '-x', 'x']);
    expect(seen.map((s) => s.headers['authorization'])).toEqual([
      `Basic ${Buffer.from('alice:s:cret').toString('base64')}`,
      `Basic ${Buffer.from('bob:pa55:word').toString('base64')}`,
    ]);
    for (const result of [first, second]) {
      expect(result).toMatchObject({ code: 0, stderr: `connected to ${url}\nclosed 1000 (NormalClosure)\n` });
      expect(result.stdout + result.stderr).not.toMatch(/alice|s%3Acret|bob|pa55/);
    }
  });

  it('-L follows a redirect (a 302 without it is a failed handshake); --max-redirects limits it', async () => {
    const { url } = await ourServer({ closeAfter: 1 });
    const old = await redirector(url);
    expect(await run(['-c', old, '-x', 'x'])).toMatchObject({ code: 1, stderr: 'websocket: handshake failed: the server answered HTTP 302 Found\n' });
    expect(await run(['-c', old, '-L', '-x', 'moved'])).toMatchObject({ code: 0, stdout: 'moved\n', stderr: `connected to ${url}\nclosed 1000 (NormalClosure)\n` });
    const limited = await run(['-c', old, '-L', '--max-redirects', '0', '-x', 'x']);
    expect(limited.code).toBe(1);
    expect(limited.stderr).toMatch(/^websocket: handshake failed: .*redirect/);
  });

  it('--no-deflate offers no permessage-deflate; by default it is offered and, when accepted, shown', async () => {
    const { url, seen } = await ourServer({ closeAfter: 1, perMessageDeflate: true });
    const offered = await run(['-c', url, '-x', 'x']);
    const plain = await run(['-c', url, '-x', 'x', '--no-deflate']);
    expect(seen.map((s) => s.headers['sec-websocket-extensions'])).toEqual(['permessage-deflate; client_max_window_bits', undefined]);
    expect(offered.stderr).toContain(`connected to ${url} (extensions permessage-deflate`);
    expect(plain.stderr).toContain(`connected to ${url}\n`);
  });
});

describe('TLS: -n, --ca, --cert, --key, --passphrase', () => {
  it('an unknown CA fails with advice; -n accepts it; --ca trusts it', async () => {
    const { url } = await ourServer({ closeAfter: 1, http: httpsServer() });
    const refused = await run(['-c', url, '-x', 'x']);
    expect(refused).toMatchObject({ code: 1, stderr: `websocket: could not connect to 127.0.0.1:${new URL(url).port}: the server certificate cannot be verified (-n accepts it, --ca <file> trusts its CA)\n` });
    expect(await run(['-c', url, '-n', '-x', 'insecure'])).toMatchObject({ code: 0, stdout: 'insecure\n' });
    expect(await run(['-c', url, '--ca', fixture('ca.pem'), '-x', 'trusted'])).toMatchObject({ code: 0, stdout: 'trusted\n' });
  });

  it('a server that asks for a client certificate gets it from --cert, --key and --passphrase', async () => {
    const { url } = await ourServer({ closeAfter: 1, http: httpsServer({ ca: readFileSync(fixture('ca.pem')), requestCert: true, rejectUnauthorized: true }) });
    const trust = ['--ca', fixture('ca.pem')];
    expect((await run(['-c', url, ...trust, '-x', 'x'])).code).toBe(1);
    const badPassphrase = await run(['-c', url, ...trust, '--cert', fixture('client.pem'), '--key', fixture('client-key.pem'), '--passphrase', 'wrong', '-x', 'x']);
    expect(badPassphrase.code).toBe(1);
    const ok = await run(['-c', url, ...trust, '--cert', fixture('client.pem'), '--key', fixture('client-key.pem'), '--passphrase', 'open-sesame', '-x', 'with a certificate']);
    expect(ok).toMatchObject({ code: 0, stdout: 'with a certificate\n' });
  });
});

describe('proxies: --proxy, HTTP_PROXY / HTTPS_PROXY and NO_PROXY', () => {
  it('--proxy tunnels through CONNECT (a scheme-less host:port is http://, as in wscat)', async () => {
    const { url } = await ourServer({ closeAfter: 1 });
    const proxy = await connectProxy();
    const result = await run(['-c', url, '--proxy', proxy.url.slice('http://'.length), '-x', 'via proxy']);
    expect(result).toMatchObject({ code: 0, stdout: 'via proxy\n' });
    expect(proxy.targets).toEqual([`127.0.0.1:${new URL(url).port}`]);
  });

  it('HTTP_PROXY from the environment, unless NO_PROXY matches', async () => {
    const { url } = await ourServer({ closeAfter: 1 });
    const proxy = await connectProxy();
    expect(await run(['-c', url, '-x', 'env'], { env: testEnv({ HTTP_PROXY: proxy.url }) })).toMatchObject({ code: 0, stdout: 'env\n' });
    expect(await run(['-c', url, '-x', 'direct'], { env: testEnv({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }) })).toMatchObject({ code: 0, stdout: 'direct\n' });
    expect(proxy.targets).toEqual([`127.0.0.1:${new URL(url).port}`]);
  });
});

describe('exit codes', () => {
  it('refused: exit 1 and a readable error', async () => {
    const port = await closedPort();
    const result = await run(['-c', `ws://127.0.0.1:${port}/`, '-x', 'x']);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: `websocket: could not connect to 127.0.0.1:${port}: connection refused\n` });
  });

  it('a refused handshake: exit 1 with the HTTP status', async () => {
    const { url } = await ourServer({
      authenticate: () => {
        throw new HttpError(403, 'Not on the guest list');
      },
    });
    const result = await run(['-c', url, '-x', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^websocket: handshake failed: the server answered HTTP 403 Forbidden/);
    expect(result.stderr).toContain('Not on the guest list');
  });

  it('closed abnormally (no close frame): exit 3', async () => {
    const { url } = await ourServer({}, (ws) => ws.on('message', () => ws.terminate()));
    const result = await run(['-c', url, '-x', 'x', '-w', '30']);
    expect(result.stderr).toContain('closed 1006 (AbnormalClosure) (not clean)\n');
    expect(result.code).toBe(3);
  });

  it('closed by the server with an error code: exit 3', async () => {
    const { url } = await ourServer({}, (ws) => ws.on('message', () => ws.close(1011, 'boom')));
    const result = await run(['-c', url, '-x', 'x', '-w', '30']);
    expect(result.stderr).toContain('closed 1011 (InternalError): boom\n');
    expect(result.code).toBe(3);
  });
});
