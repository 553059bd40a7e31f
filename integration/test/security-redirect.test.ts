/**
 * Security regression: credentials leaking on redirect (the undici/ws advisory class). Our client
 * with `followRedirects` must drop `Authorization` and `Cookie` when a redirect changes the origin
 * (host, port or scheme — a `wss:` → `ws:` downgrade included), and keep them on a same-origin one.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import { acceptKey } from '@rfc6455/testing';

/** A server that answers `GET /redirect` with 302 to `location()` and any other path with a 101; it records each request head. */
interface Recorder {
  port: number;
  sockets: Set<Socket>;
  heads: string[];
  location: string;
  server: Server;
}

const servers: Recorder[] = [];
let tls: { key: Buffer; cert: Buffer } | undefined;
let certDir: string | undefined;

beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'rfc6455-sec-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')],
    { stdio: 'ignore' },
  );
  tls = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
});

afterAll(() => {
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const r of servers.splice(0)) {
    for (const s of r.sockets) s.destroy();
    r.server.close();
  }
});

function handle(rec: Recorder, socket: Socket): void {
  rec.sockets.add(socket);
  socket.on('close', () => rec.sockets.delete(socket));
  socket.on('error', () => {});
  let buf = '';
  socket.on('data', (chunk: Buffer) => {
    buf += chunk.toString('latin1');
    const end = buf.indexOf('\r\n\r\n');
    if (end === -1) return;
    const head = buf.slice(0, end);
    buf = '';
    rec.heads.push(head);
    if (head.startsWith('GET /redirect ')) {
      socket.end(`HTTP/1.1 302 Found\r\nLocation: ${rec.location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
  });
}

async function recorder(secure = false): Promise<Recorder> {
  const rec = { port: 0, sockets: new Set<Socket>(), heads: [], location: '' } as unknown as Recorder;
  const server = secure ? createTlsServer({ ...tls! }, (s) => handle(rec, s)) : createServer((s) => handle(rec, s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  rec.server = server as Server;
  rec.port = (server.address() as AddressInfo).port;
  servers.push(rec);
  return rec;
}

const CREDENTIALS = { Authorization: 'Bearer top-secret', Cookie: 'session=top-secret' };

/** Connect with credentials, follow the redirect, and return the request heads each server saw. */
async function follow(url: string, extra: object = {}): Promise<WebSocket> {
  const ws = await WebSocket.connect(url, {
    perMessageDeflate: false,
    followRedirects: true,
    headers: CREDENTIALS,
    rejectUnauthorized: false,
    ...extra,
  });
  return ws;
}

function credentialLines(head: string): string[] {
  return head
    .split('\r\n')
    .filter((l) => /^(authorization|cookie):/i.test(l))
    .map((l) => l.toLowerCase());
}

describe('credentials on redirect', () => {
  it('a same-origin redirect keeps Authorization and Cookie (the test can tell)', async () => {
    const a = await recorder();
    a.location = `ws://127.0.0.1:${a.port}/ws`;
    const ws = await follow(`ws://127.0.0.1:${a.port}/redirect`);
    expect(a.heads.length).toBe(2);
    expect(credentialLines(a.heads[1]!)).toEqual(['authorization: bearer top-secret', 'cookie: session=top-secret']);
    ws.terminate();
  });

  it('a redirect to another port drops Authorization and Cookie', async () => {
    const a = await recorder();
    const b = await recorder();
    a.location = `ws://127.0.0.1:${b.port}/ws`;
    const ws = await follow(`ws://127.0.0.1:${a.port}/redirect`);
    expect(credentialLines(a.heads[0]!).length).toBe(2);
    expect(b.heads.length).toBe(1);
    expect(credentialLines(b.heads[0]!)).toEqual([]);
    ws.terminate();
  });

  it('a redirect to another host name (same address and port) drops them', async () => {
    const a = await recorder();
    a.location = `ws://localhost:${a.port}/ws`;
    const ws = await follow(`ws://127.0.0.1:${a.port}/redirect`);
    expect(a.heads.length).toBe(2);
    expect(a.heads[1]).toMatch(/\r\nHost: localhost:\d+/i);
    expect(credentialLines(a.heads[1]!)).toEqual([]);
    ws.terminate();
  });

  it('a wss: → ws: downgrade drops them (and http: Location is treated as ws:)', async () => {
    const secure = await recorder(true);
    const plain = await recorder();
    for (const scheme of ['ws', 'http']) {
      secure.location = `${scheme}://127.0.0.1:${plain.port}/ws`;
      const ws = await follow(`wss://127.0.0.1:${secure.port}/redirect`);
      expect(credentialLines(secure.heads.at(-1)!).length).toBe(2);
      expect(credentialLines(plain.heads.at(-1)!)).toEqual([]);
      ws.terminate();
    }
  });

  it("userinfo in the first URL never reaches the redirect's origin", async () => {
    const a = await recorder();
    const b = await recorder();
    a.location = `ws://127.0.0.1:${b.port}/ws`;
    const ws = await WebSocket.connect(`ws://alice:pa55@127.0.0.1:${a.port}/redirect`, { perMessageDeflate: false, followRedirects: true });
    expect(credentialLines(a.heads[0]!)).toEqual([`authorization: basic ${Buffer.from('alice:pa55').toString('base64').toLowerCase()}`]);
    expect(credentialLines(b.heads[0]!)).toEqual([]);
    expect(b.heads[0]).not.toContain('pa55');
    ws.terminate();
  });

  it('without followRedirects the 302 is an error and nothing is sent anywhere else', async () => {
    const a = await recorder();
    const b = await recorder();
    a.location = `ws://127.0.0.1:${b.port}/ws`;
    const err = await WebSocket.connect(`ws://127.0.0.1:${a.port}/redirect`, { perMessageDeflate: false, headers: CREDENTIALS }).then(
      () => undefined,
      (e: { code: string; status?: number }) => e,
    );
    expect(err?.code).toBe('WS_ERR_UNEXPECTED_STATUS');
    expect(err?.status).toBe(302);
    expect(b.heads).toEqual([]);
  });
});
