#!/usr/bin/env node
// Scaffolds packages/<name> with the house layout (STYLE.md): package.json with a `source`
// export condition for the workspace and a publishConfig without it, tsconfigs, vitest config,
// README and CHANGELOG stubs. Usage: node scripts/new-package.mjs <name> "<description>" [dep ...]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [name, description, ...deps] = process.argv.slice(2);
if (!name || !description) {
  console.error('usage: node scripts/new-package.mjs <name> "<description>" [dependency ...]');
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
writeFileSync(join(dir, 'src', 'index.ts'), '');
console.log(`created ${dir}`);
