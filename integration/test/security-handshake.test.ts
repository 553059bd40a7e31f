/**
 * Security regressions in the opening handshake, over real loopback sockets against our server
 * and client: header-parsing backtracking (ws CVE-2021-32640 class), header floods (Node's
 * maxHeadersCount / maxHeaderSize), prototype-named extension tokens, and slowloris.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import type { WebSocketServerOptions } from '@rfc6455/server';
import { SAMPLE_KEY, rawClient, rawRequest, rawServer, upgradeRequest } from '@rfc6455/testing';

let wss: WebSocketServer | undefined;

afterEach(async () => {
  await wss?.shutdown({ timeoutMs: 500 });
  wss = undefined;
});

async function start(options: Partial<WebSocketServerOptions> = {}): Promise<number> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, ...options } as WebSocketServerOptions);
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary })));
  await once(wss, 'listening');
  return (wss.address() as { port: number }).port;
}

/** Our client connects, echoes one message and closes cleanly: proof the server still serves. */
async function stillServes(port: number): Promise<void> {
  const ws = await WebSocket.connect(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  ws.send('ping?');
  const [data] = (await once(ws, 'message')) as [Buffer];
  expect(data.toString()).toBe('ping?');
  ws.close(1000);
  const [code] = (await once(ws, 'close')) as [number];
  expect(code).toBe(1000);
}

describe('header parsing without backtracking', () => {
  const commas = ', '.repeat(32 * 1024); // 64 KiB of commas and spaces

  it('a 64 KiB Sec-WebSocket-Protocol of commas and spaces is an empty list: 101 without a subprotocol', async () => {
    const port = await start({ maxHeaderSize: 256 * 1024, handleProtocols: () => 'never' });
    const client = await rawClient(port, '/', { 'Sec-WebSocket-Protocol': commas });
    // handleProtocols is not consulted for an empty offer, so no protocol header comes back and the socket is open.
    expect(client.socket.readyState).toBe('open');
    client.socket.destroy();
    await stillServes(port);
  });

  it('a 64 KiB Sec-WebSocket-Extensions of commas and spaces is an empty list; with semicolons it is a 400', async () => {
    const port = await start({ maxHeaderSize: 256 * 1024, perMessageDeflate: true });
    const ok = await rawRequest(port, upgradeRequest('/', { 'Sec-WebSocket-Extensions': commas }), 300);
    expect(ok.text.startsWith('HTTP/1.1 101 ')).toBe(true);
    expect(ok.text.toLowerCase()).not.toContain('sec-websocket-extensions');

    const semis = `permessage-deflate${'; ,'.repeat(20_000)}`;
    const bad = await rawRequest(port, upgradeRequest('/', { 'Sec-WebSocket-Extensions': semis }));
    expect(bad.text.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(bad.closedByServer).toBe(true);

    // An unterminated quoted value of 64 KiB of backslash pairs: linear scan, then a 400.
    const quoted = `permessage-deflate; x="${'\\\\'.repeat(32 * 1024)}`;
    const bad2 = await rawRequest(port, upgradeRequest('/', { 'Sec-WebSocket-Extensions': quoted }));
    expect(bad2.text.startsWith('HTTP/1.1 400 ')).toBe(true);
    await stillServes(port);
  });

  it('64 KiB of "a, " tokens gives the client 10,923 offers and the server picks the one it knows', async () => {
    const port = await start({ maxHeaderSize: 256 * 1024, handleProtocols: (offered) => (offered.has('chat') ? 'chat' : false) });
    const many = `${'a, '.repeat(21_845)}chat`;
    const res = await rawRequest(port, upgradeRequest('/', { 'Sec-WebSocket-Protocol': many }), 300);
    expect(res.text.startsWith('HTTP/1.1 101 ')).toBe(true);
    expect(res.text).toContain('\r\nSec-WebSocket-Protocol: chat\r\n');
  });
});

describe('header floods', () => {
  it('2,000 headers over maxHeaderSize get a 431, and the next client still connects', async () => {
    const port = await start();
    const junk = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`X-Junk-${i}`, 'v'.repeat(8)]));
    const res = await rawRequest(port, upgradeRequest('/', junk));
    expect(res.text.startsWith('HTTP/1.1 431 ')).toBe(true);
    expect(res.closedByServer).toBe(true);
    await stillServes(port);
  });

  it('2,000 short headers under maxHeaderSize: Node keeps maxHeadersCount, the upgrade headers first still work', async () => {
    const port = await start({ maxHeaderSize: 64 * 1024 });
    const junk = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`X${i}`, 'v']));
    const res = await rawRequest(port, upgradeRequest('/', junk), 300);
    expect(res.text.startsWith('HTTP/1.1 101 ')).toBe(true);
    await stillServes(port);
  });

  it('upgrade headers pushed past maxHeadersCount are not seen: a 400 naming the missing Upgrade, nothing crashes', async () => {
    const port = await start({ maxHeaderSize: 64 * 1024 });
    const junk = Array.from({ length: 2000 }, (_, i) => `X${i}: v`);
    const text = [
      'GET / HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      ...junk,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${SAMPLE_KEY}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n');
    const res = await rawRequest(port, text, 1000);
    expect(res.text.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(res.text.endsWith('\r\n\r\nThe request has no Upgrade header.')).toBe(true);
    expect(res.closedByServer).toBe(true);
    await stillServes(port);
  });
});

describe('prototype-named extension tokens', () => {
  const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'prototype'];

  it('the server declines offers named after Object.prototype members and keeps working', async () => {
    const port = await start({ perMessageDeflate: true });
    for (const name of names) {
      const res = await rawRequest(port, upgradeRequest('/', { 'Sec-WebSocket-Extensions': `${name}; ${name}=1, ${name}` }), 300);
      expect(res.text.startsWith('HTTP/1.1 101 ')).toBe(true);
      expect(res.text.toLowerCase()).not.toContain('sec-websocket-extensions');
    }
    // permessage-deflate offers with prototype-named parameters are declined, not accepted and not a crash.
    const res = await rawRequest(
      port,
      upgradeRequest('/', { 'Sec-WebSocket-Extensions': 'permessage-deflate; __proto__=1, permessage-deflate; constructor; hasOwnProperty=x' }),
      300,
    );
    expect(res.text.startsWith('HTTP/1.1 101 ')).toBe(true);
    expect(res.text.toLowerCase()).not.toContain('sec-websocket-extensions');
    expect(({} as Record<string, unknown>)['1']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('x');
    await stillServes(port);
  });

  it('the client fails a 101 that accepts a prototype-named extension it never offered', async () => {
    for (const value of ['__proto__', 'constructor', 'permessage-deflate; __proto__=15']) {
      const raw = await rawServer(
        () => {},
        () => [`Sec-WebSocket-Extensions: ${value}`],
      );
      try {
        const ws = new WebSocket(`ws://127.0.0.1:${raw.port}/`);
        const errored = once(ws, 'error') as Promise<[{ code: string }]>;
        // events.once rejects on 'error', so the close is awaited through a plain listener.
        const closed = new Promise<[number]>((resolve) => ws.on('close', (code: number) => resolve([code])));
        const [err] = await errored;
        expect(err.code).toBe('WS_ERR_UNEXPECTED_EXTENSION');
        const [code] = await closed;
        expect(code).toBe(1006);
      } finally {
        await raw.close();
      }
    }
  });
});

describe('slowloris', () => {
  it('a request head trickling in one byte every 250 ms is cut off by handshakeTimeoutMs', async () => {
    const port = await start({ handshakeTimeoutMs: 1000 });
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await once(socket, 'connect');
    const text = upgradeRequest();
    const started = Date.now();
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    let i = 0;
    const timer = setInterval(() => {
      if (i < text.length && !socket.destroyed) socket.write(text[i++]!);
    }, 250);
    await once(socket, 'close');
    clearInterval(timer);
    const elapsed = Date.now() - started;
    // Cut off after about a second (Node checks the head timeout every min(1 s, timeout/4)), long before the head is complete.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4000);
    expect(i).toBeLessThan(text.length);
    const answer = Buffer.concat(received).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await stillServes(port);
  });

  it('a client whose server never answers the upgrade gives up after handshakeTimeoutMs', async () => {
    const net = await import('node:net');
    const silent = net.createServer((s) => s.on('error', () => {}));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { handshakeTimeoutMs: 500 });
      const [err] = (await once(ws, 'error')) as [{ code: string }];
      expect(err.code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.close();
    }
  });
});
