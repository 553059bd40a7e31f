/**
 * `websocket connect`, the built command, against our server on 127.0.0.1 ephemeral ports.
 */
import { once } from 'node:events';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket } from '@rfc6455/server';
import { cleanUp, onCleanUp, run } from '../../test/cli.ts';

afterEach(cleanUp);

/** Our server on an ephemeral port; `onConnection` decides what each connection does (echo by default). */
async function ourServer(
  options: Record<string, unknown> = {},
  onConnection: (ws: ServerWebSocket) => void = (ws) => ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary })),
): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, ...options });
  onCleanUp(() => wss.close({ timeoutMs: 1000 }));
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
