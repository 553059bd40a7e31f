/**
 * The reconnecting browser client (@rfc6455/browser) in headless Chromium, against our server in a
 * peer process that is killed (SIGKILL: no close frame, the page sees 1006) and restarted on the
 * same port. The page reconnects with its backoff (retry n waits floor(random × min(maxDelayMs,
 * minDelayMs × factor^(n−1))); `random` is fixed at 0.5 here so the delays are exact), and the
 * messages sent while the server was down are queued and sent once, in order, on the new
 * connection. Messages sent on the old connection are not re-sent (at most once across reconnects).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startPageServer } from './lib/page-server.ts';
import type { PageServer } from './lib/page-server.ts';
import { endAllPeers, startServerPeer } from './lib/peer-process.ts';
import type { PeerProcess } from './lib/peer-process.ts';

const RECONNECT = { minDelayMs: 200, maxDelayMs: 1600, factor: 2 };

let browser: Browser;
let pages: PageServer;

beforeAll(async () => {
  pages = await startPageServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await pages?.close();
});
afterEach(() => endAllPeers());

/** What the page recorded. */
interface PageLog {
  events: Array<[string, number, number?]>;
  sendErrors: string[];
}

async function openPage(wsUrl: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(pages.url);
  await page.waitForFunction(() => (globalThis as unknown as { rfcReady?: boolean }).rfcReady === true);
  expect(errors).toEqual([]);
  await page.evaluate(
    ([url, reconnect]) => {
      const g = globalThis as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the page's globals
      const log = { events: [] as unknown[], sendErrors: [] as string[] };
      const socket = new g['rfc'].WebSocket(url, [], { reconnect, random: () => 0.5 });
      socket.addEventListener('open', () => log.events.push(['open', Date.now()]));
      socket.addEventListener('close', (e: { code: number }) => log.events.push(['close', Date.now(), e.code]));
      socket.addEventListener('reconnect', (e: { attempt: number; delayMs: number }) => log.events.push(['reconnect', Date.now(), e.attempt, e.delayMs]));
      socket.addEventListener('reconnected', (e: { attempt: number }) => log.events.push(['reconnected', Date.now(), e.attempt]));
      g['faults'] = { socket, log, sendNumbered: (from: number, to: number) => {
        for (let seq = from; seq <= to; seq++) {
          try {
            socket.send(`${seq}:from the page`);
          } catch (err) {
            log.sendErrors.push(String((err as { code?: string }).code));
          }
        }
      } };
    },
    [wsUrl, RECONNECT] as const,
  );
  return page;
}

const pageLog = (page: Page): Promise<PageLog> =>
  page.evaluate(() => (globalThis as unknown as { faults: { log: PageLog } }).faults.log);

async function untilPage(page: Page, check: (log: PageLog) => boolean, what: string, timeoutMs = 20_000): Promise<PageLog> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await pageLog(page);
    if (check(log)) return log;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; page log ${JSON.stringify(log)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the reconnecting browser client against a server that is killed and restarted', () => {
  it('reconnects with its backoff and sends the messages queued meanwhile once, in order', async () => {
    const first = await startServerPeer({ host: '127.0.0.1', port: 0 });
    const port = first.port;
    const page = await openPage(`ws://127.0.0.1:${port}/`);
    await first.peer.next('connection');
    await page.evaluate(() => (globalThis as unknown as { faults: { sendNumbered(a: number, b: number): void } }).faults.sendNumbered(1, 5));
    const before = await untilStats(first.peer, 5);
    expect(before).toMatchObject({ received: 5, lastSeq: 5, outOfOrder: 0, duplicates: 0 });

    first.peer.signal('SIGKILL');
    await first.peer.exited;
    // Closed without a close frame; while it retries (the port refuses), the page queues ten messages.
    await untilPage(page, (log) => log.events.some(([name]) => name === 'close'), 'the close');
    await page.evaluate(() => (globalThis as unknown as { faults: { sendNumbered(a: number, b: number): void } }).faults.sendNumbered(6, 15));
    await untilPage(page, (log) => log.events.filter(([name]) => name === 'reconnect').length >= 4, 'four reconnect attempts');

    const second = await startServerPeer({ host: '127.0.0.1', port });
    await second.peer.next('connection', 20_000);
    const after = await untilStats(second.peer, 10);
    const log = await untilPage(page, (l) => l.events.some(([name]) => name === 'reconnected'), 'reconnected');

    // Exactly the queued messages, once, in order; nothing from the old connection again.
    expect(after).toMatchObject({ received: 10, lastSeq: 15, outOfOrder: 0, duplicates: 0 });
    expect(log.sendErrors).toEqual([]);
    const close = log.events.find(([name]) => name === 'close')!;
    expect(close[2]).toBe(1006);
    // The backoff: attempt n waits floor(0.5 × min(maxDelayMs, minDelayMs × factor^(n−1))).
    const retries = log.events.filter(([name]) => name === 'reconnect') as unknown as Array<[string, number, number, number]>;
    retries.forEach(([, , attempt, delayMs], i) => {
      expect(attempt).toBe(i + 1);
      expect(delayMs).toBe(Math.floor(0.5 * Math.min(RECONNECT.maxDelayMs, RECONNECT.minDelayMs * RECONNECT.factor ** i)));
    });
    // Each retry came no sooner than its delay after the one before it was scheduled.
    for (let i = 1; i < retries.length; i++) expect(retries[i]![1] - retries[i - 1]![1]).toBeGreaterThanOrEqual(retries[i - 1]![3]);
    await page.close();
  });
});

/** Poll a server peer's ledger until it has received `count` messages. */
async function untilStats(peer: PeerProcess, count: number): Promise<Awaited<ReturnType<PeerProcess['stats']>>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const stats = await peer.stats();
    if (stats.received >= count || Date.now() > deadline) return stats;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
