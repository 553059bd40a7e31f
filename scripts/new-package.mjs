#!/usr/bin/env node
// Scaffolds packages/<name> in the house layout (docs/architecture.md, "How a package is laid
// out"): package.json with a `source` export condition for the workspace and a publishConfig
// without it, tsconfigs, vitest config, src/index.ts, and README and CHANGELOG stubs; the README
// has the house headings (Features · Install · Usage · Options/Limits · Errors · Related packages).
// The new package's arrow goes into docs/architecture.md by hand: the layering check fails until it
// is there. Usage: node scripts/new-package.mjs <name> "<description>" [dependency ...]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [name, description, ...deps] = process.argv.slice(2);
if (!name || !description) {
  console.error('usage: node scripts/new-package.mjs <name> "<description>" [dependency ...]');
  process.exit(2);
}
if (!/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error(`package name must be lower-case kebab-case (it becomes @rfc6455/<name>), got ${name}`);
  process.exit(2);
}
const dir = join('packages', name);
if (existsSync(join(dir, 'package.json'))) {
  console.error(`${dir}/package.json exists already`);
  process.exit(1);
}
mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
const exportsFor = (withSource) => ({
  '.': {
    ...(withSource ? { source: './src/index.ts' } : {}),
    types: './dist/index.d.ts',
    default: './dist/index.js',
  },
  './package.json': './package.json',
});
const pkg = {
  name: `@rfc6455/${name}`,
  version: '0.0.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20.19' },
  keywords: ['websocket', 'rfc6455'],
  exports: exportsFor(true),
  publishConfig: { access: 'public', exports: exportsFor(false) },
  files: ['dist', 'README.md', 'CHANGELOG.md'],
  scripts: {
    build: 'tsc -p tsconfig.build.json',
    'check-types': 'tsc -p tsconfig.json --noEmit',
    test: 'vitest run',
  },
  dependencies: Object.fromEntries(deps.map((d) => [`@rfc6455/${d}`, 'workspace:^'])),
};
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test'] }, null, 2) + '\n');
writeFileSync(
  join(dir, 'tsconfig.build.json'),
  JSON.stringify(
    {
      extends: './tsconfig.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist', customConditions: [], declarationMap: false, sourceMap: false },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(join(dir, 'vitest.config.ts'), "export { default } from '../../vitest.shared.ts';\n");
writeFileSync(join(dir, 'CHANGELOG.md'), `# @rfc6455/${name}\n`);
const related = deps.map((d) => `- [\`@rfc6455/${d}\`](../${d}): TODO: what this package uses it for.`).join('\n');
writeFileSync(
  join(dir, 'README.md'),
  `# @rfc6455/${name}

${description}

## Features

- TODO: what it does, with the RFC sections it implements.

## Install

\`\`\`sh
npm i @rfc6455/${name}
\`\`\`

## Usage

\`\`\`ts
import {} from '@rfc6455/${name}';
\`\`\`

## Options/Limits

TODO: every option with its unit and default; every limit with the error it raises. Unknown option
keys throw a TypeError (\`checkOptionKeys\` from @rfc6455/codes).

## Errors

TODO: the error class of this package and its codes (from \`ErrorCode\` in @rfc6455/codes), with
their close codes.

## Related packages

${related || '- TODO: the packages it builds on or that build on it.'}

Where this package sits in the layering: [docs/architecture.md](../../docs/architecture.md).
`,
);
writeFileSync(join(dir, 'src', 'index.ts'), '');
console.log(`created ${dir}; now add its arrow to docs/architecture.md ("Allowed imports")`);
