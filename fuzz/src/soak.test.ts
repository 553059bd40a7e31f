/**
 * The soak. CI runs the short version (300 connections, 10 s); `pnpm soak` runs this file with
 * SOAK_CONNECTIONS (default 5,000) and SOAK_SECONDS (default 60) and prints the full report.
 */
import { expect, it } from 'vitest';
import { runSoak } from './lib/soak.ts';

const connections = Number(process.env['SOAK_CONNECTIONS'] ?? 300);
const seconds = Number(process.env['SOAK_SECONDS'] ?? 10);

it(`soak: ${connections} connections for ${seconds} s lose nothing accepted and hold memory flat`, async () => {
  const report = await runSoak({
    connections,
    seconds,
    log: process.env['SOAK_VERBOSE'] ? (line) => console.log(line) : undefined,
  });
  console.log(JSON.stringify({ ...report, rss: report.rss.map(([t, m]) => [Math.round(t), Math.round(m)]) }, null, 1));
  // Every accepted message on a clean connection arrived, except (rarely) one that crossed the close
  // frame of the side it was sent to: the protocol now delivers data until the peer's close frame,
  // which took such losses from hundreds per soak to about one; the remaining path is not yet found
  // (docs/security.md). Any other loss fails.
  expect(report.lost.clientToServer + report.lost.serverToClient - report.lostCrossingClose).toBe(0);
  expect(report.cleanCloses).toBeGreaterThan(0);
  expect(report.sent.clientToServer).toBeGreaterThan(connections);
  expect(report.peakOpen).toBeGreaterThanOrEqual(Math.floor(connections * 0.8));
  // Slow consumers were cut off by the backpressure policy with 1013.
  expect(report.slowConsumers).toBeGreaterThan(0);
  expect(report.closeCodes['1013'] ?? 0).toBeGreaterThan(0);
  // Flat, generously bounded: growth after ramp-up under 64 MiB + 16 KiB per connection.
  expect(report.rssGrowthMiB).toBeLessThan(64 + connections / 64);
}, (seconds + 40) * 1000);
