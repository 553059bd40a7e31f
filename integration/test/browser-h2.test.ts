/**
 * Chromium (Debian `chromium`, driven by playwright-core) opening WebSockets to our server over
 * HTTP/2 (RFC 8441): one `http2.createSecureServer` with `allowHTTP1` serves the test page and the
 * WebSocket endpoint on one TLS port, with a certificate made by openssl for this run (Chromium
 * runs with --ignore-certificate-errors). The page's WebSocket rides the HTTP/2 connection that
 * loaded the page, which the server checks (`ws.httpVersion === '2'`, an `Http2ServerRequest`);
 * our client dials the same port over HTTP/2 and over HTTP/1.1.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
// Renamed: in page.evaluate, `WebSocket` must stay the browser's own.
import { WebSocket as NodeWebSocket } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket } from '@rfc6455/server';

/** A self-signed P-256 certificate for 127.0.0.1, made with openssl for this run. */
function makeCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rfc6455-browser-h2-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PAGE = '<!doctype html><meta charset="utf-8"><title>h2</title><p>WebSockets over HTTP/2</p>';

let browser: Browser;
let page: Page;
const certificate = makeCertificate();
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--ignore-certificate-errors',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await page?.close();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An h2 + HTTP/1.1 TLS server serving the page at / and WebSockets at /ws, echoing. */
async function serve(perMessageDeflate: boolean) {
  const server: Http2SecureServer = createSecureServer({ ...certificate, allowHTTP1: true }, (req, res) => {
    if (req.url !== '/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate, compressionThreshold: 0, heartbeat: false });
  const connections: Array<{ ws: ServerWebSocket; httpVersion: string | undefined; requestVersion: string }> = [];
  const closes: Array<[number, string]> = [];
  wss.on('connection', (ws, request) => {
    connections.push({ ws, httpVersion: ws.httpVersion, requestVersion: request.httpVersion });
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    ws.on('close', (code: number, reason: Buffer) => closes.push([code, reason.toString()]));
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    await wss.shutdown({ timeoutMs: 200 });
    for (const session of sessions) session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { wss, port, connections, closes, sessions };
}

/** In the page: open a WebSocket to /ws, echo one message, close with 4000, report what it saw. */
async function echoFromPage(port: number): Promise<{ echoed: string; extensions: string; code: number; reason: string }> {
  page = await browser.newPage();
  await page.goto(`https://127.0.0.1:${port}/`);
  return page.evaluate(
    (url) =>
      new Promise<{ echoed: string; extensions: string; code: number; reason: string }>((resolve, reject) => {
        const ws = new WebSocket(url);
        let echoed = '';
        ws.onopen = () => ws.send('hello over h2 '.repeat(50));
        ws.onmessage = (event) => {
          echoed = String(event.data);
          ws.close(4000, 'bye');
        };
        ws.onerror = () => reject(new Error('WebSocket error in the page'));
        ws.onclose = (event) => resolve({ echoed, extensions: ws.extensions, code: event.code, reason: event.reason });
      }),
    `wss://127.0.0.1:${port}/ws`,
  );
}

describe('Chromium over HTTP/2 (RFC 8441) to our server', () => {
  for (const perMessageDeflate of [false, true]) {
    it(`opens a WebSocket on the page's HTTP/2 connection${perMessageDeflate ? ', with permessage-deflate' : ''}`, async () => {
      const { port, connections, closes, sessions } = await serve(perMessageDeflate);
      const result = await echoFromPage(port);
      expect(result.echoed).toBe('hello over h2 '.repeat(50));
      expect([result.code, result.reason]).toEqual([4000, 'bye']);
      expect(connections).toHaveLength(1);
      expect(connections[0]?.httpVersion).toBe('2');
      expect(connections[0]?.requestVersion).toBe('2.0');
      await expect.poll(() => closes).toEqual([[4000, 'bye']]);
      if (perMessageDeflate) {
        expect(result.extensions).toMatch(/^permessage-deflate/);
        expect(connections[0]?.ws.extensions).toMatch(/^permessage-deflate/);
      } else {
        expect(result.extensions).toBe('');
      }
      // The page and its WebSocket shared one HTTP/2 session, which outlives the WebSocket.
      expect(sessions.size).toBe(1);
    });
  }

  it('serves Chromium and our client over h2 and HTTP/1.1 on one TLS port', async () => {
    const { port, connections } = await serve(false);
    const result = await echoFromPage(port);
    expect(result.code).toBe(4000);
    const h2 = new NodeWebSocket(`wss://127.0.0.1:${port}/ws`, { http2: true, rejectUnauthorized: false });
    const http1 = new NodeWebSocket(`wss://127.0.0.1:${port}/ws`, { rejectUnauthorized: false });
    cleanups.push(() => {
      h2.terminate();
      http1.terminate();
    });
    await Promise.all([once(h2, 'open'), once(http1, 'open')]);
    for (const ws of [h2, http1]) {
      ws.send('ping?');
      const [data] = (await once(ws, 'message')) as [Buffer];
      expect(data.toString()).toBe('ping?');
    }
    expect([h2.httpVersion, http1.httpVersion]).toEqual(['2', '1.1']);
    expect(connections.map((c) => c.httpVersion).sort()).toEqual(['1.1', '2', '2']);
  });
});
