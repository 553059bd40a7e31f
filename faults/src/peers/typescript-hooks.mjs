// Node module hooks for the peer processes: load the workspace's TypeScript sources directly,
// compiled per file with ts.transpileModule (the same per-file emit as the packages' tsc build), so
// a peer runs exactly the code under test and never depends on whether `pnpm build` ran. Peers are
// started with `--conditions=source`, which makes `@rfc6455/*` resolve to their src/index.ts.
// Compiled files are cached by path, size and mtime (node_modules/.cache), so a peer starts without
// loading TypeScript at all once the sources have not changed.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/rfc6455-faults-peers/', import.meta.url));
let typescript;

async function compile(path, source) {
  typescript ??= (await import('typescript')).default;
  const ts = typescript;
  return ts.transpileModule(source, {
    fileName: path,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, inlineSourceMap: true },
  }).outputText;
}

/** Compile `.ts` files on load (from the cache when unchanged); everything else goes to the next hook. */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { size, mtimeMs } = await stat(path);
  const key = `${size}:${mtimeMs}\n`;
  const cached = `${cacheDir}${createHash('sha1').update(path).digest('hex')}.js`;
  const hit = await readFile(cached, 'utf8').catch(() => '');
  if (hit.startsWith(key)) return { format: 'module', source: hit.slice(key.length), shortCircuit: true };
  const output = await compile(path, await readFile(path, 'utf8'));
  await mkdir(cacheDir, { recursive: true });
  // Write then rename: a peer starting at the same time never reads half a file.
  const temporary = `${cached}.${process.pid}`;
  await writeFile(temporary, key + output);
  await rename(temporary, cached);
  return { format: 'module', source: output, shortCircuit: true };
}
