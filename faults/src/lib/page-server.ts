/**
 * An HTTP server for the browser fault test: a blank page with an import map, and the ES modules of
 * @rfc6455/browser and @rfc6455/codes compiled per file from their TypeScript sources with
 * `ts.transpileModule` (the same per-file emit as their tsc build), so the page runs the code under
 * test whether or not `pnpm build` ran. The page exposes the browser package as `window.rfc`.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const sources: Record<string, string> = {
  browser: fileURLToPath(new URL('../../../packages/browser/src/', import.meta.url)),
  codes: fileURLToPath(new URL('../../../packages/codes/src/', import.meta.url)),
};

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>@rfc6455/faults</title>
<script type="importmap">{ "imports": { "@rfc6455/codes": "/modules/codes/index.js" } }</script>
<script type="module">
  import * as rfc from '/modules/browser/index.js';
  window.rfc = rfc;
  window.rfcReady = true;
</script>`;

/** A running page server: its URL and how to stop it. */
export interface PageServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serve the page on 127.0.0.1 (any port). */
export async function startPageServer(): Promise<PageServer> {
  const cache = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    const match = /^\/modules\/(browser|codes)\/([\w/-]+)\.js$/.exec(pathname);
    const base = match?.[1] === undefined ? undefined : sources[match[1]];
    if (match === null || base === undefined || match[2]!.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    const cached = cache.get(pathname);
    const compiled =
      cached !== undefined
        ? Promise.resolve(cached)
        : readFile(`${base}${match[2]}.ts`, 'utf8').then((source) => {
            const js = ts.transpileModule(source, {
              compilerOptions: {
                module: ts.ModuleKind.ESNext,
                target: ts.ScriptTarget.ES2022,
                verbatimModuleSyntax: true,
                rewriteRelativeImportExtensions: true,
              },
            }).outputText;
            cache.set(pathname, js);
            return js;
          });
    compiled.then(
      (js) => res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js),
      () => res.writeHead(404).end(),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
