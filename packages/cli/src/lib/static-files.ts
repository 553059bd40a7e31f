/**
 * The `serve --static <dir>` file handler: GET/HEAD of files under one directory, never outside
 * it (no `..`, no encoded `..`, no symbolic link leading out), with a Content-Type by extension.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

/** The Content-Type for a file name, `application/octet-stream` when the extension is unknown. */
export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a request path names under `root` (an absolute, real path), or `undefined` when the
 * path is malformed or leaves `root`. A directory stands for its index.html.
 */
export async function resolveStaticPath(root: string, requestUrl: string): Promise<string | undefined> {
  let pathname: string;
  try {
    // Only the path counts; the query and fragment never name a file.
    pathname = decodeURIComponent((requestUrl.split(/[?#]/, 1)[0] as string) || '/');
  } catch {
    return undefined;
  }
  if (!pathname.startsWith('/') || pathname.includes('\0') || pathname.split(/[/\\]/).includes('..')) return undefined;
  let file = join(root, pathname);
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    // A symbolic link inside the directory may point outside it: compare real paths.
    file = await realpath(file);
  } catch {
    return undefined;
  }
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

/**
 * Answer a plain HTTP request from the files under `root`: 200 with the file, 404 when there is
 * none (or the path leaves `root`), 403 for a path with `..` segments, 405 for other methods.
 */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
    return;
  }
  const url = req.url ?? '/';
  let raw: string;
  try {
    raw = decodeURIComponent(url.split(/[?#]/, 1)[0] ?? '/');
  } catch {
    raw = '';
  }
  if (raw.split(/[/\\]/).includes('..')) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('Forbidden\n');
    return;
  }
  const file = await resolveStaticPath(root, url);
  const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
  if (file === undefined || info === undefined || !info.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
    return;
  }
  res.writeHead(200, { 'content-type': contentType(file), 'content-length': info.size, 'x-content-type-options': 'nosniff' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
