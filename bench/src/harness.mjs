// A small benchmark harness: warm up, then run a function in batches for a fixed time, several
// rounds alternating the two contenders so neither always runs on a warmer (or more fragmented)
// heap; report the best round of each as ops/s and MB/s, and the ratio ours / ws.

const now = () => Number(process.hrtime.bigint()) / 1e6; // milliseconds

const settings = {
  // Defaults keep the frame rows near one minute, leaving room for the other files' rows.
  warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 100),
  timeMs: Number(process.env.BENCH_TIME_MS ?? 250),
  rounds: Number(process.env.BENCH_ROUNDS ?? 2),
  // Only rows whose "group name vs" text matches this regular expression (e.g. BENCH_FILTER=parse).
  filter: process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER, 'i') : undefined,
};

/** Run `fn` (one op per call) for about `ms` milliseconds; return ops per second. */
function runFor(fn, ms) {
  // Batches keep the clock out of the loop for fast ops.
  let batch = 1;
  let ops = 0;
  const start = now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsed = now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return (ops / elapsed) * 1000;
}

/** Measure one contender: warm-up, then the best of `rounds` timed runs (ops/s). */
function measure(fn) {
  runFor(fn, settings.warmupMs);
  globalThis.gc?.();
  return runFor(fn, settings.timeMs);
}

/**
 * Compare `ours` with `theirs`, each a function doing one op on `bytesPerOp` bytes.
 * Returns a table row, or undefined when BENCH_FILTER excludes it.
 */
export function compare(group, name, bytesPerOp, ours, theirs, theirsName = 'ws') {
  if (settings.filter !== undefined && !settings.filter.test(`${group} ${name} vs ${theirsName}`)) return undefined;
  let bestOurs = 0;
  let bestTheirs = 0;
  for (let round = 0; round < settings.rounds; round++) {
    // Alternate who goes first.
    if (round % 2 === 0) {
      bestOurs = Math.max(bestOurs, measure(ours));
      bestTheirs = Math.max(bestTheirs, measure(theirs));
    } else {
      bestTheirs = Math.max(bestTheirs, measure(theirs));
      bestOurs = Math.max(bestOurs, measure(ours));
    }
  }
  const row = {
    group,
    name,
    against: theirsName,
    oursOps: bestOurs,
    oursMBs: (bestOurs * bytesPerOp) / 1e6,
    theirsOps: bestTheirs,
    theirsMBs: (bestTheirs * bytesPerOp) / 1e6,
    ratio: bestOurs / bestTheirs,
  };
  process.stderr.write(`  ${group} ${name} vs ${theirsName}: ${row.ratio.toFixed(2)}x\n`);
  return row;
}

const fmtOps = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));
const fmtMB = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** Print rows as a Markdown table (so it pastes into the README as is). */
export function printTable(rows) {
  const header = ['group', 'row', 'vs', 'ours ops/s', 'ours MB/s', 'ws ops/s', 'ws MB/s', 'ours/ws'];
  const lines = rows.map((r) => [
    r.group,
    r.name,
    r.against,
    fmtOps(r.oursOps),
    fmtMB(r.oursMBs),
    fmtOps(r.theirsOps),
    fmtMB(r.theirsMBs),
    `${r.ratio.toFixed(2)}x${r.ratio < 0.95 ? ' (slower)' : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}

/** The settings in effect, for the report header. */
export { settings };
