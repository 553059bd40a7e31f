// Module hooks for the tests' server processes: each .ts file is compiled on load with
// ts.transpileModule (per file, as the packages' build emits it), so a process runs exactly the
// code under test whether or not `pnpm build` ran. The output is kept by path, size and mtime in
// node_modules/.cache, so the next process starts without loading TypeScript.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/rfc6455-redis-processes/', import.meta.url));
let ts;

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { size, mtimeMs } = await stat(path);
  const stamp = `${size}:${mtimeMs}\n`;
  const cached = `${cacheDir}${createHash('sha1').update(path).digest('hex')}.js`;
  const hit = await readFile(cached, 'utf8').catch(() => '');
  if (hit.startsWith(stamp)) return { format: 'module', source: hit.slice(stamp.length), shortCircuit: true };
  ts ??= (await import('typescript')).default;
  const { outputText } = ts.transpileModule(await readFile(path, 'utf8'), {
    fileName: path,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, inlineSourceMap: true },
  });
  await mkdir(cacheDir, { recursive: true });
  // Written aside, then renamed: two processes starting together never read half a file.
  const aside = `${cached}.${process.pid}`;
  await writeFile(aside, stamp + outputText);
  await rename(aside, cached);
  return { format: 'module', source: outputText, shortCircuit: true };
}
