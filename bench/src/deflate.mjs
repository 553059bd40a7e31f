// permessage-deflate rows: compress and decompress throughput at 1 KiB and 64 KiB, ours against
// ws's PerMessageDeflate in the same run, plus resident memory per connection after one message
// each way. Uses the built @rfc6455/deflate (`pnpm bench` builds it first).
// Runnable alone: `node --expose-gc bench/src/deflate.mjs`.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { settings } from './harness.mjs';

let Ours;
let acceptDeflateOffer;
let createDeflateOffer;
async function load() {
  ({ PerMessageDeflate: Ours, acceptDeflateOffer, createDeflateOffer } = await import('@rfc6455/deflate/node'));
}
const require = createRequire(import.meta.url);
const wsLib = join(dirname(require.resolve('ws')), 'lib');
const WsDeflate = require(join(wsLib, 'permessage-deflate.js'));
const wsExtension = require(join(wsLib, 'extension.js'));

const now = () => Number(process.hrtime.bigint()) / 1e6;
const RSV1 = 0x4;

/** JSON-like text, compressible but not trivially. */
function sample(n) {
  const words = ['{"id":', '"name":', '"websocket"', ',', '}', 'alpha', 'beta', 'gamma', ' ', '12345', 'true', 'null'];
  let x = 7;
  let s = '';
  while (s.length < n) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += words[x % words.length];
  }
  return Buffer.from(s.slice(0, n));
}

/** A connected server/client pair of each implementation, with the given server options. */
function pairs(options = {}) {
  const offer = createDeflateOffer({});
  const accepted = acceptDeflateOffer(offer, options);
  const ours = {
    server: new Ours({ role: 'server', config: accepted.config, compressionThreshold: 0 }),
    client: new Ours({ role: 'client', config: accepted.config, compressionThreshold: 0 }),
  };
  const wsServer = new WsDeflate({ ...options, isServer: true, maxPayload: 0 });
  const wsClient = new WsDeflate({ isServer: false, maxPayload: 0 });
  const name = WsDeflate.extensionName;
  const offered = wsExtension.parse(wsExtension.format({ [name]: wsClient.offer() }))[name];
  const response = wsExtension.parse(wsExtension.format({ [name]: wsServer.accept(offered) }))[name];
  wsClient.accept(response);
  const ws = { server: wsServer, client: wsClient };
  return { ours, ws };
}

const oursCompress = (ext, data) => Promise.resolve(ext.encode(data, false)).then((r) => r.data);
const oursDecompress = (ext, data) => Promise.resolve(ext.decode([data], RSV1, 1 << 30));
const wsCompress = (ext, data) => new Promise((resolve, reject) => ext.compress(data, true, (err, out) => (err ? reject(err) : resolve(out))));
const wsDecompress = (ext, data) => new Promise((resolve, reject) => ext.decompress(data, true, (err, out) => (err ? reject(err) : resolve(out))));

/** Run the async `op` back to back for about `ms` milliseconds; ops per second. */
async function runFor(op, ms) {
  let ops = 0;
  const start = now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 16; i++) await op();
    ops += 16;
    elapsed = now() - start;
  }
  return (ops / elapsed) * 1000;
}

async function measure(op) {
  await runFor(op, settings.warmupMs);
  globalThis.gc?.();
  return runFor(op, settings.timeMs);
}

async function compareAsync(group, name, bytesPerOp, ours, theirs) {
  if (settings.filter !== undefined && !settings.filter.test(`${group} ${name} vs ws`)) return undefined;
  let bestOurs = 0;
  let bestTheirs = 0;
  for (let round = 0; round < settings.rounds; round++) {
    if (round % 2 === 0) {
      bestOurs = Math.max(bestOurs, await measure(ours));
      bestTheirs = Math.max(bestTheirs, await measure(theirs));
    } else {
      bestTheirs = Math.max(bestTheirs, await measure(theirs));
      bestOurs = Math.max(bestOurs, await measure(ours));
    }
  }
  const row = {
    group,
    name,
    against: 'ws PerMessageDeflate',
    oursOps: bestOurs,
    oursMBs: (bestOurs * bytesPerOp) / 1e6,
    theirsOps: bestTheirs,
    theirsMBs: (bestTheirs * bytesPerOp) / 1e6,
    ratio: bestOurs / bestTheirs,
  };
  process.stderr.write(`  ${group} ${name} vs ws: ${row.ratio.toFixed(2)}x\n`);
  return row;
}

/** Resident and external memory per connection pair after one message each way. */
async function memoryPerConnection(make, count = 400) {
  globalThis.gc?.();
  const before = process.memoryUsage();
  const kept = [];
  const message = sample(4096);
  for (let i = 0; i < count; i++) {
    const { server, client, compress, decompress } = make();
    await decompress(client, await compress(server, message));
    await decompress(server, await compress(client, message));
    kept.push(server, client);
  }
  globalThis.gc?.();
  const after = process.memoryUsage();
  const perConnection = (key) => (after[key] - before[key]) / count / 1024;
  const result = { rssKiB: perConnection('rss'), externalKiB: perConnection('external') };
  for (const ext of kept) ext.close?.();
  return result;
}

/** All deflate rows; also prints the memory comparison. */
export async function deflateBenchmarks() {
  await load();
  const rows = [];
  for (const [label, options] of [
    ['takeover', {}],
    ['no takeover', { serverNoContextTakeover: true, clientNoContextTakeover: true }],
  ]) {
    for (const size of [1024, 64 * 1024]) {
      const data = sample(size);
      const sizeLabel = size === 1024 ? '1 KiB' : '64 KiB';
      const { ours, ws } = pairs(options);
      rows.push(
        await compareAsync('deflate', `compress ${sizeLabel} (${label})`, size, () => oursCompress(ours.server, data), () => wsCompress(ws.server, data)),
      );
      // Decompress what a no-takeover sender produced, so every op decodes the same bytes (a
      // takeover receiver still keeps its window after each, as it would on a live connection).
      const compressed = await oursCompress(pairs({ serverNoContextTakeover: true }).ours.server, data);
      rows.push(
        await compareAsync(
          'deflate',
          `decompress ${sizeLabel} (${label})`,
          size,
          () => oursDecompress(ours.client, compressed),
          () => wsDecompress(ws.client, compressed),
        ),
      );
    }
  }

  for (const [label, options] of [
    ['takeover', {}],
    ['no takeover', { serverNoContextTakeover: true, clientNoContextTakeover: true }],
  ]) {
    const ours = await memoryPerConnection(() => ({ ...pairs(options).ours, compress: oursCompress, decompress: oursDecompress }));
    const ws = await memoryPerConnection(() => ({ ...pairs(options).ws, compress: wsCompress, decompress: wsDecompress }));
    console.log(
      `deflate memory per connection pair (${label}, one 4 KiB message each way): ours rss ${ours.rssKiB.toFixed(0)} KiB, external ${ours.externalKiB.toFixed(0)} KiB; ` +
        `ws rss ${ws.rssKiB.toFixed(0)} KiB, external ${ws.externalKiB.toFixed(0)} KiB; ratio rss ${(ours.rssKiB / ws.rssKiB).toFixed(2)}x`,
    );
  }
  return rows.filter((row) => row !== undefined);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { printTable } = await import('./harness.mjs');
  printTable(await deflateBenchmarks());
}
