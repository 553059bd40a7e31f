#!/usr/bin/env node
// Packs every published package with `pnpm pack` and installs each tarball into its own scratch
// project with plain npm (with only the tarballs of its own @rfc6455 dependencies beside it),
// then imports it from JavaScript and type-checks an import from TypeScript, and runs every
// command it installs with --help. This proves that "npm i @rfc6455/frame" alone,
// "import { WS_OK } from '@rfc6455/codes'" and "npm i @rfc6455/cli && websocket --help" really
// work from what would be published, not from the workspace folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.pack-check');
const tarballs = join(work, 'tarballs');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

/** Published packages: packages/* that are not private, keyed by name. */
const packages = new Map();
for (const dir of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', dir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (pkg.private) continue;
  packages.set(pkg.name, { dir: join(root, 'packages', dir), pkg });
}

/** What each package must do once installed alone (beyond importing with a non-empty surface). */
const smoke = {
  '@rfc6455/codes': `
    import { WS_OK, WS_TLS_HANDSHAKE_FAIL, CloseCode, isValidCloseCode, ws } from '@rfc6455/codes';
    if (WS_OK !== 1000 || WS_TLS_HANDSHAKE_FAIL !== 1015 || CloseCode.MessageTooBig !== 1009) throw new Error('constants');
    if (isValidCloseCode(1005) || !isValidCloseCode(4000) || ws.WS_GONE !== 1001) throw new Error('rules');`,
  '@rfc6455/frame': `
    import { encodeFrame, FrameParser } from '@rfc6455/frame';
    const bytes = encodeFrame(1, new TextEncoder().encode('Hello'));
    if (Buffer.from(bytes).toString('hex') !== '810548656c6c6f') throw new Error('encode: ' + Buffer.from(bytes).toString('hex'));
    const frames = [];
    const parser = new FrameParser({ role: 'client', onFrame: (f) => frames.push(f) });
    parser.push(bytes);
    if (frames.length !== 1 || new TextDecoder().decode(frames[0].payload) !== 'Hello') throw new Error('parse');`,
  '@rfc6455/handshake': `
    import { createAcceptKey } from '@rfc6455/handshake';
    if (createAcceptKey('dGhlIHNhbXBsZSBub25jZQ==') !== 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=') throw new Error('accept key');`,
  '@rfc6455/websocket': `
    import { existsSync } from 'node:fs';
    import { createServer, connect, WS_OK } from '@rfc6455/websocket';
    // The command is @rfc6455/cli's: installing the library installs no command.
    if (existsSync('node_modules/.bin/websocket')) throw new Error('the umbrella installed a websocket command');
    const server = createServer({ port: 0, host: '127.0.0.1', heartbeat: false });
    server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    await new Promise((resolve) => server.on('listening', resolve));
    const client = await connect('ws://127.0.0.1:' + server.address().port + '/');
    const echoed = new Promise((resolve) => client.on('message', (data) => resolve(String(data))));
    client.send('hello from the tarball');
    if ((await echoed) !== 'hello from the tarball') throw new Error('echo');
    client.close(WS_OK);
    await server.shutdown({ timeoutMs: 1000 });`,
};

/** What `require()` must give, run as CommonJS and type-checked from a .cts file (ws's shape for the umbrella). */
const requireSmoke = {
  '@rfc6455/websocket': {
    script: `
      const WebSocket = require('@rfc6455/websocket');
      if (typeof WebSocket !== 'function' || WebSocket.WebSocket !== WebSocket || WebSocket.OPEN !== 1) throw new Error('require() is not the WebSocket class');
      if (WebSocket.Server !== WebSocket.WebSocketServer || typeof WebSocket.Server !== 'function') throw new Error('WebSocket.Server');
      if (typeof WebSocket.createWebSocketStream !== 'function') throw new Error('WebSocket.createWebSocketStream');
      import('@rfc6455/websocket').then((m) => { if (m.default !== WebSocket) throw new Error('require() and import give two classes'); });`,
    types: `import WebSocket = require('@rfc6455/websocket');
      const open = (url: string): WebSocket => new WebSocket(url, { perMessageDeflate: false });
      export const server: typeof WebSocket.WebSocketServer = WebSocket.Server;
      export const openIt = open;`,
  },
};

rmSync(work, { recursive: true, force: true });
mkdirSync(tarballs, { recursive: true });
const tarballOf = new Map();
for (const [name, { dir }] of packages) {
  const out = run('pnpm', ['pack', '--pack-destination', tarballs], dir).trim().split('\n').pop();
  tarballOf.set(name, out.startsWith('/') ? out : join(tarballs, out));
}

/** The package and every @rfc6455 package it depends on, transitively. */
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const deps = packages.get(name)?.pkg.dependencies ?? {};
  for (const dep of Object.keys(deps)) if (packages.has(dep)) closure(dep, seen);
  return seen;
}

/** Whether a package's declarations use Node's types (its tsconfig.build.json does not clear `types`). */
function nodeTyped(dir) {
  const config = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
  return (config.compilerOptions?.types ?? []).includes('node') && !runtimeNeutral.has(dir.split('/').pop());
}
const runtimeNeutral = new Set(['codes', 'frame', 'handshake', 'protocol', 'browser']);

let failed = 0;
for (const name of packages.keys()) {
  const project = join(work, name.replace('/', '__'));
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  try {
    const own = [...closure(name)].map((n) => tarballOf.get(n));
    // Node-only packages expose node:* types in their declarations; their users have @types/node.
    const needsNodeTypes = [...closure(name)].some((n) => nodeTyped(packages.get(n).dir));
    const extra = needsNodeTypes ? ['@types/node@20'] : [];
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...own, ...extra], project);
    const installed = readdirSync(join(project, 'node_modules', '@rfc6455')).sort();
    // (@types/node, when installed above, is the user's own dev dependency, not ours.)
    const expected = [...closure(name)].map((n) => n.split('/')[1]).sort();
    if (JSON.stringify(installed) !== JSON.stringify(expected)) {
      throw new Error(`installed ${installed.join(', ')}; expected only ${expected.join(', ')}`);
    }
    const { pkg } = packages.get(name);
    // A command-only package (@rfc6455/cli) has no "." export: its smoke test is its bin.
    if (pkg.exports?.['.'] !== undefined) {
      const script = `import * as surface from '${name}';
        if (Object.keys(surface).length === 0) throw new Error('empty export surface');
        ${smoke[name] ?? ''}`;
      writeFileSync(join(project, 'smoke.mjs'), script);
      run(process.execPath, ['smoke.mjs'], project);
      writeFileSync(join(project, 'types.ts'), `import * as surface from '${name}';\nexport const names: string[] = Object.keys(surface);\n`);
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: needsNodeTypes ? ['node'] : [] }, files: ['types.ts'] }),
      );
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
    }
    const cjs = requireSmoke[name];
    if (cjs !== undefined) {
      writeFileSync(join(project, 'smoke.cjs'), cjs.script);
      run(process.execPath, ['smoke.cjs'], project);
      writeFileSync(join(project, 'types.cts'), cjs.types);
      writeFileSync(
        join(project, 'tsconfig.cjs.json'),
        JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['types.cts'] }),
      );
      run(process.execPath, [tsc, '-p', 'tsconfig.cjs.json'], project);
    }
    // Every command a package installs runs from node_modules/.bin and answers --help.
    for (const bin of Object.keys(pkg.bin ?? {})) {
      const help = run(join(project, 'node_modules', '.bin', bin), ['--help'], project);
      if (!help.startsWith(`Usage: ${bin} `)) throw new Error(`${bin} --help printed: ${help.slice(0, 200)}`);
    }
    console.log(`ok      ${name} (installed alone: ${expected.map((n) => '@rfc6455/' + n).join(', ')})`);
  } catch (err) {
    failed++;
    const detail = [err.message, err.stdout, err.stderr].filter(Boolean).join('\n');
    console.log(`FAILED  ${name}\n${detail}`);
  }
}
console.log(`pack check: ${packages.size - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
