// The whole suite against our server and our client, as CI runs it. Needs the packages built
// (`pnpm --filter "@rfc6455/*" build`): the runner imports them the way an application does.
import { describe, expect, it } from 'vitest';
import { allCases } from './all-cases.mjs';
import { runTarget } from './suite.mjs';
import { TARGETS } from './targets.mjs';
import { FAILED } from './verdict.mjs';

/**
 * Cases our implementation is known to fail, with the reason; each is in the lead's report. The
 * test fails when a case fails that is not listed here AND when a listed case starts passing, so
 * the list stays true.
 */
export const KNOWN_FAILURES = {
  'ours-server': {},
  'ours-client': {},
  'ours-server-h2': {},
  'ours-client-h2': {},
};

describe('conformance against ours', () => {
  for (const target of TARGETS.ours) {
    it(`${target.name}: no FAILED case beyond the known list`, async () => {
      const results = await runTarget(target, allCases);
      expect(results).toHaveLength(allCases.length);
      const failed = results.filter((r) => r.verdict === FAILED).map((r) => r.id);
      expect(failed).toEqual(Object.keys(KNOWN_FAILURES[target.name]));
    });
  }
});
