/**
 * Interop: the Python websockets 10.4 client (Debian python3-websockets, /usr/bin/python3) against
 * our WebSocketServer over loopback.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from '@rfc6455/server';

const script = fileURLToPath(new URL('./peers/python_client.py', import.meta.url));

let server: WebSocketServer | undefined;
let childPid: number | undefined;
afterEach(async () => {
  // Only ever the process this test spawned, by its id.
  if (childPid !== undefined) {
    try {
      process.kill(childPid, 'SIGKILL');
    } catch {
      // Already exited.
    }
  }
  childPid = undefined;
  await server?.close({ timeoutMs: 500 });
  server = undefined;
});

describe('Python websockets client ↔ our server', () => {
  it('echoes text, binary, empty, 16 MiB and fragmented messages, answers pings and closes with the client code', async () => {
    const wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      path: '/echo',
      handleProtocols: (offered) => (offered.has('chat.v1') ? 'chat.v1' : false),
    });
    server = wss;
    await once(wss, 'listening');
    const closes: Array<[number, string]> = [];
    wss.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => {
        ws.send(data as Buffer, { binary: isBinary });
      });
      ws.on('close', (code: number, reason: Buffer) => closes.push([code, reason.toString()]));
    });
    const { port } = wss.address() as { port: number };

    const child = spawn('/usr/bin/python3', [script, `ws://127.0.0.1:${port}/echo`], { stdio: ['ignore', 'pipe', 'pipe'] });
    childPid = child.pid;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    childPid = undefined;

    const steps = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(stderr).toBe('');
    expect(steps).toEqual([
      { step: 'open', subprotocol: 'chat.v1' },
      { step: 'text', ok: true },
      { step: 'binary', ok: true },
      { step: 'empty', ok: true },
      { step: 'large', ok: true, length: 16 * 1024 * 1024 },
      { step: 'fragmented', ok: true },
      { step: 'ping', ok: true },
      { step: 'close', code: 4000, reason: expect.any(String) as unknown },
    ]);
    expect(exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(closes).toEqual([[4000, 'bye']]);
  });
});
