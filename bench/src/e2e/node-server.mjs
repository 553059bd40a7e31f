// A server under test, run as its own process (pinned to one core by run.mjs):
//   node --expose-gc node-server.mjs <ours|ws|raw> <echo|broadcast|deflate>
// Prints {"port":N} on its first stdout line once listening, then answers one command per stdin
// line with one JSON line: `mem` (RSS and heap after two full GCs), `cpu` (process.cpuUsage()),
// `heap <file>` (a heap snapshot).
// `ours-h2` is ours attached to an h2c server (node:http2): its WebSockets are RFC 8441 streams.
// Every server echoes each message back (echo, deflate) or sends it to every connection
// (broadcast), with the library's defaults except the connection cap, which is lifted for the
// 10,000-connection memory row, and perMessageDeflate, turned on in the deflate mode.
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { acceptKey } from '@rfc6455/testing';

const [kind, mode] = process.argv.slice(2);
/**
 * The scale mode's heartbeat period (ms): ours through its `heartbeat` option, ws through the
 * recipe its README gives for detecting broken connections (a ping to every client each period,
 * terminating those whose pong from the previous round has not come).
 */
const HEARTBEAT_MS = Number(process.env.BENCH_E2E_HEARTBEAT_MS ?? 10_000);

async function startOurs() {
  const { WebSocketServer } = await import('@rfc6455/server');
  // ws loads bufferutil by itself. Ours does too when an application installs it (an optional peer
  // of @rfc6455/client, found where npm hoists it), but pnpm's strict layout hides the bench's copy
  // from the client package: hand the same native code over explicitly, so both mask alike.
  const { setMaskImplementation } = await import('@rfc6455/frame');
  setMaskImplementation((await import('bufferutil')).default);
  // perMessageDeflate as in ws: when the server does not negotiate it, the generator reports n/a.
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    maxConnections: Infinity,
    ...(mode === 'deflate' ? { perMessageDeflate: true } : {}),
    ...(mode === 'scale' ? { heartbeat: { intervalMs: HEARTBEAT_MS, timeoutMs: HEARTBEAT_MS }, backlog: 4096 } : {}),
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    if (mode === 'broadcast') ws.on('message', (data, isBinary) => wss.broadcast(data, { binary: isBinary }));
    else ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return wss.address().port;
}

async function startOursH2() {
  const { createServer: createHttp2Server } = await import('node:http2');
  const { WebSocketServer } = await import('@rfc6455/server');
  const { setMaskImplementation } = await import('@rfc6455/frame');
  setMaskImplementation((await import('bufferutil')).default);
  const http2 = createHttp2Server();
  const wss = new WebSocketServer({ server: http2, maxConnections: Infinity, ...(mode === 'deflate' ? { perMessageDeflate: true } : {}) });
  wss.on('connection', (ws) => {
    if (mode === 'broadcast') ws.on('message', (data, isBinary) => wss.broadcast(data, { binary: isBinary }));
    else ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  http2.listen(0, '127.0.0.1');
  await new Promise((resolve) => http2.once('listening', resolve));
  return http2.address().port;
}

async function startWs() {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: mode === 'deflate', ...(mode === 'scale' ? { backlog: 4096 } : {}) });
  await new Promise((resolve) => wss.once('listening', resolve));
  if (mode === 'scale') {
    // ws's README recipe ("How to detect and close broken connections"), at our heartbeat's period.
    function heartbeat() {
      this.isAlive = true;
    }
    wss.on('connection', (ws) => {
      ws.isAlive = true;
      ws.on('pong', heartbeat);
    });
    setInterval(() => {
      for (const ws of wss.clients) {
        if (ws.isAlive === false) {
          ws.terminate();
          continue;
        }
        ws.isAlive = false;
        ws.ping();
      }
    }, HEARTBEAT_MS).unref();
  }
  wss.on('connection', (ws) => {
    if (mode === 'broadcast') {
      // ws has no broadcast: its documented recipe loops over the clients.
      ws.on('message', (data, isBinary) => wss.clients.forEach((client) => client.send(data, { binary: isBinary })));
    } else {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    }
  });
  return wss.address().port;
}

/**
 * The ceiling: a node:net server doing the least a WebSocket server can. It answers the upgrade
 * with a 101 (key read with indexOf, no header validation), unmasks each frame in place with
 * bufferutil's native unmask, and writes every echo of one read with a single write (broadcast:
 * the frames of one read joined once, the same bytes to every socket). No fragmentation, control
 * frames, UTF-8 checks or limits. Anything a real server does costs more than this.
 */
async function startRaw() {
  if (mode === 'deflate') throw new Error('n/a: the ceiling does not compress');
  const { unmask } = (await import('bufferutil')).default;
  const sockets = new Set();
  const server = createServer({ noDelay: true }, (socket) => {
    let open = false;
    // Unparsed bytes are kept as a list and joined only once a whole frame is there, so a 1 MiB
    // frame arriving in 64 KiB reads is copied once, not sixteen times.
    let pending = [];
    let pendingLength = 0;
    let needed = 1;
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      if (pendingLength + chunk.length < needed) {
        pending.push(chunk);
        pendingLength += chunk.length;
        return;
      }
      let data = pending.length === 0 ? chunk : Buffer.concat([...pending, chunk]);
      pending = [];
      pendingLength = 0;
      needed = 6;
      if (!open) {
        const end = data.indexOf('\r\n\r\n');
        if (end === -1) {
          pending = [data];
          pendingLength = data.length;
          needed = data.length + 1;
          return;
        }
        const at = data.indexOf('Sec-WebSocket-Key:');
        const key = data.toString('latin1', at + 18, data.indexOf('\r\n', at)).trim();
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
        open = true;
        sockets.add(socket);
        data = data.subarray(end + 4);
      }
      const out = [];
      let i = 0;
      while (data.length - i >= 6) {
        const len7 = data[i + 1] & 0x7f;
        const head = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
        if (data.length - i < head + 4) {
          needed = head + 4;
          break;
        }
        const size = len7 < 126 ? len7 : len7 === 126 ? data.readUInt16BE(i + 2) : data.readUInt32BE(i + 6);
        if (data.length - i < head + 4 + size) {
          needed = head + 4 + size;
          break;
        }
        const payload = data.subarray(i + head + 4, i + head + 4 + size);
        unmask(payload, data.subarray(i + head, i + head + 4));
        // The unmasked reply header: the same first byte and length, without the mask bit, written
        // over the 4 bytes before the payload (where the key was) so header + payload are contiguous.
        const start = i + 4;
        data[start] = data[i];
        if (head === 2) data[start + 1] = len7;
        else if (head === 4) {
          data[start + 1] = 126;
          data.writeUInt16BE(size, start + 2);
        } else {
          data[start + 1] = 127;
          data.writeUInt32BE(0, start + 2);
          data.writeUInt32BE(size, start + 6);
        }
        out.push(data.subarray(start, i + head + 4 + size));
        i += head + 4 + size;
      }
      if (i < data.length) {
        // Copied so a few leftover bytes do not keep a whole 64 KiB read buffer alive.
        pending = [Buffer.from(data.subarray(i))];
        pendingLength = data.length - i;
      }
      if (out.length === 0) return;
      // One write per read: every frame of this read joined, sent back (echo) or to every socket.
      const reply = out.length === 1 ? out[0] : Buffer.concat(out);
      if (mode === 'broadcast') for (const peer of sockets) peer.write(reply);
      else socket.write(reply);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

const start = { ours: startOurs, 'ours-h2': startOursH2, ws: startWs, raw: startRaw }[kind];
let port;
try {
  port = await start();
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: String(err.message ?? err) })}\n`);
  process.exit(0);
}
process.stdout.write(`${JSON.stringify({ port })}\n`);

createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line === 'mem') {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    globalThis.gc?.();
    const m = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers })}\n`);
  } else if (line.startsWith('heap ')) {
    // `heap <file>`: a V8 heap snapshot, for heap-diff.mjs.
    const { writeHeapSnapshot } = await import('node:v8');
    globalThis.gc?.();
    writeHeapSnapshot(line.slice(5));
    process.stdout.write(`${JSON.stringify({ written: line.slice(5) })}\n`);
  } else if (line === 'cpu') {
    process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
