// End-to-end echo with permessage-deflate on: our WebSocketServer against a ws WebSocketServer in
// the same run — compressed echo throughput, and resident memory per connection.
//
// The load generator (a worker thread, raw node:net sockets) negotiates
// `permessage-deflate; client_no_context_takeover`, so it can send one pre-compressed frame over
// and over; each server compresses its echoes with its defaults (context takeover on, 15 bits,
// threshold 1024 for both). Echoes vary in size, so the generator walks frame headers to count
// them (a few byte reads per frame, never a payload). Memory: N raw connections each send one
// compressed 4 KiB message and get the echo; the RSS growth of the process (server + those raw
// sockets, the same for both servers) divided by N.
//
// Runnable alone: `node --expose-gc bench/src/e2e-deflate.mjs` (after building the packages), or
// through run.mjs. Settings: BENCH_E2E_CONNECTIONS (20), BENCH_E2E_WINDOW (32), BENCH_E2E_MS
// (2000), BENCH_E2E_WARMUP_MS (500), BENCH_E2E_ROUNDS (2), BENCH_DEFLATE_MEMORY_CONNECTIONS (300),
// BENCH_FILTER as in harness.mjs.
import { once } from 'node:events';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import zlib from 'node:zlib';

const CONNECTIONS = Number(process.env.BENCH_E2E_CONNECTIONS ?? 20);
const WINDOW = Number(process.env.BENCH_E2E_WINDOW ?? 32);
const DURATION_MS = Number(process.env.BENCH_E2E_MS ?? 2000);
const WARMUP_MS = Number(process.env.BENCH_E2E_WARMUP_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 2);
const MEMORY_CONNECTIONS = Number(process.env.BENCH_DEFLATE_MEMORY_CONNECTIONS ?? 300);
const SIZES = [1024, 16 * 1024];
const THRESHOLD = 1024;

const HANDSHAKE =
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n\r\n';

/** JSON-like text of `size` bytes: what compression is for. */
function sampleText(size) {
  let text = '';
  for (let i = 0; text.length < size; i++) text += `{"id":${i},"user":"user-${i % 97}","active":${i % 3 === 0}},`;
  return Buffer.from(text.slice(0, size));
}

/** One masked, compressed client text frame (FIN + RSV1) carrying `size` bytes of text. */
function compressedFrame(size) {
  const deflated = zlib.deflateRawSync(sampleText(size), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const payload = deflated.subarray(0, deflated.length - 4); // RFC 7692 §7.2.1: drop 00 00 ff ff
  const length = payload.length;
  const header = length < 126 ? 2 : 4;
  const frame = Buffer.alloc(header + 4 + length);
  frame[0] = 0xc1;
  if (length < 126) frame[1] = 0x80 | length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  }
  const key = [0x11, 0x22, 0x33, 0x44];
  frame.set(key, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i] ^ key[i & 3];
  return frame;
}

/** Counts whole server frames in a byte stream by their headers only. */
function frameCounter() {
  let need = 0; // payload bytes still to skip
  let head = Buffer.alloc(0);
  return (chunk) => {
    let frames = 0;
    let at = 0;
    while (at < chunk.length) {
      if (need > 0) {
        const skip = Math.min(need, chunk.length - at);
        need -= skip;
        at += skip;
        if (need === 0) frames++;
        continue;
      }
      head = head.length === 0 ? chunk.subarray(at, at + 10) : Buffer.concat([head, chunk.subarray(at, at + 10)]);
      if (head.length < 2) {
        at = chunk.length;
        continue;
      }
      const length7 = head[1] & 0x7f;
      const size = length7 === 126 ? 4 : length7 === 127 ? 10 : 2;
      if (head.length < size) {
        at = chunk.length;
        continue;
      }
      const consumedBefore = head.length - Math.min(10, chunk.length - at);
      const length = length7 === 126 ? head.readUInt16BE(2) : length7 === 127 ? Number(head.readBigUInt64BE(2)) : length7;
      at += size - consumedBefore;
      head = Buffer.alloc(0);
      if (length === 0) frames++;
      else need = length;
    }
    return frames;
  };
}

/** Open a raw connection, negotiate deflate; resolves with the socket once the 101 arrived. */
function openRaw(port, onFrames) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const count = frameCounter();
    let head = Buffer.alloc(0);
    let open = false;
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      if (!open) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        const response = head.subarray(0, end).toString();
        if (!response.includes(' 101 ') || !/permessage-deflate/i.test(response)) return reject(new Error(`no deflate: ${response}`));
        open = true;
        resolve(socket);
        chunk = head.subarray(end + 4);
      }
      const frames = count(chunk);
      if (frames > 0) onFrames(socket, frames);
    });
    socket.write(HANDSHAKE);
  });
}

// ---- load generator (worker thread) -------------------------------------------------------------

async function generate({ port, size, connections, window, durationMs, warmupMs }) {
  const frame = compressedFrame(size);
  const bursts = [Buffer.alloc(0)];
  for (let k = 1; k <= window; k++) bursts.push(Buffer.concat(Array.from({ length: k }, () => frame)));
  let counting = false;
  let received = 0;
  let stopped = false;
  const onFrames = (socket, frames) => {
    if (counting) received += frames;
    if (!stopped) socket.write(bursts[frames] ?? Buffer.concat(Array.from({ length: frames }, () => frame)));
  };
  const sockets = await Promise.all(Array.from({ length: connections }, () => openRaw(port, onFrames)));
  for (const socket of sockets) socket.write(bursts[window]);
  await new Promise((r) => setTimeout(r, warmupMs));
  counting = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const elapsed = performance.now() - started;
  counting = false;
  stopped = true;
  for (const socket of sockets) socket.destroy();
  return (received / elapsed) * 1000;
}

if (!isMainThread && workerData?.kind === 'e2e-deflate') {
  generate(workerData).then(
    (rate) => parentPort.postMessage({ rate }),
    (err) => parentPort.postMessage({ error: String(err?.stack ?? err) }),
  );
}

// ---- servers, throughput and memory (main thread) -----------------------------------------------

async function startOurs() {
  const { WebSocketServer } = await import('@rfc6455/server');
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    heartbeat: false,
    maxConnections: Infinity,
    perMessageDeflate: true,
    compressionThreshold: THRESHOLD,
  });
  await once(wss, 'listening');
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  return { port: wss.address().port, close: () => wss.close({ timeoutMs: 1000 }) };
}

async function startWs() {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: THRESHOLD } });
  await once(wss, 'listening');
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  return {
    port: wss.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

async function throughput(start, size) {
  const server = await start();
  try {
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { kind: 'e2e-deflate', port: server.port, size, connections: CONNECTIONS, window: WINDOW, durationMs: DURATION_MS, warmupMs: WARMUP_MS },
    });
    const [message] = await once(worker, 'message');
    await worker.terminate();
    if (message.error) throw new Error(message.error);
    return message.rate;
  } finally {
    await server.close();
  }
}

function settle() {
  globalThis.gc?.();
  return new Promise((r) => setTimeout(r, 100));
}

/** RSS growth per connection (KiB) after one compressed 4 KiB message each way. */
async function memoryPerConnection(start) {
  const server = await start();
  const frame = compressedFrame(4096);
  try {
    await settle();
    const before = process.memoryUsage().rss;
    let echoed = 0;
    const sockets = [];
    for (let i = 0; i < MEMORY_CONNECTIONS; i++) sockets.push(await openRaw(server.port, (_s, n) => (echoed += n)));
    for (const socket of sockets) socket.write(frame);
    const deadline = Date.now() + 20_000;
    while (echoed < MEMORY_CONNECTIONS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await settle();
    const after = process.memoryUsage().rss;
    for (const socket of sockets) socket.destroy();
    return (after - before) / 1024 / MEMORY_CONNECTIONS;
  } finally {
    await server.close();
  }
}

/** Compressed echo rows (ops = echoed messages per second) and a printed memory comparison. */
export async function e2eDeflateBenchmarks() {
  const rows = [];
  const filter = process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER, 'i') : undefined;
  for (const size of SIZES) {
    const name = `deflate, ${CONNECTIONS} conns × ${WINDOW} in flight, ${size} B text`;
    if (filter !== undefined && !filter.test(`e2e echo ${name} vs ws`)) continue;
    let ours = 0;
    let theirsOps = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [startOurs, startWs] : [startWs, startOurs];
      for (const start of order) {
        const rate = await throughput(start, size);
        if (start === startOurs) ours = Math.max(ours, rate);
        else theirsOps = Math.max(theirsOps, rate);
      }
    }
    const row = {
      group: 'e2e echo',
      name,
      against: 'ws',
      oursOps: ours,
      oursMBs: (ours * size) / 1e6,
      theirsOps,
      theirsMBs: (theirsOps * size) / 1e6,
      ratio: ours / theirsOps,
    };
    process.stderr.write(`  ${row.group} ${row.name} vs ws: ${row.ratio.toFixed(2)}x\n`);
    rows.push(row);
  }
  if (filter === undefined || filter.test('e2e deflate memory')) {
    const ours = await memoryPerConnection(startOurs);
    const ws = await memoryPerConnection(startWs);
    console.log(
      `e2e deflate memory per connection (${MEMORY_CONNECTIONS} raw connections, one compressed 4 KiB message each way, ` +
        `server context takeover on): ours rss ${ours.toFixed(0)} KiB, ws rss ${ws.toFixed(0)} KiB; ratio ours/ws ${(ours / ws).toFixed(2)}x`,
    );
  }
  return rows;
}

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import('./harness.mjs');
  const rows = await e2eDeflateBenchmarks();
  printTable(rows);
}
