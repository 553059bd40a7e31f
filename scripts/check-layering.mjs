#!/usr/bin/env node
// The layering check (docs/architecture.md, "Packages and the one-way layering"): a published
// package may import only the @rfc6455 packages below it. The allowed arrows are read from the
// code block of that page, so the page and the check cannot disagree. Checked for each
// packages/<name>: the @rfc6455 entries of dependencies and peerDependencies, and every
// @rfc6455 specifier imported or re-exported by its src/ and test/ files; a relative import that
// leaves the package is refused too. Test files and test/ may also use private workspace packages
// (listed in devDependencies). Run by `pnpm test`; exits 1 with one line per problem.
// Usage: node scripts/check-layering.mjs [repository root]
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCOPE = '@rfc6455/';

/**
 * The arrows of docs/architecture.md: the lines `name → a, b, c` of the code block that follows
 * the sentence "Allowed imports" (`name → nothing` for a package without dependencies). Returns a Map from a package's short name to the short names it
 * may import.
 */
export function parseArrows(markdown) {
  const start = markdown.indexOf('Allowed imports');
  if (start < 0) throw new Error('docs/architecture.md has no "Allowed imports" paragraph');
  const open = markdown.indexOf('```', start);
  const close = markdown.indexOf('```', open + 3);
  if (open < 0 || close < 0) throw new Error('the "Allowed imports" paragraph has no code block');
  const arrows = new Map();
  for (const line of markdown.slice(open + 3, close).split('\n')) {
    const match = /^\s*([a-z0-9-]+)\s*→\s*(.+?)\s*$/.exec(line);
    if (match === null) continue;
    const targets = match[2] === 'nothing' ? [] : match[2].split(',').map((name) => name.trim()).filter(Boolean);
    arrows.set(match[1], new Set(targets));
  }
  if (arrows.size === 0) throw new Error('the "Allowed imports" code block has no `name → …` lines');
  return arrows;
}

/** Every .ts/.mts/.js/.mjs file under `dir`, skipping node_modules and dist. */
function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const files = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(m?ts|m?js)$/.test(entry)) files.push(path);
  }
  return files;
}

/** The module specifiers of `from '…'`, `import '…'`, `import('…')` and `require('…')` in `code`. */
export function specifiersOf(code) {
  const specifiers = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;
  for (const match of code.matchAll(pattern)) specifiers.push(match[2]);
  return specifiers;
}

/** The package a specifier names within the scope (`@rfc6455/deflate/node` → `deflate`), else undefined. */
function scopedName(specifier) {
  if (!specifier.startsWith(SCOPE)) return undefined;
  return specifier.slice(SCOPE.length).split('/')[0];
}

/**
 * The layering problems of the repository at `root` under `arrows` (from {@link parseArrows}):
 * one human-readable line each, empty when the layering holds.
 */
export function checkLayering(root, arrows) {
  const problems = [];
  const packagesDir = join(root, 'packages');
  for (const name of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, name);
    const manifestPath = join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const allowed = arrows.get(name);
    if (allowed === undefined) {
      problems.push(`packages/${name}: not in the layering of docs/architecture.md — add its arrow there`);
      continue;
    }
    const privateDevDependencies = new Set(
      Object.keys(manifest.devDependencies ?? {})
        .filter((dep) => dep.startsWith(SCOPE))
        .map((dep) => dep.slice(SCOPE.length))
        .filter((dep) => !arrows.has(dep)),
    );
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const dep of Object.keys(manifest[field] ?? {})) {
        const target = scopedName(dep);
        if (target !== undefined && target !== name && !allowed.has(target)) {
          problems.push(`packages/${name}/package.json: ${field} has ${dep}, but ${name} may import only ${[...allowed].join(', ') || 'nothing'}`);
        }
      }
    }
    for (const file of [...sourceFiles(join(dir, 'src')), ...sourceFiles(join(dir, 'test'))]) {
      const shown = relative(root, file).split(sep).join('/');
      const isTest = /\.test\.[mc]?[jt]s$/.test(file) || shown.startsWith(`packages/${name}/test/`);
      for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
        const target = scopedName(specifier);
        if (target !== undefined) {
          if (target === name || allowed.has(target)) continue;
          if (isTest && privateDevDependencies.has(target)) continue;
          problems.push(`${shown}: imports ${specifier}, but ${name} may import only ${[...allowed].join(', ') || 'nothing'} (docs/architecture.md)`);
        } else if (specifier.startsWith('.')) {
          const resolved = resolve(dirname(file), specifier);
          if (!resolved.startsWith(dir + sep)) {
            problems.push(`${shown}: imports ${specifier}, outside packages/${name}: import the package by its name instead`);
          }
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const arrows = parseArrows(readFileSync(join(root, 'docs', 'architecture.md'), 'utf8'));
  const problems = checkLayering(root, arrows);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`layering: ${problems.length} problem(s); the allowed arrows are in docs/architecture.md`);
    process.exit(1);
  }
  console.log("layering: every package under packages/ imports only what docs/architecture.md allows");
}
