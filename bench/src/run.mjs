// Entry point of `pnpm bench`: run every row, then print one table with the ratio ours / ws.
// Needs the built packages (`pnpm --filter @rfc6455/codes --filter @rfc6455/frame build`, or the
// root `pnpm bench`, which builds dependencies first).
import { frameBenchmarks } from './frame.mjs';
import { deflateBenchmarks } from './deflate.mjs';
import { protocolBenchmarks } from './protocol.mjs';
import { e2eBenchmarks } from './e2e.mjs';
import { e2eDeflateBenchmarks } from './e2e-deflate.mjs';
import { printTable, settings } from './harness.mjs';

const started = Date.now();
console.log(
  `# @rfc6455 benchmarks — Node ${process.version}, ${process.arch}; best of ${settings.rounds} rounds of ${settings.timeMs} ms after ${settings.warmupMs} ms warm-up`,
);
if (typeof globalThis.gc !== 'function') console.log('(run with --expose-gc for steadier numbers)');
const rows = frameBenchmarks();
rows.push(...(await deflateBenchmarks()));
rows.push(...(await protocolBenchmarks()));
rows.push(...(await e2eBenchmarks()));
rows.push(...(await e2eDeflateBenchmarks()));
console.log('');
printTable(rows);
console.log(`\n${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
