// Tests of the layering check (node --test, run by `pnpm test`): it must pass on this repository
// and fail, naming the file and the import, on fixtures that break the arrows.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkLayering, parseArrows, specifiersOf } from './check-layering.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arrows = parseArrows(readFileSync(join(root, 'docs', 'architecture.md'), 'utf8'));

/** A scratch repository: `files` maps a path to its contents (objects become JSON). */
function fixture(files) {
  const dir = mkdtempSync(join(tmpdir(), 'layering-'));
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof contents === 'string' ? contents : JSON.stringify(contents));
  }
  return dir;
}
const scratch = [];
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
function check(files) {
  const dir = fixture(files);
  scratch.push(dir);
  return checkLayering(dir, arrows);
}

describe('parseArrows', () => {
  it('reads the arrows of docs/architecture.md, codes with none and websocket above all but cli and redis', () => {
    assert.deepEqual([...arrows.get('codes')], []);
    assert.deepEqual([...arrows.get('protocol')].sort(), ['codes', 'frame']);
    assert.deepEqual([...arrows.get('cli')].sort(), ['client', 'codes', 'server']);
    assert.deepEqual([...arrows.get('redis')].sort(), ['codes', 'server']);
    assert.equal(arrows.get('websocket').has('cli'), false);
    assert.equal(arrows.get('websocket').size, 8);
  });

  it('refuses a page without the arrows', () => {
    assert.throws(() => parseArrows('# nothing here'), /Allowed imports/);
  });
});

describe('specifiersOf', () => {
  it('finds static, type-only, side-effect, dynamic and require imports and re-exports', () => {
    const code = [
      "import { a } from '@rfc6455/codes';",
      "import type { B } from '@rfc6455/frame';",
      "export { c } from './c.ts';",
      "import '@rfc6455/deflate/node';",
      "const d = await import('@rfc6455/server');",
      "const e = require(\"@rfc6455/client\");",
    ].join('\n');
    assert.deepEqual(specifiersOf(code), ['@rfc6455/codes', '@rfc6455/frame', './c.ts', '@rfc6455/deflate/node', '@rfc6455/server', '@rfc6455/client']);
  });
});

describe('checkLayering', () => {
  it('passes on this repository', () => {
    assert.deepEqual(checkLayering(root, arrows), []);
  });

  it('fails on an import of a package above, naming the file and the allowed packages', () => {
    const problems = check({
      'packages/frame/package.json': { name: '@rfc6455/frame', dependencies: { '@rfc6455/codes': 'workspace:^' } },
      'packages/frame/src/lib/ok.ts': "import { Opcode } from '@rfc6455/codes';\n",
      'packages/frame/src/lib/bad.ts': "import type { Protocol } from '@rfc6455/protocol';\n",
    });
    assert.deepEqual(problems, [
      'packages/frame/src/lib/bad.ts: imports @rfc6455/protocol, but frame may import only codes (docs/architecture.md)',
    ]);
  });

  it('fails on a dependency the arrows do not allow, and on a subpath import of one', () => {
    const problems = check({
      'packages/browser/package.json': { name: '@rfc6455/browser', dependencies: { '@rfc6455/client': 'workspace:^' } },
      'packages/browser/src/lib/x.ts': "export { deflateMessage } from '@rfc6455/deflate/node';\n",
    });
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^packages\/browser\/package.json: dependencies has @rfc6455\/client/);
    assert.match(problems[1], /^packages\/browser\/src\/lib\/x.ts: imports @rfc6455\/deflate\/node/);
  });

  it('fails on a relative import that leaves the package, and on a package missing from the arrows', () => {
    const problems = check({
      'packages/client/package.json': { name: '@rfc6455/client' },
      'packages/client/src/lib/x.ts': "import { WebSocketServer } from '../../../server/src/index.ts';\n",
      'packages/extra/package.json': { name: '@rfc6455/extra' },
    });
    assert.deepEqual(problems, [
      'packages/client/src/lib/x.ts: imports ../../../server/src/index.ts, outside packages/client: import the package by its name instead',
      'packages/extra: not in the layering of docs/architecture.md — add its arrow there',
    ]);
  });

  it('lets tests use a private workspace package listed in devDependencies, and only tests', () => {
    const problems = check({
      'packages/server/package.json': { name: '@rfc6455/server', devDependencies: { '@rfc6455/testing': 'workspace:*' } },
      'packages/server/src/lib/a.test.ts': "import { rawPeer } from '@rfc6455/testing';\n",
      'packages/server/test/helper.ts': "import { rawPeer } from '@rfc6455/testing';\n",
      'packages/server/src/lib/a.ts': "import { rawPeer } from '@rfc6455/testing';\n",
    });
    assert.deepEqual(problems, [
      'packages/server/src/lib/a.ts: imports @rfc6455/testing, but server may import only client, protocol, handshake, deflate, frame, codes (docs/architecture.md)',
    ]);
  });
});
