/**
 * Interop with permessage-deflate against Python websockets 10.4 (Debian python3-websockets,
 * /usr/bin/python3), whose client and server enable it by default: our client ↔ its server and
 * its client ↔ our server, with empty, large and fragmented messages each way.
 */
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import { runPython, startPythonServer, waitFor } from '@rfc6455/testing';

const serverScript = fileURLToPath(new URL('./peers/python_deflate_echo_server.py', import.meta.url));
const clientScript = fileURLToPath(new URL('./peers/python_deflate_client.py', import.meta.url));

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('our client ↔ Python websockets server, permessage-deflate', () => {
  it('negotiates it by default and echoes empty, short, large and fragmented messages', async () => {
    const python = await startPythonServer(serverScript);
    cleanups.push(() => python.stop());
    const ws = new WebSocket(`ws://127.0.0.1:${python.port}/`, { compressionThreshold: 0 });
    cleanups.push(() => ws.terminate());
    const got: Array<[string, boolean]> = [];
    ws.on('message', (data: Buffer, isBinary: boolean) => got.push([isBinary ? data.toString('hex') : data.toString(), isBinary]));
    await once(ws, 'open');
    // Python answers our default offer ("permessage-deflate; client_max_window_bits") like this.
    expect(ws.extensions).toBe('permessage-deflate; server_max_window_bits=12; client_max_window_bits=12');
    const bigText = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ id: i, name: `user ${i}` })));
    const bigBinary = Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 31) & 0x3f));
    const sent: Array<[string | Buffer, boolean]> = [
      ['', false],
      [Buffer.alloc(0), true],
      ['short', false],
      [bigText, false],
      [bigBinary, true],
      [bigText, false],
    ];
    await waitFor(() => got.length === 1, { timeoutMs: 10_000, what: 'the fragmented message' });
    for (const [message, binary] of sent) ws.send(message, { binary });
    ws.send('frag', { fin: false });
    ws.send('men', { fin: false });
    ws.send('ted');
    await waitFor(() => got.length === 2 + sent.length, { timeoutMs: 10_000, what: 'the echoes' });
    expect(got).toEqual([
      ['fragmented message', false],
      ...sent.map(([m, binary]): [string, boolean] => [binary ? Buffer.from(m).toString('hex') : String(m), binary]),
      ['fragmented', false],
    ]);
    ws.close(1000);
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1000);
  });
});

describe('Python websockets client ↔ our server, permessage-deflate', () => {
  it('accepts its default offer and echoes empty, short, large and fragmented messages', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, perMessageDeflate: true, compressionThreshold: 0 });
    cleanups.push(() => wss.shutdown({ timeoutMs: 500 }));
    await once(wss, 'listening');
    const serverSide: string[] = [];
    wss.on('connection', (conn) => {
      serverSide.push(conn.extensions);
      conn.send('fragmented ', { fin: false });
      conn.send('message');
      conn.on('message', (data: Buffer, isBinary: boolean) => conn.send(data, { binary: isBinary }));
    });
    const { port } = wss.address() as { port: number };
    const { exitCode, steps, stderr } = await runPython(clientScript, [`ws://127.0.0.1:${port}/`]);
    expect(stderr).toBe('');
    // Python offers "permessage-deflate; client_max_window_bits"; we answer without parameters.
    expect(steps).toEqual([
      { step: 'open', extensions: 'permessage-deflate' },
      { step: 'first', ok: true },
      { step: 'empty-text', ok: true },
      { step: 'empty-binary', ok: true },
      { step: 'short', ok: true },
      { step: 'big-text', ok: true },
      { step: 'big-binary', ok: true },
      { step: 'big-text-again', ok: true },
      { step: 'fragmented', ok: true },
      { step: 'close', code: 1000 },
    ]);
    expect(serverSide).toEqual(['permessage-deflate']);
    expect(exitCode).toBe(0);
  });
});
