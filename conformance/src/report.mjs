// Text tables: per category, the count of each verdict per target, then the non-OK cases (all
// cases with `verbose`), then a summary line per target.
import { CATEGORY_TITLES } from './cases.mjs';
import { FAILED, INFORMATIONAL, NON_STRICT, OK, UNIMPLEMENTED } from './verdict.mjs';

const VERDICTS = [OK, NON_STRICT, INFORMATIONAL, UNIMPLEMENTED, FAILED];
const pad = (s, n) => String(s).padEnd(n);

/** Sort key for dotted case ids: 6.10.2 after 6.9.1. */
export function compareIds(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

const count = (rows) => {
  const c = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
  for (const r of rows) c[r.verdict] = (c[r.verdict] ?? 0) + 1;
  return c;
};
const countText = (c) => VERDICTS.filter((v) => c[v] > 0).map((v) => `${c[v]} ${v}`).join(', ') || '—';

/** Format results (of any number of targets) as the printed report. */
export function formatReport(results, targetNames, { verbose = false } = {}) {
  const lines = [];
  const categories = [...new Set(results.map((r) => Number(r.id.split('.')[0])))].sort((a, b) => a - b);
  const width = 26;
  for (const cat of categories) {
    const rows = results.filter((r) => Number(r.id.split('.')[0]) === cat);
    lines.push('', `== ${cat} ${CATEGORY_TITLES[cat] ?? ''} ==`);
    lines.push(pad('', 10) + targetNames.map((t) => pad(t, width)).join(''));
    lines.push(pad('total', 10) + targetNames.map((t) => pad(countText(count(rows.filter((r) => r.target === t))), width)).join(''));
    const ids = [...new Set(rows.map((r) => r.id))].sort(compareIds);
    for (const id of ids) {
      const byTarget = targetNames.map((t) => rows.find((r) => r.id === id && r.target === t));
      if (!verbose && byTarget.every((r) => !r || r.verdict === OK || r.verdict === UNIMPLEMENTED)) continue;
      lines.push(
        pad(id, 10) +
          byTarget
            .map((r) => {
              if (!r) return pad('', width);
              const code = r.remoteCloseCode != null ? ` ${r.remoteCloseCode}` : '';
              return pad(r.verdict === OK ? `OK${code}` : `${r.verdict}${code}`, width);
            })
            .join(''),
      );
    }
  }
  lines.push('', '== Summary ==');
  for (const t of targetNames) {
    const rows = results.filter((r) => r.target === t);
    lines.push(`${pad(t, 14)} ${rows.length} cases: ${countText(count(rows))}`);
  }
  const failed = results.filter((r) => r.verdict === FAILED).sort((a, b) => compareIds(a.id, b.id));
  if (failed.length > 0) {
    lines.push('', 'FAILED cases:');
    for (const r of failed) {
      const why = (r.behavior === FAILED ? r.result : r.resultClose).replace(/\.$/, '');
      const seen = r.received ? `; received ${r.received.map((e) => e[0]).join(', ') || 'nothing'}` : '';
      const code = r.remoteCloseCode != null ? `; peer closed with ${r.remoteCloseCode}` : '';
      lines.push(`  ${pad(r.target, 12)} ${pad(r.id, 9)} ${r.behavior}/${r.behaviorClose}: ${why}${seen}${code}`);
    }
  }
  return lines.join('\n');
}
