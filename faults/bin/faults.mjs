#!/usr/bin/env node
// pnpm faults: the fault-injection suite in its full form (FAULTS_FULL=1: more traffic through the
// lossy link), with a table of results printed and written to results/latest.md, which the root
// README's Security section links. `pnpm test` runs the same tests in their short form.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const json = join(root, '.faults-results.json');
rmSync(json, { force: true });
const run = spawnSync(process.execPath, [vitest, 'run', '--reporter=verbose', '--reporter=json', `--outputFile.json=${json}`], {
  cwd: root,
  env: { ...process.env, FAULTS_FULL: '1' },
  stdio: 'inherit',
});

let report;
try {
  report = JSON.parse(readFileSync(json, 'utf8'));
} catch {
  console.error('faults: vitest wrote no results');
  process.exit(run.status ?? 1);
}
rmSync(json, { force: true });
const rows = [];
for (const file of report.testResults) {
  for (const test of file.assertionResults) {
    const name = [...test.ancestorTitles, test.title].join(' › ');
    rows.push(`| ${file.name.split('/src/').pop()} | ${name.replaceAll('|', '\\|')} | ${test.status === 'passed' ? 'pass' : test.status} | ${((test.duration ?? 0) / 1000).toFixed(1)} s |`);
  }
}
const date = new Date().toISOString().slice(0, 10);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const markdown = [
  '# Fault suite: latest results',
  '',
  `\`pnpm faults\` on ${date}: ${report.numPassedTests} of ${report.numTotalTests} passed. ${cpu} × ${cpus().length}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.getuid?.() === 0 ? 'as root' : 'not as root'}, ` +
    `load average ${loadavg()[0].toFixed(1)} at the end (a shared machine: time bounds are checked against measured timer lateness).`,
  'What each fault is and what it asserts: [../README.md](../README.md).',
  '',
  '| file | test | result | time |',
  '| --- | --- | --- | ---: |',
  ...rows,
  '',
].join('\n');
mkdirSync(join(root, 'results'), { recursive: true });
writeFileSync(join(root, 'results', 'latest.md'), markdown);
console.log(`\n${markdown}\nwritten to faults/results/latest.md`);
process.exit(run.status ?? 1);
