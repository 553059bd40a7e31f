// What one idle connection keeps on the V8 heap: `node src/e2e/heap-diff.mjs <ours|ws|raw> [connections]`.
// Takes a heap snapshot of the server child before and after opening `connections` (default 2,000)
// idle connections, and prints, per constructor, the objects and self bytes added per connection.
// Snapshots go to bench/results/profiles/ (ignored by git).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benchRoot = join(here, '..', '..');
const [kind = 'ours', countArg = '2000'] = process.argv.slice(2);
const connections = Number(countArg);
const dir = join(benchRoot, 'results', 'profiles', `heap-${kind}-${Date.now()}`);
mkdirSync(dir, { recursive: true });

const server = spawn(process.execPath, ['--expose-gc', join(here, 'node-server.mjs'), kind, 'echo'], { cwd: benchRoot, stdio: ['pipe', 'pipe', 'inherit'] });
const serverLines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
const next = async () => (await serverLines.next()).value;
const { port } = JSON.parse(await next());
const ask = async (command) => {
  server.stdin.write(`${command}\n`);
  return JSON.parse(await next());
};

/** Self size and count per constructor name ("object" and "closure" nodes only). */
function summarize(file) {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const totals = new Map();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const name = type === 'object' || type === 'closure' ? strings[nodes[i + nameAt]] : `(${type})`;
    const entry = totals.get(name) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += nodes[i + sizeAt];
    totals.set(name, entry);
  }
  return totals;
}

// Warm the connection path first, so lazily created objects are in the baseline.
const warm = spawn(process.execPath, [join(here, 'load.mjs'), JSON.stringify({ scenario: 'idle', port, connections: 20, concurrency: 20 })], { stdio: ['pipe', 'pipe', 'inherit'] });
await new Promise((resolve) => createInterface({ input: warm.stdout }).once('line', resolve));
warm.stdin.end();
await new Promise((resolve) => warm.once('exit', resolve));
await new Promise((resolve) => setTimeout(resolve, 300));

const before = join(dir, 'before.heapsnapshot');
await ask(`heap ${before}`);
const load = spawn(process.execPath, [join(here, 'load.mjs'), JSON.stringify({ scenario: 'idle', port, connections, concurrency: 100 })], { stdio: ['pipe', 'pipe', 'inherit'] });
await new Promise((resolve) => createInterface({ input: load.stdout }).once('line', resolve));
await new Promise((resolve) => setTimeout(resolve, 300));
const after = join(dir, 'after.heapsnapshot');
await ask(`heap ${after}`);
load.stdin.end();
server.stdin.end();

const a = summarize(before);
const b = summarize(after);
const rows = [...b]
  .map(([name, { count, size }]) => ({ name, count: (count - (a.get(name)?.count ?? 0)) / connections, size: (size - (a.get(name)?.size ?? 0)) / connections }))
  .filter((r) => r.size > 8)
  .sort((x, y) => y.size - x.size);
const total = rows.reduce((sum, r) => sum + r.size, 0);
console.log(`${kind}: ${(total / 1024).toFixed(2)} KiB of V8 heap per idle connection (${connections} connections); top entries:`);
for (const r of rows.slice(0, 45)) console.log(`${r.size.toFixed(0).padStart(7)} B  ${r.count.toFixed(2).padStart(6)} objects  ${r.name}`);
