// Profile one server on one row:
//   node src/e2e/profile.mjs <ours|ws|raw> <echo64|echo4k|echo1m|bcast200|bcast1000|handshake>
// Runs the server child under `node --cpu-prof` (pinned like run.mjs does), drives it with the
// same load generator and spec as the row, then prints the functions with the most self time.
// The .cpuprofile stays in bench/results/profiles/ (ignored by git) for Chrome DevTools.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benchRoot = join(here, '..', '..');
const [kind = 'ours', rowId = 'echo64'] = process.argv.slice(2);
const window = { warmupMs: 500, durationMs: 3000 };
const specs = {
  echo64: ['echo', { scenario: 'echo', connections: 50, window: 32, size: 64, ...window }],
  echo4k: ['echo', { scenario: 'echo', connections: 50, window: 8, size: 4096, ...window }],
  echo1m: ['echo', { scenario: 'echo', connections: 4, window: 2, size: 1 << 20, ...window }],
  bcast200: ['broadcast', { scenario: 'broadcast', subscribers: 200, window: 16, size: 64, ...window }],
  bcast1000: ['broadcast', { scenario: 'broadcast', subscribers: 1000, window: 16, size: 64, ...window }],
  handshake: ['echo', { scenario: 'handshake', concurrency: 32, ...window }],
};
const [mode, spec] = specs[rowId];
const dir = join(benchRoot, 'results', 'profiles', `${kind}-${rowId}-${Date.now()}`);
mkdirSync(dir, { recursive: true });

// BENCH_PROFILE_NODE_ARGS: extra Node flags for the server only (e.g. `--import ./experiment.mjs`
// to measure a proposed change before it lands).
const extra = (process.env.BENCH_PROFILE_NODE_ARGS ?? '').split(' ').filter(Boolean);
const serverArgs = ['-c', '1', process.execPath, ...extra, '--cpu-prof', '--cpu-prof-dir', dir, join(here, 'node-server.mjs'), kind, mode];
const server = spawn('taskset', serverArgs, {
  cwd: benchRoot,
  stdio: ['pipe', 'pipe', 'inherit'],
});
const rl = createInterface({ input: server.stdout });
const { port } = JSON.parse(await new Promise((resolve) => rl.once('line', resolve)));
const load = spawn('taskset', ['-c', '0', process.execPath, join(here, 'load.mjs'), JSON.stringify({ ...spec, port })], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
let result;
for await (const line of createInterface({ input: load.stdout })) if (line !== 'start') result = line;
console.log(result);
const exited = new Promise((resolve) => server.once('exit', resolve));
server.stdin.end();
await exited;

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
// Self time per function: samples × their interval, attributed to the sampled node.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/packages\//, '')}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
// The same self time by where the code lives: each @rfc6455 package, ws, Node's own JavaScript,
// native code (writes, hashing, GC) and idle.
const byPlace = new Map();
for (const [key, us] of self) {
  const file = key.slice(key.indexOf(' ') + 1);
  const place = /^\w+\/dist\//.test(file)
    ? `@rfc6455/${file.slice(0, file.indexOf('/'))}`
    : file.startsWith('ws/') ? 'ws' : file.startsWith('node:') ? 'node (JavaScript)' : file.startsWith('file:') ? 'the bench server' : key.startsWith('(idle)') ? 'idle' : 'native, GC, other';
  byPlace.set(place, (byPlace.get(place) ?? 0) + us);
}
console.log([...byPlace].sort((a, b) => b[1] - a[1]).map(([place, us]) => `${place} ${((us / total) * 100).toFixed(1)}%`).join(' · '));
console.log(`${join(dir, file)}\nself time, top 25 of ${(total / 1000).toFixed(0)} ms:`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
