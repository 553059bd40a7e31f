/**
 * createClient and connect over real loopback sockets, against createServer and a raw peer.
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from '@rfc6455/client';
import { createAcceptKey } from '@rfc6455/handshake';
import { cleanUp, echoServer, onCleanUp } from '../../test/echo-server.ts';
import { connect, createClient } from './create-client.ts';

afterEach(cleanUp);

describe('createClient and connect', () => {
  it('createClient returns a CONNECTING socket that opens and echoes', async () => {
    const { url } = await echoServer();
    const ws = createClient(url);
    onCleanUp(() => ws.terminate());
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
    onCleanUp(() => ws.terminate());
    expect(ws.readyState).toBe(1);
  });

  it('compressionThreshold offers permessage-deflate and decides which messages are compressed (RSV1)', async () => {
    // A raw peer that accepts the offer and reports the request's header and the first frame's first byte.
    const http = createHttpServer();
    onCleanUp(() => new Promise((resolve) => http.close(resolve)));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const { port } = http.address() as AddressInfo;
    const firstFrame = (threshold: number): Promise<[string | undefined, number | undefined]> =>
      new Promise((resolve) => {
        http.once('upgrade', (req: IncomingMessage, socket: Duplex) => {
          socket.write(
            'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
              `Sec-WebSocket-Accept: ${createAcceptKey(req.headers['sec-websocket-key'] as string)}\r\n` +
              'Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n',
          );
          socket.once('data', (chunk: Buffer) => {
            resolve([req.headers['sec-websocket-extensions'], chunk[0]]);
            socket.destroy();
          });
        });
        const ws: WebSocket = createClient(`ws://127.0.0.1:${port}/`, { compressionThreshold: threshold });
        ws.on('error', () => {});
        ws.on('open', () => ws.send('x'.repeat(100)));
        onCleanUp(() => ws.terminate());
      });
    // RFC 7692 §6: RSV1 set (0xc1: FIN, RSV1, text) on a compressed message, clear (0x81) otherwise.
    expect(await firstFrame(64)).toEqual(['permessage-deflate; client_max_window_bits', 0xc1]);
    expect(await firstFrame(1024)).toEqual(['permessage-deflate; client_max_window_bits', 0x81]);
  });

  it('misuse fails at once: createClient throws, connect rejects', async () => {
    expect(() => createClient('ws://127.0.0.1:1/', { compressionThreshold: -5 })).toThrow(RangeError);
    expect(() => createClient('ws://127.0.0.1:1/', { perMessageDeflate: false, compressionThreshold: 5 })).toThrow(TypeError);
    await expect(connect('ws://127.0.0.1:1/', { compressionThreshold: -5 })).rejects.toThrow(RangeError);
  });
});
