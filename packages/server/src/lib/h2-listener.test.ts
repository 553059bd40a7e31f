import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { connect as http2Connect, createServer } from 'node:http2';
import type { IncomingHttpHeaders, ServerHttp2Stream, Settings } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http2Listener, isHttp2Server } from './h2-listener.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Taken = [ServerHttp2Stream, IncomingHttpHeaders, string[] | undefined];

async function setUp(compat: boolean) {
  const server = createServer();
  if (compat) server.on('request', (_req, res) => res.end('page'));
  const taken: Taken[] = [];
  const listener = new Http2Listener(server, {
    onStream: (stream, headers, rawHeaders) => {
      taken.push([stream, headers, rawHeaders]);
      stream.respond({ ':status': 200 });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const session = http2Connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  cleanups.push(async () => {
    session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const [settings] = (await once(session, 'remoteSettings')) as [Settings];
  return { server, listener, session, settings, taken };
}

async function statusOf(stream: ReturnType<ReturnType<typeof http2Connect>['request']>): Promise<unknown> {
  const [headers] = (await once(stream, 'response')) as [IncomingHttpHeaders];
  return headers[':status'];
}

describe('isHttp2Server', () => {
  it('is true for node:http2 servers only', () => {
    expect(isHttp2Server(createServer())).toBe(true);
    expect(isHttp2Server(createHttpServer())).toBe(false);
    expect(isHttp2Server(null)).toBe(false);
  });
});

describe('Http2Listener', () => {
  for (const compat of [false, true]) {
    it(`${compat ? 'with' : 'without'} the compatibility API: enables extended CONNECT and takes each extended CONNECT once`, async () => {
      const { session, settings, taken } = await setUp(compat);
      expect(settings.enableConnectProtocol).toBe(true);
      const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/x' }, { endStream: false });
      expect(await statusOf(stream)).toBe(200);
      expect(taken).toHaveLength(1);
      expect(taken[0]?.[1][':path']).toBe('/x');
      expect(taken[0]?.[2]).toEqual(expect.arrayContaining([':path', '/x']));
    });
  }

  it('leaves plain requests to the application and answers a plain CONNECT with 405 as Node would', async () => {
    const { session, taken } = await setUp(true);
    expect(await statusOf(session.request({ ':path': '/' }))).toBe(200);
    expect(await statusOf(session.request({ ':method': 'CONNECT', ':authority': 'example.com:443' }, { endStream: false }))).toBe(405);
    expect(taken).toHaveLength(0);
  });

  it('stop() removes its listeners', async () => {
    const { server, listener } = await setUp(false);
    const before = server.listenerCount('stream');
    listener.stop();
    expect(server.listenerCount('stream')).toBe(before - 1);
    expect(server.listenerCount('connect')).toBe(0);
  });
});
