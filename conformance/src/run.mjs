#!/usr/bin/env node
// `pnpm conformance`: run the cases against the selected targets, print a table per category and
// a summary, write conformance/reports/<target>.json, exit 1 when any case FAILED.
//   --target ours|ws|all      (env CONFORMANCE_TARGET; default all: ours, then ws as the control)
//   --cases 1.*,6.4.*         (env CONFORMANCE_CASES; default every case)
//   --verbose                 print every case, not only the non-OK ones
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCases } from './all-cases.mjs';
import { formatReport } from './report.mjs';
import { runTarget, selectCases } from './suite.mjs';
import { TARGETS } from './targets.mjs';
import { runFailed } from './verdict.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (eq) return eq.slice(name.length + 3);
  return fallback;
}

const targetName = option('target', process.env.CONFORMANCE_TARGET ?? 'all');
const targets = TARGETS[targetName];
if (!targets) {
  console.error(`--target must be one of ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}
const patterns = (option('cases', process.env.CONFORMANCE_CASES ?? '') || '').split(',').filter(Boolean);
const verbose = process.argv.includes('--verbose');
const cases = selectCases(allCases, patterns);
if (cases.length === 0) {
  console.error('no case matches --cases');
  process.exit(2);
}

const reportDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'reports');
mkdirSync(reportDir, { recursive: true });
const all = [];
const started = Date.now();
for (const target of targets) {
  const t0 = Date.now();
  const results = await runTarget(target, cases, {});
  all.push(...results);
  writeFileSync(join(reportDir, `${target.name}.json`), JSON.stringify({ target: target.name, date: new Date().toISOString(), results }, null, 1));
  console.error(`${target.name}: ${results.length} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
console.log(formatReport(all, targets.map((t) => t.name), { verbose }));
console.log(`\n${cases.length} cases × ${targets.length} targets in ${((Date.now() - started) / 1000).toFixed(1)} s; reports in ${reportDir}`);
process.exitCode = runFailed(all) ? 1 : 0;
