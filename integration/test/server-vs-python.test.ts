/**
 * Interop: the Python websockets 10.4 client (Debian python3-websockets, /usr/bin/python3) against
 * our WebSocketServer over loopback.
 */
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from '@rfc6455/server';
import { runPython, waitFor } from '@rfc6455/testing';

const script = fileURLToPath(new URL('./peers/python_client.py', import.meta.url));

let server: WebSocketServer | undefined;
afterEach(async () => {
  await server?.shutdown({ timeoutMs: 500 });
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

    const { exitCode, steps, stderr } = await runPython(script, [`ws://127.0.0.1:${port}/echo`]);
    expect(stderr).toBe('');
    expect(steps).toEqual([
      { step: 'open', subprotocol: 'chat.v1' },
      { step: 'text', ok: true },
      { step: 'binary', ok: true },
      { step: 'empty', ok: true },
      { step: 'large', ok: true, length: 16 * 1024 * 1024 },
      { step: 'fragmented', ok: true },
      { step: 'ping', ok: true },
      // Our server's answer echoes the client's code and reason (RFC 6455 §5.5.1, as ws and Python do).
      { step: 'close', code: 4000, reason: 'bye' },
    ]);
    expect(exitCode).toBe(0);
    await waitFor(() => closes.length > 0, { what: "the server's close event" });
    expect(closes).toEqual([[4000, 'bye']]);
  });
});
