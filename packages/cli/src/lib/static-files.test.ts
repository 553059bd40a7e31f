import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentType, resolveStaticPath } from './static-files.ts';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'rfc6455-files-')));
const root = join(base, 'public');
mkdirSync(join(root, 'dir'), { recursive: true });
writeFileSync(join(root, 'index.html'), 'index');
writeFileSync(join(root, 'dir', 'index.html'), 'dir index');
writeFileSync(join(root, 'a b.txt'), 'spaced');
writeFileSync(join(base, 'secret.txt'), 'secret');
symlinkSync(join(base, 'secret.txt'), join(root, 'link.txt'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveStaticPath', () => {
  it('maps paths under the root, directories to index.html, ignoring the query', async () => {
    expect(await resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(await resolveStaticPath(root, '/dir/?x=1')).toBe(join(root, 'dir', 'index.html'));
    expect(await resolveStaticPath(root, '/a%20b.txt#top')).toBe(join(root, 'a b.txt'));
  });

  it('never leaves the root: .., encoded .., backslashes, NUL, symlinks out, bad escapes', async () => {
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/dir/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/%00', '/link.txt', '/%E0%A4%A', 'secret.txt', '/missing']) {
      expect([url, await resolveStaticPath(root, url)]).toEqual([url, undefined]);
    }
  });
});

describe('contentType', () => {
  it('by extension, octet-stream otherwise', () => {
    expect(contentType('/x/app.MJS')).toBe('text/javascript; charset=utf-8');
    expect(contentType('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentType('/x/blob')).toBe('application/octet-stream');
  });
});
