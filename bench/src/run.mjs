// Entry point of `pnpm bench`: run every row, then print one table with the ratio ours / ws.
// Needs the built packages (the root `pnpm bench` builds them first). End-to-end rows over real
// sockets are a separate entry: `pnpm bench:e2e` (src/e2e/run.mjs).
import { frameBenchmarks } from './frame.mjs';
import { deflateBenchmarks } from './deflate.mjs';
import { protocolBenchmarks } from './protocol.mjs';
import { printTable, settings } from './harness.mjs';

const started = Date.now();
console.log(
  `# @rfc6455 benchmarks — Node ${process.version}, ${process.arch}; best of ${settings.rounds} rounds of ${settings.timeMs} ms after ${settings.warmupMs} ms warm-up`,
);
if (typeof globalThis.gc !== 'function') console.log('(run with --expose-gc for steadier numbers)');
const rows = frameBenchmarks();
rows.push(...(await deflateBenchmarks()));
rows.push(...(await protocolBenchmarks()));
console.log('');
printTable(rows);
console.log(`\n${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
