/**
 * The ws compatibility suite: every case of ws-compat/cases runs against ws (the control) and
 * against @rfc6455/websocket in the same run. A case must pass on ws; on ours it must pass, or be
 * listed with its reason in ws-compat/differences.ts and in a README's "Differences from ws".
 * Prints `ws API: N of M behave as ws`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import client from './ws-compat/cases/client.ts';
import imports from './ws-compat/cases/imports.ts';
import server from './ws-compat/cases/server.ts';
import stream from './ws-compat/cases/stream.ts';
import { DIFFERENCES } from './ws-compat/differences.ts';
import { implementations, runCase } from './ws-compat/harness.ts';
import type { Impl } from './ws-compat/harness.ts';

const all = [...imports, ...server, ...client, ...stream];
let ws: Impl;
let ours: Impl;
const outcome = new Map<string, 'same' | 'documented' | 'differs'>();

beforeAll(async () => {
  [ws, ours] = await implementations();
});

afterAll(() => {
  const same = [...outcome.values()].filter((o) => o === 'same').length;
  const documented = [...outcome.entries()].filter(([, o]) => o === 'documented').map(([id]) => id);
  console.log(`ws API: ${same} of ${all.length} behave as ws${documented.length > 0 ? `; documented differences: ${documented.join(', ')}` : ''}`);
});

describe('ws compatibility', () => {
  it('has unique case ids', () => {
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  });

  it('names every documented difference, with its case id, in the client or server README', () => {
    const readmes = ['../packages/client/README.md', '../packages/server/README.md']
      .map((path) => readFileSync(new URL(path, new URL('..', import.meta.url)), 'utf8'))
      .join('\n');
    for (const id of Object.keys(DIFFERENCES)) {
      expect(all.some((c) => c.id === id), `${id} is a case`).toBe(true);
      expect(readmes.includes(`\`${id}\``), `${id} is in a README's Differences from ws`).toBe(true);
    }
  });

  for (const testCase of all) {
    it(`${testCase.id} (${testCase.section})`, async () => {
      const control = await runCase(testCase, ws);
      expect(control?.message, `the case fails on ws itself: fix the case`).toBeUndefined();
      const error = await runCase(testCase, ours);
      const listed = DIFFERENCES[testCase.id];
      if (listed === undefined) {
        outcome.set(testCase.id, error === undefined ? 'same' : 'differs');
        expect(error?.message, 'behaves as ws').toBeUndefined();
      } else {
        outcome.set(testCase.id, 'documented');
        expect(error, `listed as a difference (${listed}) but behaves as ws: remove it from differences.ts and the README`).toBeDefined();
      }
    });
  }
});
