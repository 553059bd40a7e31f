// End-to-end echo benchmark: our WebSocketServer against a ws WebSocketServer, in the same run.
//
// The server under test runs on the main thread; the load generator runs in a worker thread so the
// two do not share one core. The generator is deliberately cheaper than any server: its frames are
// encoded and masked once, up front; it keeps a fixed window of messages in flight per connection
// over raw node:net sockets and counts echoes by byte count (every echo has the same length), so
// it never parses a frame. Each row runs for a fixed time; the result is echoed messages per second.
//
// Runnable alone: `node bench/src/e2e.mjs` (after `pnpm build` in packages/codes, frame, handshake,
// protocol, deflate, client and server), or through run.mjs, which calls e2eBenchmarks().
// Settings: BENCH_E2E_CONNECTIONS (20), BENCH_E2E_WINDOW (32), BENCH_E2E_MS (2000),
// BENCH_E2E_WARMUP_MS (500), BENCH_E2E_ROUNDS (2), and BENCH_FILTER as in harness.mjs.
import { once } from 'node:events';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const CONNECTIONS = Number(process.env.BENCH_E2E_CONNECTIONS ?? 20);
const WINDOW = Number(process.env.BENCH_E2E_WINDOW ?? 32);
const DURATION_MS = Number(process.env.BENCH_E2E_MS ?? 2000);
const WARMUP_MS = Number(process.env.BENCH_E2E_WARMUP_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 2);
const SIZES = [64, 4096];

/** One masked client frame (FIN, opcode binary) carrying `size` bytes. */
function maskedFrame(size) {
  const header = size < 126 ? 2 : 4;
  const frame = Buffer.alloc(header + 4 + size);
  frame[0] = 0x82;
  if (size < 126) {
    frame[1] = 0x80 | size;
  } else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(size, 2);
  }
  const key = [0x11, 0x22, 0x33, 0x44];
  frame.set(key, header);
  for (let i = 0; i < size; i++) frame[header + 4 + i] = (i & 0xff) ^ key[i & 3];
  return frame;
}

/** The length of the unmasked frame the server echoes for a `size`-byte payload. */
function echoLength(size) {
  return (size < 126 ? 2 : 4) + size;
}

// ---- load generator (worker thread) -------------------------------------------------------------

async function generate({ port, size, connections, window, durationMs, warmupMs }) {
  const frame = maskedFrame(size);
  // Pre-built bursts: burst[k] is k frames back to back, so refilling k slots is one write.
  const bursts = [Buffer.alloc(0)];
  for (let k = 1; k <= window; k++) bursts.push(Buffer.concat(Array.from({ length: k }, () => frame)));
  const echoBytes = echoLength(size);
  let counting = false;
  let received = 0;
  let stopped = false;
  const sockets = [];

  await Promise.all(
    Array.from({ length: connections }, () =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        socket.setNoDelay(true);
        sockets.push(socket);
        let handshakeDone = false;
        let pendingBytes = 0;
        let head = Buffer.alloc(0);
        socket.on('error', (err) => (stopped ? undefined : reject(err)));
        socket.on('data', (chunk) => {
          if (!handshakeDone) {
            head = Buffer.concat([head, chunk]);
            const end = head.indexOf('\r\n\r\n');
            if (end === -1) return;
            if (!head.subarray(0, 12).toString().includes('101')) return reject(new Error(`handshake failed: ${head.toString()}`));
            handshakeDone = true;
            chunk = head.subarray(end + 4);
            socket.write(bursts[window]);
            resolve();
          }
          pendingBytes += chunk.length;
          const echoes = Math.floor(pendingBytes / echoBytes);
          if (echoes === 0) return;
          pendingBytes -= echoes * echoBytes;
          if (counting) received += echoes;
          if (!stopped) socket.write(bursts[echoes] ?? Buffer.concat(Array.from({ length: echoes }, () => frame)));
        });
        socket.write(
          'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      }),
    ),
  );
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

if (!isMainThread) {
  generate(workerData).then(
    (rate) => parentPort.postMessage({ rate }),
    (err) => parentPort.postMessage({ error: String(err?.stack ?? err) }),
  );
}

// ---- servers and the comparison (main thread) ---------------------------------------------------

async function runGenerator(port, size) {
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: { port, size, connections: CONNECTIONS, window: WINDOW, durationMs: DURATION_MS, warmupMs: WARMUP_MS },
  });
  const [message] = await once(worker, 'message');
  await worker.terminate();
  if (message.error) throw new Error(message.error);
  return message.rate;
}

async function startOurs() {
  const { WebSocketServer } = await import('@rfc6455/server');
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, maxConnections: Infinity });
  await once(wss, 'listening');
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return { port: wss.address().port, close: () => wss.close({ timeoutMs: 1000 }) };
}

async function startWs() {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await once(wss, 'listening');
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return {
    port: wss.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

async function measure(start, size) {
  const server = await start();
  try {
    return await runGenerator(server.port, size);
  } finally {
    await server.close();
  }
}

/**
 * Echo throughput of our server and ws's, one row per message size, in the row shape of
 * harness.mjs (ops = echoed messages per second).
 */
export async function e2eBenchmarks() {
  const rows = [];
  const filter = process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER, 'i') : undefined;
  for (const size of SIZES) {
    const name = `${CONNECTIONS} conns × ${WINDOW} in flight, ${size} B`;
    if (filter !== undefined && !filter.test(`e2e echo ${name} vs ws`)) continue;
    // Best of ROUNDS, alternating which server goes first, so neither always runs on a warmer process.
    let ours = 0;
    let theirsOps = 0;
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        ours = Math.max(ours, await measure(startOurs, size));
        theirsOps = Math.max(theirsOps, await measure(startWs, size));
      } else {
        theirsOps = Math.max(theirsOps, await measure(startWs, size));
        ours = Math.max(ours, await measure(startOurs, size));
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
  return rows;
}

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await e2eBenchmarks();
  for (const r of rows) {
    console.log(`${r.name}: ours ${Math.round(r.oursOps)} msgs/s, ws ${Math.round(r.theirsOps)} msgs/s, ratio ${r.ratio.toFixed(2)}x`);
  }
}
