/**
 * The README's main job in real headless Chromium: the demo chat room (demo/src/chat.mjs, spawned
 * as a child process the way `pnpm start` runs it) served to two pages; a message typed in one
 * appears in the other, with join notices. The page loads the *built* @rfc6455/browser and
 * @rfc6455/codes, so the builds run first when a dist/ is missing.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
let browser: Browser;
let demo: ChildProcess;
let url: string;
let output = '';

beforeAll(async () => {
  const built = ['browser', 'codes', 'server', 'client', 'protocol', 'frame', 'handshake', 'deflate'].every((name) =>
    existsSync(`${root}packages/${name}/dist/index.js`),
  );
  if (!built) {
    execFileSync(`${root}node_modules/.bin/turbo`, ['run', 'build', '--filter=@rfc6455/demo^...', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
  }
  demo = spawn(process.execPath, ['src/chat.mjs'], { cwd: `${root}demo`, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  demo.stdout?.setEncoding('utf8');
  demo.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo printed no URL within 10 s: ${output}`)), 10_000);
    demo.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const match = /chat room: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    demo.on('exit', (code) => reject(new Error(`the demo exited (${code}): ${output}`)));
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (demo?.pid !== undefined && demo.exitCode === null) {
    const exited = new Promise((resolve) => demo.once('exit', resolve));
    process.kill(demo.pid, 'SIGINT');
    await exited;
  }
});

async function openAs(name: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // Runs in the page, where localStorage exists (integration's tsconfig has no DOM lib).
  await page.addInitScript((value) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('chat-name', value), name);
  await page.goto(url);
  await page.locator('#status[data-state="open"]').waitFor({ timeout: 10_000 });
  expect(errors).toEqual([]);
  return page;
}

describe('demo chat room', () => {
  it('prints its URL, and a message typed in one page appears in the other', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const ada = await openAs('ada');
    const bob = await openAs('bob');
    await ada.locator('#log li.notice', { hasText: 'bob joined (2 online)' }).waitFor({ timeout: 5_000 });

    await ada.fill('#message', 'hello from ada <b>not bold</b>');
    await ada.press('#message', 'Enter');

    const atBob = bob.locator('#log li.message').last();
    await atBob.waitFor({ timeout: 5_000 });
    expect(await atBob.locator('.name').textContent()).toBe('ada');
    expect(await atBob.locator('.text').textContent()).toBe('hello from ada <b>not bold</b>');
    expect(await bob.locator('#log b').count()).toBe(0);
    // The sender sees its own message too (the server broadcasts to everyone).
    await ada.locator('#log li.message .text', { hasText: 'hello from ada' }).waitFor({ timeout: 5_000 });

    await bob.close();
    await ada.locator('#log li.notice', { hasText: 'bob left (1 online)' }).waitFor({ timeout: 5_000 });
    await ada.close();
  });
});
