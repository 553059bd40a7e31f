/**
 * The soak. CI runs the short version (300 connections, 10 s); `pnpm soak` runs this file with
 * SOAK_CONNECTIONS (default 5,000) and SOAK_SECONDS (default 60) and prints the full report.
 */
import { expect, it } from 'vitest';
import { runSoak } from './lib/soak.ts';
import type { SoakReport } from './lib/soak.ts';

const connections = Number(process.env['SOAK_CONNECTIONS'] ?? 300);
const seconds = Number(process.env['SOAK_SECONDS'] ?? 10);

it(`soak: ${connections} connections for ${seconds} s lose nothing accepted and hold memory flat`, async () => {
  const report = await runSoak({
    connections,
    seconds,
    log: process.env['SOAK_VERBOSE'] ? (line) => console.log(line) : undefined,
  });
  const round = (n: number): number => Math.round(n * 10) / 10;
  console.log(
    JSON.stringify({ ...report, memory: { ...report.memory, samples: report.memory.samples.map((s) => [round(s.t), round(s.rssMiB), round(s.heapMiB)]) } }),
  );
  console.log(summary(report));
  // Nothing the sender was told was sent is missing on a connection its sender saw close cleanly;
  // nothing arrives twice or out of order; every broadcast/publish was attributed exactly.
  expect(report.problems).toEqual([]);
  for (const direction of [report.clientToServer, report.serverToClient]) {
    expect(direction.lost).toBe(0);
    expect(direction.duplicated).toBe(0);
    expect(direction.outOfOrder).toBe(0);
  }
  expect(report.broadcastMismatches).toBe(0);
  expect(report.cleanCloses).toBeGreaterThan(0);
  expect(report.clientToServer.sent).toBeGreaterThan(connections);
  expect(report.peakOpen).toBeGreaterThanOrEqual(Math.floor(connections * 0.8));
  // Slow consumers were cut off by the backpressure policy with 1013.
  expect(report.slowConsumers).toBeGreaterThan(0);
  expect(report.closeCodes['1013'] ?? 0).toBeGreaterThan(0);
  // Flat: after ramp-up, what the heap keeps alive after a full GC grows by less than 2 KiB per
  // connection over the run (a leak of one small object per message would exceed it many times),
  // and once every connection has closed the heap is back within 4 MiB of where it started.
  const { samples, trend, afterShutdown } = report.memory;
  expect(trend.heapGrowthMiB).toBeLessThan(2 + (connections * 2) / 1024);
  expect(afterShutdown.heapMiB - samples[0]!.heapMiB).toBeLessThan(4);
}, (seconds + 40) * 1000);

/** The report in a few lines: rate, loss, errors by code, memory. */
function summary(r: SoakReport): string {
  const { samples, trend, afterShutdown, rampUpSeconds } = r.memory;
  const last = samples.at(-1)!;
  const mib = (n: number): string => n.toFixed(1);
  const flows = (['clientToServer', 'serverToClient'] as const).map((name) => {
    const d = r[name];
    return `  ${name}: sent ${d.sent}, received ${d.received}, lost ${d.lost}, duplicated ${d.duplicated}, out of order ${d.outOfOrder}, unconfirmed ${d.unconfirmed} (sender saw an unclean close)`;
  });
  return [
    `soak: ${r.connections} connections for ${r.seconds} s: ${r.connectionsOpened} opened, peak ${r.peakOpen} open, ${r.cleanCloses} closed cleanly on both ends`,
    `  ${Math.round(r.messagesPerSecond)} messages/s received; event-loop delay p99 ${Math.round(r.eventLoopDelayMs.p99)} ms, max ${Math.round(r.eventLoopDelayMs.max)} ms; ` +
      `broadcast mismatches ${r.broadcastMismatches}; slow consumers cut ${r.slowConsumers}`,
    ...flows,
    `  errors by code: ${JSON.stringify(r.errors)}; close codes: ${JSON.stringify(r.closeCodes)}`,
    `  memory: RSS ${mib(samples[0]!.rssMiB)} → ${mib(last.rssMiB)} MiB, heap after GC ${mib(samples[0]!.heapMiB)} → ${mib(last.heapMiB)} MiB; ` +
      `after ${rampUpSeconds} s of ramp-up: RSS ${mib(trend.rssSlopeMiBPerMin)} MiB/min, heap ${mib(trend.heapSlopeMiBPerMin)} MiB/min (${mib(trend.heapGrowthMiB)} MiB); ` +
      `heap once all closed ${mib(afterShutdown.heapMiB)} MiB`,
  ].join('\n');
}
