/**
 * createClient / connect / createServer over real loopback sockets, and the compressionThreshold
 * mapping onto perMessageDeflate.
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from '@rfc6455/client';
import type { WebSocketServer } from '@rfc6455/server';
import { withCompressionThreshold } from './compression.ts';
import { connect, createClient } from './create-client.ts';
import { createServer, serverSupportsDeflate } from './create-server.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function echoServer(options: Record<string, unknown> = {}): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = createServer({ port: 0, host: '127.0.0.1', heartbeat: false, ...options });
  cleanup.push(() => wss.close({ timeoutMs: 1000 }));
  await once(wss, 'listening');
  wss.on('connection', (ws) => ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary })));
  const { port } = wss.address() as AddressInfo;
  return { wss, url: `ws://127.0.0.1:${port}/` };
}

describe('withCompressionThreshold', () => {
  it('leaves perMessageDeflate alone without a threshold', () => {
    const settings = { level: 3 };
    expect(withCompressionThreshold('t', undefined, undefined)).toBe(undefined);
    expect(withCompressionThreshold('t', false, undefined)).toBe(false);
    expect(withCompressionThreshold('t', settings, undefined)).toBe(settings);
  });

  it('turns compression on with the threshold, keeping other settings', () => {
    expect(withCompressionThreshold('t', undefined, 10_240)).toEqual({ compressionThreshold: 10_240 });
    expect(withCompressionThreshold('t', true, 0)).toEqual({ compressionThreshold: 0 });
    expect(withCompressionThreshold('t', { level: 3, compressionThreshold: 5 }, Infinity)).toEqual({ level: 3, compressionThreshold: Infinity });
  });

  it('refuses a bad threshold and a contradiction, naming the caller', () => {
    expect(() => withCompressionThreshold('createClient', undefined, -1)).toThrow(RangeError);
    expect(() => withCompressionThreshold('createClient', undefined, Number.NaN)).toThrow(/createClient: compressionThreshold must be/);
    expect(() => withCompressionThreshold('createServer', false, 100)).toThrow(TypeError);
    expect(() => withCompressionThreshold('createServer', false, 100)).toThrow(/createServer: compressionThreshold turns permessage-deflate on/);
  });
});

describe('createClient and connect', () => {
  it('createClient returns a CONNECTING socket that opens and echoes', async () => {
    const { url } = await echoServer();
    const ws = createClient(url);
    cleanup.push(() => ws.terminate());
    expect(ws.readyState).toBe(0);
    await once(ws, 'open');
    ws.send('hello');
    const [data, isBinary] = (await once(ws, 'message')) as [Buffer, boolean];
    expect([data.toString(), isBinary]).toEqual(['hello', false]);
  });

  it('connect resolves open and rejects a refused handshake with its status', async () => {
    const { url } = await echoServer({ authenticate: () => Promise.reject(Object.assign(new Error('no'), { status: 403 })) });
    await expect(connect(url)).rejects.toMatchObject({ code: 'WS_ERR_UNEXPECTED_STATUS', status: 403 });
    const { url: ok } = await echoServer();
    const ws = await connect(ok);
    cleanup.push(() => ws.terminate());
    expect(ws.readyState).toBe(1);
  });

  it('compressionThreshold offers permessage-deflate in the request', async () => {
    const http = createHttpServer();
    cleanup.push(() => new Promise((resolve) => http.close(resolve)));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const { port } = http.address() as AddressInfo;
    const offered = new Promise<string | undefined>((resolve) => {
      http.on('upgrade', (req, socket) => {
        resolve(req.headers['sec-websocket-extensions']);
        socket.destroy();
      });
    });
    const ws: WebSocket = createClient(`ws://127.0.0.1:${port}/`, { compressionThreshold: 64 });
    ws.on('error', () => {});
    cleanup.push(() => ws.terminate());
    expect(await offered).toBe('permessage-deflate; client_max_window_bits');
  });

  it('misuse fails at once: createClient throws, connect rejects', async () => {
    expect(() => createClient('ws://127.0.0.1:1/', { compressionThreshold: -5 })).toThrow(RangeError);
    expect(() => createClient('ws://127.0.0.1:1/', { perMessageDeflate: false, compressionThreshold: 5 })).toThrow(TypeError);
    await expect(connect('ws://127.0.0.1:1/', { compressionThreshold: -5 })).rejects.toThrow(RangeError);
  });
});

describe('createServer', () => {
  it('is a WebSocketServer with the options passed through', async () => {
    const { wss } = await echoServer({ maxPayloadLength: 1234 });
    expect(wss.options.maxPayloadLength).toBe(1234);
    expect(wss.options.heartbeat).toBe(false);
  });

  it('refuses a missing mode as the server does', () => {
    expect(() => createServer({})).toThrow(/exactly one of/);
    expect(() => createServer(null as never)).toThrow(TypeError);
  });

  it('compressionThreshold: negotiated when the server supports it, else refused at once', async () => {
    if (serverSupportsDeflate()) {
      const { url } = await echoServer({ compressionThreshold: 0 });
      const ws = await connect(url, { compressionThreshold: 0 });
      cleanup.push(() => ws.terminate());
      expect(ws.extensions).toMatch(/^permessage-deflate/);
      ws.send('x'.repeat(100));
      const [data] = (await once(ws, 'message')) as [Buffer];
      expect(data.toString()).toBe('x'.repeat(100));
    } else {
      expect(() => createServer({ noServer: true, compressionThreshold: 1024 })).toThrow(/does not negotiate permessage-deflate yet/);
      expect(() => createServer({ noServer: true, perMessageDeflate: true })).toThrow(TypeError);
      expect(createServer({ noServer: true, perMessageDeflate: false }).options.mode).toBe('noServer');
    }
  });
});
