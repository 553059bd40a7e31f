/**
 * The two entry points: what the Node entry exports, that the browser entry's built import graph
 * never reaches node:*, and that the `browser` export condition really picks the browser client.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as codes from '@rfc6455/codes';
import * as clientPackage from '@rfc6455/client';
import * as serverPackage from '@rfc6455/server';
import * as browserPackage from '@rfc6455/browser';
import * as umbrella from '../index.ts';
import * as browserEntry from '../browser.ts';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

const CODES = [
  'WS_OK',
  'WS_GONE',
  'WS_PROTOCOL_ERROR',
  'WS_NOT_ACCEPTABLE',
  'WS_NO_STATUS',
  'WS_CLOSED_ABNORMALLY',
  'WS_BAD_MESSAGE',
  'WS_FORBIDDEN',
  'WS_MESSAGE_TOO_LARGE',
  'WS_EXTENSIONS_NOT_AVAILABLE',
  'WS_INTERNAL_SERVER_ERROR',
  'WS_SERVICE_RESTART',
  'WS_TRY_AGAIN_LATER',
  'WS_BAD_GATEWAY',
  'WS_TLS_HANDSHAKE_FAIL',
  'CloseCode',
  'ErrorCode',
  'WebSocketError',
  'isWebSocketError',
  'closeStatus',
];

/** `names` of `entry`, each the very object `source` exports under that name. */
function expectSame(entry: object, source: object, names: string[]): void {
  for (const name of names) {
    expect(name in source, `${name} in its package`).toBe(true);
    expect((entry as Record<string, unknown>)[name], name).toBe((source as Record<string, unknown>)[name]);
  }
}

describe('Node entry', () => {
  it('exports exactly the documented surface', () => {
    const own = ['createClient', 'connect', 'client', 'createServer', 'server', 'default'];
    const fromPackages = ['WebSocket', 'ClientError', 'createWebSocketStream', 'WebSocketServer', 'ServerWebSocket', 'HttpError', 'ServerError'];
    expect(Object.keys(umbrella).sort()).toEqual([...CODES, ...fromPackages, ...own].sort());
  });

  it('re-exports the same objects as codes, client and server', () => {
    expectSame(umbrella, codes, CODES);
    expectSame(umbrella, clientPackage, ['WebSocket', 'ClientError', 'createWebSocketStream']);
    expectSame(umbrella, serverPackage, ['WebSocketServer', 'ServerWebSocket', 'HttpError', 'ServerError']);
  });

  it('WebSocket is the Node client, and the shortcuts are there under both names', () => {
    expect(umbrella.WebSocket).toBe(clientPackage.WebSocket);
    expect(umbrella.WebSocketServer).toBe(serverPackage.WebSocketServer);
    expect(umbrella.WS_OK).toBe(1000);
    expect(umbrella.WS_GONE).toBe(1001);
    expect(umbrella.client).toBe(umbrella.createClient);
    expect(umbrella.server).toBe(umbrella.createServer);
    expect(typeof umbrella.connect).toBe('function');
  });
});

describe('browser entry (source)', () => {
  it('exports exactly the documented surface, the same objects as codes and browser', () => {
    expect(Object.keys(browserEntry).sort()).toEqual([...CODES, 'WebSocket', 'connect', 'createClient', 'client', 'default'].sort());
    expectSame(browserEntry, codes, CODES);
    expectSame(browserEntry, browserPackage, ['WebSocket', 'connect']);
  });

  it('WebSocket and connect are the browser client, with the close codes beside them', () => {
    expect(browserEntry.WebSocket).toBe(browserPackage.WebSocket);
    expect(browserEntry.default).toBe(browserPackage.WebSocket);
    expect(browserEntry.connect).toBe(browserPackage.connect);
    expect(browserEntry.WS_GONE).toBe(1001);
    expect(browserEntry.CloseCode).toBe(codes.CloseCode);
    expect(browserEntry.client).toBe(browserEntry.createClient);
    expect('WebSocketServer' in browserEntry).toBe(false);
    expect('createServer' in browserEntry).toBe(false);
  });
});

/**
 * Where `specifier` (a bare package name or subpath) leads from `file` for a browser bundler once
 * published: the `browser` condition if the package has one, else `default` — never `source`,
 * which vitest's own resolution (and this process's conditions) would pick.
 */
function resolvePublished(file: string, specifier: string): string {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  const subpath = `.${specifier.slice(name.length)}`;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
      let target: unknown = pkg.exports[subpath];
      while (target !== null && typeof target === 'object') {
        const conditions = target as Record<string, unknown>;
        target = conditions['browser'] ?? conditions['default'];
      }
      return realpathSync(join(candidate, target as string));
    }
    if (dir === dirname(dir)) throw new Error(`cannot resolve ${specifier} from ${file}`);
  }
}

/** Every module file reachable from `entry` through static and dynamic imports, and every bare or node: specifier met. */
function importGraph(entry: string): { files: string[]; specifiers: string[] } {
  const files = new Set<string>();
  const specifiers = new Set<string>();
  const pending = [entry];
  const pattern = /(?:^|[\s;])(?:import|export)\s*(?:[\w*${}\s,]+?\s*from\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(pattern)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.')) {
        pending.push(resolve(dirname(file), specifier));
      } else {
        specifiers.add(specifier);
        if (!specifier.startsWith('node:')) pending.push(resolvePublished(file, specifier));
      }
    }
  }
  return { files: [...files], specifiers: [...specifiers] };
}

describe('browser entry (built)', () => {
  it('imports nothing from node:* anywhere in its module graph', () => {
    const graph = importGraph(join(packageDir, 'dist/browser.js'));
    expect(graph.specifiers.sort()).toEqual(['@rfc6455/browser', '@rfc6455/codes']);
    expect(graph.files).toContain(join(packageDir, '..', 'browser', 'dist', 'lib', 'websocket.js'));
    expect(graph.files).toContain(join(packageDir, '..', 'codes', 'dist', 'lib', 'close-codes.js'));
    for (const file of graph.files) {
      expect(readFileSync(file, 'utf8')).not.toMatch(/\brequire\(|\bprocess\.(?:nextTick|env|versions)\b|\bBuffer\.(?:from|alloc|concat)\b/);
    }
  });

  it('the Node entry does reach node:* (so the graph walk can see it)', () => {
    const graph = importGraph(join(packageDir, 'dist/index.js'));
    expect(graph.specifiers.some((s) => s.startsWith('node:'))).toBe(true);
  });
});

describe('export conditions, from a scratch project', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'rfc6455-websocket-'));
  mkdirSync(join(scratch, 'node_modules', '@rfc6455'), { recursive: true });
  symlinkSync(packageDir, join(scratch, 'node_modules', '@rfc6455', 'websocket'), 'dir');
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const probe = `
    const m = await import('@rfc6455/websocket');
    console.log(JSON.stringify({
      resolved: import.meta.resolve('@rfc6455/websocket'),
      eventTarget: m.WebSocket.prototype instanceof EventTarget,
      json: typeof m.WebSocket.prototype.json,
      server: typeof m.WebSocketServer,
      gone: m.WS_GONE,
    }));`;
  const run = (conditions: string[]): Record<string, unknown> =>
    JSON.parse(
      execFileSync(process.execPath, [...conditions.map((c) => `--conditions=${c}`), '--input-type=module', '-e', probe], {
        cwd: scratch,
        encoding: 'utf8',
      }),
    ) as Record<string, unknown>;

  it('node --conditions=browser gets dist/browser.js and the browser client', () => {
    expect(run(['browser'])).toEqual({
      resolved: `file://${packageDir}dist/browser.js`,
      eventTarget: true,
      json: 'function',
      server: 'undefined',
      gone: 1001,
    });
  });

  it('plain node gets dist/index.js, the Node client and the server', () => {
    expect(run([])).toEqual({
      resolved: `file://${packageDir}dist/index.js`,
      eventTarget: false,
      json: 'undefined',
      server: 'function',
      gone: 1001,
    });
  });

  it('require() gets the CommonJS entry: the WebSocket class of the ES module build, with ws\'s statics', () => {
    const script = `const W = require('@rfc6455/websocket');
      import('@rfc6455/websocket').then((m) => console.log(JSON.stringify({
        resolved: require.resolve('@rfc6455/websocket'),
        type: typeof W, self: W.WebSocket === W, sameClass: W === m.WebSocket && W === m.default,
        server: W.Server === m.WebSocketServer && W.WebSocketServer === m.WebSocketServer,
        stream: W.createWebSocketStream === m.createWebSocketStream, open: W.OPEN })));`;
    const shape = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: scratch, encoding: 'utf8' })) as Record<string, unknown>;
    expect(shape).toEqual({ resolved: `${packageDir}cjs/index.cjs`, type: 'function', self: true, sameClass: true, server: true, stream: true, open: 1 });
  });
});
