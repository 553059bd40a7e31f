// Entry point of `pnpm bench:e2e`: end-to-end rows against ws (same Node), Bun.serve and a raw
// node:net ceiling, each server in its own process on one core and the load generator
// (load.mjs) in another process on the other core. Prints a Markdown table with the ratios
// ours/ws and ours/ceiling, and writes the full JSON to bench/results/e2e-<date>.json.
//
// Needs the built packages (the root `pnpm bench:e2e` builds them first through turbo).
// Settings: BENCH_E2E_MS (timed window per row, 1500), BENCH_E2E_WARMUP_MS (500),
// BENCH_E2E_ROUNDS (3; rounds rotate which server goes first, the best round counts),
// BENCH_E2E_IDLE (connections for the memory row, 10000), BENCH_E2E_SCALE (connections for the
// scale row, 100000; 0 leaves the row out), BENCH_E2E_HEARTBEAT_MS (the scale row's heartbeat
// period, 10000), BENCH_FILTER (regex on row names; a filtered run prints but writes no JSON),
// BENCH_E2E_SERVERS (default "ours,ws,bun,raw"), BENCH_E2E_H2 (0 skips the HTTP/2 rows: ours over
// RFC 8441 streams vs ours over HTTP/1.1).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benchRoot = join(here, '..', '..');
const repoRoot = join(benchRoot, '..');

const DURATION_MS = Number(process.env.BENCH_E2E_MS ?? 1500);
const WARMUP_MS = Number(process.env.BENCH_E2E_WARMUP_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 3);
const IDLE = Number(process.env.BENCH_E2E_IDLE ?? 10000);
const SCALE_ASKED = Number(process.env.BENCH_E2E_SCALE ?? 100000);
/**
 * The hard descriptor limit: one process cannot hold more sockets, and raising it takes
 * CAP_SYS_RESOURCE (a container often lacks it even as root). The scale row opens what fits.
 */
const FD_HARD_LIMIT = (() => {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim()) || Infinity;
  } catch {
    return Infinity;
  }
})();
const SCALE = Math.max(0, Math.min(SCALE_ASKED, FD_HARD_LIMIT - 1024));
/** The counts at which the scale row reads the server's memory: 10k, 50k and SCALE (those below it). */
const SCALE_STAGES = [...[10000, 50000].filter((n) => n < SCALE), SCALE];
const HEARTBEAT_MS = Number(process.env.BENCH_E2E_HEARTBEAT_MS ?? 10_000);
/** Heartbeat periods the scale row measures the server's CPU over, once every connection is open. */
const HEARTBEAT_WINDOWS = 2;
/** Hard limit for the scale row of one server (opening, the memory reads, the heartbeat window). */
const SCALE_TIMEOUT_MS = 600_000;
const FILTER = process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER, 'i') : undefined;
const SERVERS = (process.env.BENCH_E2E_SERVERS ?? 'ours,ws,bun,raw').split(',');
const H2_ROWS = process.env.BENCH_E2E_H2 !== '0';
/** A window in which other processes used more than this many cores is measured again. */
const FOREIGN_CPU_LIMIT = 0.25;
const MAX_RETRIES = 2;
/** All retries together may take this long, so that the suite stays near 4 minutes. */
const RETRY_BUDGET_MS = 40_000;
let retryMs = 0;
/** Hard limit for one load run; the scenario's own limits end it far sooner. */
const RUN_TIMEOUT_MS = 90_000;

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return cpus().length >= 2;
  } catch {
    return false;
  }
})();
/** File descriptors the memory rows need in each process: IDLE (or SCALE) sockets and some to spare. */
const FD_NEEDED = Math.min(Math.max(IDLE, SCALE) + 1024, FD_HARD_LIMIT);
const fdLimit = (() => {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim()) || Infinity;
  } catch {
    return Infinity;
  }
})();
/**
 * The command line for a child pinned to `core` (when taskset exists), started through `sh` with
 * a raised `ulimit -n` when the current soft limit is below what the memory rows need (raising the
 * soft limit up to the hard one needs no privilege, beyond it root; if it fails the row reports
 * the error, EMFILE).
 */
function pinned(core, argv) {
  const full = hasTaskset ? ['taskset', '-c', String(core), ...argv] : argv;
  if (fdLimit >= FD_NEEDED) return [full[0], full.slice(1)];
  return ['sh', ['-c', `ulimit -n ${FD_NEEDED} 2>/dev/null; exec "$@"`, 'sh', ...full]];
}

/** The bun binary of the npm package's platform dependency (its postinstall does not run here). */
function findBun() {
  const store = join(repoRoot, 'node_modules', '.pnpm');
  if (!existsSync(store)) return undefined;
  for (const dir of readdirSync(store).filter((d) => d.startsWith(`@oven+bun-${process.platform}-${process.arch}`)).sort()) {
    const name = dir.slice('@oven+'.length, dir.lastIndexOf('@'));
    const bin = join(store, dir, 'node_modules', '@oven', name, 'bin', 'bun');
    try {
      execFileSync(bin, ['--version'], { stdio: 'ignore' });
      return bin;
    } catch {
      // A baseline or musl build that cannot run here: try the next one.
    }
  }
  return undefined;
}
const bunBin = findBun();

/** A child process speaking one JSON line per answer; `line()` waits for the next line. */
function lines(child) {
  const queue = [];
  const waiting = [];
  const rl = createInterface({ input: child.stdout });
  rl.on('line', (line) => (waiting.length > 0 ? waiting.shift()(line) : queue.push(line)));
  child.on('exit', () => {
    for (const resolve of waiting.splice(0)) resolve(undefined);
  });
  return () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve)));
}

/** Start one server under test; resolves with { port, ask(cmd), stop() } or { error }. */
async function startServer(kind, mode) {
  let argv;
  if (kind === 'bun') {
    if (bunBin === undefined) return { error: 'n/a: no runnable bun binary' };
    argv = [bunBin, join(here, 'bun-server.mjs'), mode];
  } else {
    argv = [process.execPath, '--expose-gc', join(here, 'node-server.mjs'), kind, mode];
  }
  const [cmd, args] = pinned(1, argv);
  const child = spawn(cmd, args, { cwd: benchRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const next = lines(child);
  const first = JSON.parse((await next()) ?? '{"error":"server exited"}');
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  if (first.error) {
    await stop();
    return { error: first.error };
  }
  return {
    port: first.port,
    // ours-h2's WebSockets are extended CONNECT streams of h2c sessions (100 streams a session).
    transport: kind === 'ours-h2' ? 'h2' : 'http/1.1',
    ask: async (command) => {
      child.stdin.write(`${command}\n`);
      return JSON.parse(await next());
    },
    stop,
  };
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat), or undefined elsewhere. */
function machineJiffies() {
  try {
    const fields = readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Run the load generator against `server`; adds the server's CPU use over the timed window and
 * `foreignCpu`: the cores' worth of CPU that neither the server nor the generator used (other
 * processes on the machine, and the kernel's loopback work not charged to either).
 */
async function runLoad(server, spec) {
  const [cmd, args] = pinned(0, [process.execPath, join(here, 'load.mjs'), JSON.stringify({ ...spec, port: server.port, transport: server.transport })]);
  const child = spawn(cmd, args, { cwd: benchRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const next = lines(child);
  try {
    let line = await next();
    let cpuBefore;
    let startedAt;
    let jiffiesBefore;
    if (line === 'start') {
      startedAt = performance.now();
      jiffiesBefore = machineJiffies();
      cpuBefore = await server.ask('cpu');
      line = await next();
    }
    if (line === undefined) throw new Error('load generator died');
    const result = JSON.parse(line);
    if (result.error) throw new Error(result.error);
    if (cpuBefore !== undefined) {
      const cpuAfter = await server.ask('cpu');
      const used = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000;
      result.serverCpu = used / (performance.now() - startedAt);
      // Work per CPU-second of the server: steadier than the rate when other processes share the
      // machine, and still meaningful when the load generator, not the server, is the limit.
      if (typeof result.rate === 'number') result.perServerCpuSecond = result.rate / result.serverCpu;
      const jiffiesAfter = machineJiffies();
      if (jiffiesBefore !== undefined && jiffiesAfter !== undefined) {
        const busyCores = ((jiffiesAfter.busy - jiffiesBefore.busy) / (jiffiesAfter.total - jiffiesBefore.total)) * cpus().length;
        result.foreignCpu = Math.max(0, busyCores - result.serverCpu - result.loadCpu);
      }
    }
    result.loadavg = loadavg()[0];
    return result;
  } finally {
    clearTimeout(timer);
    child.stdin.end();
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** The idle-memory row: RSS growth per connection with `IDLE` idle connections open. */
async function idleMemory(server) {
  // Warm the server's connection path first, so lazily loaded code is in the baseline.
  await runLoad(server, { scenario: 'handshake', concurrency: 10, warmupMs: 50, durationMs: 200 });
  const before = await server.ask('mem');
  const [cmd, args] = pinned(0, [process.execPath, join(here, 'load.mjs'), JSON.stringify({ scenario: 'idle', port: server.port, transport: server.transport, connections: IDLE, concurrency: 100 })]);
  const child = spawn(cmd, args, { cwd: benchRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const next = lines(child);
  try {
    const ready = JSON.parse((await next()) ?? '{"error":"load generator died"}');
    if (ready.error) throw new Error(ready.error);
    // Let the server finish its side of the last handshakes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await server.ask('mem');
    return {
      rate: (after.rss - before.rss) / ready.connections,
      heapPerConnection: (after.heapUsed - before.heapUsed) / ready.connections,
      // Committed V8 heap and off-heap (Buffer/ArrayBuffer) growth: what RSS holds beyond live objects.
      heapTotalPerConnection: (after.heapTotal - before.heapTotal) / ready.connections,
      externalPerConnection: (after.external - before.external) / ready.connections,
      connections: ready.connections,
      openMs: ready.openMs,
      rssBefore: before.rss,
      rssAfter: after.rss,
    };
  } finally {
    clearTimeout(timer);
    child.stdin.end();
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}

/**
 * The scale row: SCALE idle connections (from 64 loopback source addresses), opened 200
 * handshakes at a time, every one answering the heartbeat. At each stage the server's RSS and heap
 * growth per connection and the time to open so far; then the server's CPU over
 * HEARTBEAT_WINDOWS heartbeat periods with every connection open: what the heartbeat costs.
 */
async function scaleRun(server) {
  await runLoad(server, { scenario: 'handshake', concurrency: 10, warmupMs: 50, durationMs: 200 });
  const before = await server.ask('mem');
  const spec = { scenario: 'scale', port: server.port, stages: SCALE_STAGES, concurrency: 200 };
  const [cmd, args] = pinned(0, [process.execPath, join(here, 'load.mjs'), JSON.stringify(spec)]);
  const child = spawn(cmd, args, { cwd: benchRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), SCALE_TIMEOUT_MS);
  const next = lines(child);
  try {
    const stages = [];
    for (let i = 0; i < SCALE_STAGES.length; i++) {
      const stage = JSON.parse((await next()) ?? '{"error":"load generator died"}');
      if (stage.error) throw new Error(stage.error);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const mem = await server.ask('mem');
      stages.push({
        connections: stage.connections,
        openMs: stage.openMs,
        rssPerConnection: (mem.rss - before.rss) / stage.connections,
        heapPerConnection: (mem.heapUsed - before.heapUsed) / stage.connections,
        rss: mem.rss,
      });
      process.stderr.write(`    ${stage.connections} open after ${(stage.openMs / 1000).toFixed(1)} s: ${(stages.at(-1).rssPerConnection / 1024).toFixed(2)} KiB RSS per connection\n`);
      child.stdin.write('next\n');
    }
    const last = stages.at(-1);
    child.stdin.write('pings\n');
    const pingsBefore = JSON.parse(await next()).pings;
    const cpuBefore = await server.ask('cpu');
    const jiffiesBefore = machineJiffies();
    const windowStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_WINDOWS * HEARTBEAT_MS));
    const cpuAfter = await server.ask('cpu');
    const jiffiesAfter = machineJiffies();
    const windowMs = performance.now() - windowStarted;
    child.stdin.write('pings\n');
    const pingsAfter = JSON.parse(await next()).pings;
    const memAfter = await server.ask('mem');
    const cpuMs = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000;
    const cpuMsPerInterval = cpuMs / (windowMs / HEARTBEAT_MS);
    const busyCores =
      jiffiesBefore === undefined || jiffiesAfter === undefined
        ? undefined
        : ((jiffiesAfter.busy - jiffiesBefore.busy) / (jiffiesAfter.total - jiffiesBefore.total)) * cpus().length;
    return {
      rate: last.rssPerConnection,
      connections: last.connections,
      openMs: last.openMs,
      stages,
      heartbeatMs: HEARTBEAT_MS,
      heartbeatCpuMsPerInterval: cpuMsPerInterval,
      heartbeatCpuMsPer100kPerInterval: (cpuMsPerInterval * 100_000) / last.connections,
      pingsAnswered: pingsAfter - pingsBefore,
      // Connections still open after the window (the heartbeat ended none that answered).
      rssPerConnectionAfterWindow: (memAfter.rss - before.rss) / last.connections,
      machineBusyCores: busyCores,
      loadavg: loadavg()[0],
    };
  } finally {
    clearTimeout(timer);
    child.stdin.end();
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}

const window = { warmupMs: WARMUP_MS, durationMs: DURATION_MS };
/**
 * The rows. `value` picks the number compared; `higher` says which way is better; `target`
 * states the issue's goal for ours/ws (and ours/ceiling) where it sets one.
 */
const rows = [
  { id: 'latency', name: '1 conn ping-pong 64 B, p50', unit: 'µs', higher: false, mode: 'echo', spec: { scenario: 'latency', size: 64, warmupCount: 2000, count: 20000, maxMs: DURATION_MS }, value: (r) => r.p50Us },
  { id: 'latency', name: '1 conn ping-pong 64 B, p99', unit: 'µs', higher: false, value: (r) => r.p99Us, sameRunAs: 'latency' },
  { id: 'echo64', name: 'echo 50 conns × 32 in flight, 64 B', unit: 'msg/s', higher: true, mode: 'echo', spec: { scenario: 'echo', connections: 50, window: 32, size: 64, ...window }, target: { ws: 1.3, ceiling: 0.85 } },
  { id: 'echo4k', name: 'echo 50 conns × 8 in flight, 4 KiB', unit: 'msg/s', higher: true, mode: 'echo', spec: { scenario: 'echo', connections: 50, window: 8, size: 4096, ...window }, target: { ws: 1.3, ceiling: 0.85 } },
  { id: 'echo1m', name: 'echo 4 conns × 2 in flight, 1 MiB binary', unit: 'msg/s', higher: true, mode: 'echo', spec: { scenario: 'echo', connections: 4, window: 2, size: 1 << 20, ...window }, target: { ws: 1.3, ceiling: 0.85 } },
  { id: 'bcast200', name: 'broadcast 64 B to 200 (16 in flight)', unit: 'deliveries/s', higher: true, mode: 'broadcast', spec: { scenario: 'broadcast', subscribers: 200, window: 16, size: 64, ...window }, target: { ws: 3 } },
  { id: 'bcast1000', name: 'broadcast 64 B to 1,000 (16 in flight)', unit: 'deliveries/s', higher: true, mode: 'broadcast', spec: { scenario: 'broadcast', subscribers: 1000, window: 16, size: 64, ...window }, target: { ws: 3 } },
  { id: 'handshake', name: 'handshakes (32 concurrent, connect → 101 → close)', unit: 'conn/s', higher: true, mode: 'echo', spec: { scenario: 'handshake', concurrency: 32, ...window }, target: { ws: 1 } },
  { id: 'idle', name: `memory per idle connection at ${IDLE.toLocaleString('en')}`, unit: 'KiB', higher: false, mode: 'echo', idle: true, rounds: 1, value: (r) => r.rate / 1024, target: { ws: 0.6 } },
  ...(SCALE > 0
    ? [
        {
          id: 'scale',
          name: `memory per idle connection at ${SCALE.toLocaleString('en')}, heartbeat every ${HEARTBEAT_MS / 1000} s`,
          unit: 'KiB',
          higher: false,
          mode: 'scale',
          scale: true,
          servers: ['ours', 'ws'],
          rounds: 1,
          value: (r) => r.rate / 1024,
          target: { ws: 0.8 },
        },
        { id: 'scale', name: `time to open ${SCALE.toLocaleString('en')} connections`, unit: 's', higher: false, value: (r) => r.openMs / 1000, sameRunAs: 'scale' },
        { id: 'scale', name: `heartbeat: server CPU per interval per 100k connections`, unit: 'CPU-ms', higher: false, value: (r) => r.heartbeatCpuMsPer100kPerInterval, sameRunAs: 'scale' },
      ]
    : []),
  { id: 'deflate', name: 'echo deflate 50 conns × 8 in flight, 4 KiB JSON', unit: 'msg/s', higher: true, mode: 'deflate', spec: { scenario: 'echo', connections: 50, window: 8, size: 4096, deflate: true, ...window } },
];

const started = Date.now();
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  bun: bunBin === undefined ? 'n/a' : execFileSync(bunBin, ['--version']).toString().trim(),
  ws: JSON.parse(readFileSync(join(benchRoot, 'node_modules', 'ws', 'package.json'), 'utf8')).version,
  pinned: hasTaskset ? 'load generator on core 0, server on core 1 (taskset)' : 'not pinned (no taskset or one core)',
  commit: (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot }).toString().trim();
    } catch {
      return 'unknown';
    }
  })(),
};
console.log(`# @rfc6455 end-to-end — ${machine.cpu} × ${machine.cores}, Node ${machine.node}, Bun ${machine.bun}, ws ${machine.ws}`);
console.log(`# ${machine.pinned}; ${DURATION_MS} ms windows after ${WARMUP_MS} ms warm-up, best of ${ROUNDS} rounds`);
if (SCALE < SCALE_ASKED) {
  console.log(`# scale row: ${SCALE.toLocaleString('en')} connections, not ${SCALE_ASKED.toLocaleString('en')}: the hard descriptor limit here is ${FD_HARD_LIMIT} (raising it needs CAP_SYS_RESOURCE)`);
}

// On a shared machine, wait (30 s at most) for other work to fall below half a core before starting.
for (let waited = 0; waited < 30; waited++) {
  const a = machineJiffies();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const b = machineJiffies();
  if (a === undefined || b === undefined) break;
  const busy = ((b.busy - a.busy) / (b.total - a.total)) * cpus().length;
  if (busy < 0.5) break;
  if (waited === 0) process.stderr.write(`  waiting for the machine to quieten (${(busy * 100).toFixed(0)}% of a core busy)…\n`);
}

/** results[row.id][server] = the best raw result object (or { error }). */
const results = {};
const better = (row, a, b) => (row.higher ? a > b : a < b);
for (const row of rows) {
  if (row.sameRunAs !== undefined) continue;
  if (FILTER !== undefined && !rows.some((r) => (r.id === row.id) && FILTER.test(r.name))) continue;
  const value = row.value ?? ((r) => r.rate);
  results[row.id] = {};
  const rounds = row.rounds ?? ROUNDS;
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no server always runs first (or right after another's TIME_WAITs).
    const servers = row.servers === undefined ? SERVERS : SERVERS.filter((kind) => row.servers.includes(kind));
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    for (const kind of order) {
      if (results[row.id][kind]?.error) continue;
      const server = await startServer(kind, row.mode);
      if (server.error) {
        results[row.id][kind] = { error: server.error };
        continue;
      }
      try {
        let result = row.scale ? await scaleRun(server) : row.idle ? await idleMemory(server) : await runLoad(server, row.spec);
        // Another process took a share of the CPU during the window: measure again (twice at most).
        for (let retry = 0; retry < MAX_RETRIES && result.foreignCpu > FOREIGN_CPU_LIMIT && retryMs < RETRY_BUDGET_MS; retry++) {
          process.stderr.write(`  (${kind}: ${(result.foreignCpu * 100).toFixed(0)}% of a core used by others; again)\n`);
          const retryStarted = Date.now();
          result = await runLoad(server, row.spec);
          retryMs += Date.now() - retryStarted;
        }
        const best = results[row.id][kind];
        if (best === undefined || better(row, value(result), value(best))) results[row.id][kind] = result;
        const cpu = result.serverCpu === undefined ? '' : ` (CPU: server ${(result.serverCpu * 100).toFixed(0)}%, load ${(result.loadCpu * 100).toFixed(0)}%, others ${((result.foreignCpu ?? 0) * 100).toFixed(0)}%)`;
        process.stderr.write(`  ${row.name} · ${kind}: ${value(result).toFixed(1)} ${row.unit}${cpu}\n`);
      } catch (err) {
        results[row.id][kind] = { error: String(err.message ?? err).split('\n')[0] };
        process.stderr.write(`  ${row.name} · ${kind}: ${results[row.id][kind].error}\n`);
      } finally {
        await server.stop();
      }
    }
  }
}

const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const table = [];
for (const row of rows) {
  const byServer = results[row.id];
  if (byServer === undefined) continue;
  const value = row.value ?? ((r) => r.rate);
  const cell = (kind) => {
    const r = byServer[kind];
    if (r === undefined) return { text: '—' };
    if (r.error) return { text: r.error.startsWith('n/a') ? 'n/a' : 'failed', note: r.error };
    // † the load generator used ≥ 90% of its core: the server may have had more to give.
    const bound = r.loadCpu >= 0.9 ? '†' : '';
    return { text: `${fmt(value(r))}${bound}`, v: value(r), perCpu: r.perServerCpuSecond };
  };
  const ours = cell('ours');
  const ws = cell('ws');
  const bun = cell('bun');
  const raw = cell('raw');
  const ratio = (a, b) => (a.v !== undefined && b.v !== undefined ? a.v / b.v : undefined);
  const vsWs = ratio(ours, ws);
  const vsCeiling = ratio(ours, raw);
  const vsWsPerCpu = ours.perCpu !== undefined && ws.perCpu !== undefined ? ours.perCpu / ws.perCpu : undefined;
  const met = [];
  if (row.target?.ws !== undefined && vsWs !== undefined) {
    const ok = row.higher ? vsWs >= row.target.ws : vsWs <= row.target.ws;
    met.push(`${row.higher ? '≥' : '≤'} ${row.target.ws}× ws: ${ok ? 'met' : 'missed'}`);
  }
  if (row.target?.ceiling !== undefined && vsCeiling !== undefined) {
    met.push(`≥ ${row.target.ceiling * 100}% ceiling: ${vsCeiling >= row.target.ceiling ? 'met' : 'missed'}`);
  }
  table.push({
    row: row.name,
    unit: `${row.unit} (${row.higher ? 'higher' : 'lower'} is better)`,
    ours: ours.text,
    ws: ws.text,
    bun: bun.text,
    ceiling: raw.text,
    vsWs: vsWs === undefined ? '—' : `${vsWs.toFixed(2)}×`,
    vsCeiling: vsCeiling === undefined ? '—' : `${vsCeiling.toFixed(2)}×`,
    vsWsPerCpu: vsWsPerCpu === undefined ? '—' : `${vsWsPerCpu.toFixed(2)}×`,
    target: met.join('; ') || '—',
    notes: [ours, ws, bun, raw].map((c) => c.note).filter(Boolean),
  });
}

const header = ['row', 'unit', 'ours', 'ws', 'Bun', 'node:net ceiling', 'ours/ws', 'ours/ceiling', 'ours/ws per server CPU-s', 'target'];
console.log('');
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map((h, i) => (i < 2 || i === header.length - 1 ? '---' : '---:')).join(' | ')} |`);
for (const t of table) console.log(`| ${[t.row, t.unit, t.ours, t.ws, t.bun, t.ceiling, t.vsWs, t.vsCeiling, t.vsWsPerCpu, t.target].join(' | ')} |`);
const notes = [...new Set(table.flatMap((t) => t.notes))];
if (table.some((t) => /†/.test(`${t.ours}${t.ws}${t.bun}${t.ceiling}`))) notes.push('† the load generator used ≥ 90% of its core: a lower bound for that server');
if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
if (results.scale !== undefined) {
  // The curve of the scale row: memory per connection at each stage (it must not grow with the count).
  console.log('\nScale row, RSS (heap) growth per connection at each stage, and time to open:');
  for (const [kind, r] of Object.entries(results.scale)) {
    if (r.error) {
      console.log(`- ${kind}: ${r.error}`);
      continue;
    }
    const stages = r.stages.map((st) => `${st.connections.toLocaleString('en')}: ${(st.rssPerConnection / 1024).toFixed(2)} KiB (${(st.heapPerConnection / 1024).toFixed(2)}), ${(st.openMs / 1000).toFixed(1)} s`);
    console.log(`- ${kind}: ${stages.join('; ')}; heartbeat ${r.heartbeatCpuMsPerInterval.toFixed(0)} CPU-ms per ${r.heartbeatMs / 1000} s interval for ${r.connections.toLocaleString('en')} (${r.pingsAnswered.toLocaleString('en')} pings answered in the window)`);
  }
}
const seconds = (Date.now() - started) / 1000;
console.log(`\n${table.length} rows in ${seconds.toFixed(0)} s`);

// HTTP/2 rows: the same scenarios with ours over RFC 8441 streams (100 per h2c session) against
// ours over HTTP/1.1 connections measured above in the same run.
const h2Table = [];
if (H2_ROWS && SERVERS.includes('ours')) {
  for (const id of ['echo64', 'echo4k', 'idle']) {
    const row = rows.find((r) => r.id === id);
    const http1 = results[id]?.ours;
    if (row === undefined || http1 === undefined || http1.error) continue;
    const value = row.value ?? ((r) => r.rate);
    let best;
    for (let round = 0; round < (row.rounds ?? ROUNDS); round++) {
      const server = await startServer('ours-h2', row.mode);
      if (server.error) {
        best = { error: server.error };
        break;
      }
      try {
        const result = row.idle ? await idleMemory(server) : await runLoad(server, row.spec);
        if (best === undefined || better(row, value(result), value(best))) best = result;
        process.stderr.write(`  ${row.name} · ours over HTTP/2: ${value(result).toFixed(1)} ${row.unit}\n`);
      } catch (err) {
        best = { error: String(err.message ?? err).split('\n')[0] };
      } finally {
        await server.stop();
      }
    }
    (results[`${id}-h2`] ??= {}).ours = best;
    const h2 = best?.error ? best.error : fmt(value(best));
    h2Table.push({ row: row.name, unit: row.unit, http1: fmt(value(http1)), h2, ratio: best?.error ? '—' : `${(value(best) / value(http1)).toFixed(2)}×` });
  }
  if (h2Table.length > 0) {
    console.log('\nHTTP/2 (RFC 8441): ours over extended CONNECT streams, 100 per h2c session, vs ours over HTTP/1.1 connections\n');
    console.log('| row | unit | ours HTTP/1.1 | ours HTTP/2 | HTTP/2 ÷ HTTP/1.1 |');
    console.log('| --- | --- | ---: | ---: | ---: |');
    for (const t of h2Table) console.log(`| ${t.row} | ${t.unit} | ${t.http1} | ${t.h2} | ${t.ratio} |`);
  }
}

if (FILTER === undefined) {
  const dir = join(benchRoot, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `e2e-${new Date().toISOString().slice(0, 10)}.json`);
  const settings = { durationMs: DURATION_MS, warmupMs: WARMUP_MS, rounds: ROUNDS, idleConnections: IDLE, scaleConnections: SCALE, scaleAsked: SCALE_ASKED, fdHardLimit: FD_HARD_LIMIT, heartbeatMs: HEARTBEAT_MS };
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, settings, seconds, table, h2Table, results }, null, 2)}\n`);
  console.log(`JSON: ${file}`);
}
