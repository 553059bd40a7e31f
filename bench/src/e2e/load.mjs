// The load generator, run as its own process (pinned to the other core by run.mjs):
//   node load.mjs '<json spec>'
// It is built to cost less CPU than any server under test: every frame it sends is encoded and
// masked once, up front; it never unmasks, inflates or copies a payload; it counts echoes by
// reading frame headers only (@rfc6455/testing's FrameCounter). It prints `start` when its timed window
// opens (so run.mjs can sample the server's CPU), then one JSON line with its result and its own
// CPU use over the window. Every loop is bounded in count and in time.
import { connect as http2Connect } from 'node:http2';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { EXAMPLE_MASK_KEY, FrameCounter, encodeFrame, upgradeRequest } from '@rfc6455/testing';
import { binaryPayload, compressedMaskedFrame, textPayload } from './payloads.mjs';

const spec = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The upgrade requests, encoded once (RFC 6455 §4.1), without and with a permessage-deflate offer. */
const UPGRADE = Buffer.from(upgradeRequest());
const UPGRADE_DEFLATE = Buffer.from(upgradeRequest('/', { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_no_context_takeover' }));

/** A binary message of `size` bytes as one client frame, masked once with a fixed key. */
const binaryFrame = (size) => encodeFrame({ opcode: 0x2, payload: binaryPayload(size), mask: EXAMPLE_MASK_KEY });

// Connections come from 127.0.0.2 … 127.0.0.65 in turn, so the handshake and 10,000-connection
// rows never run out of ephemeral ports on one source address (TIME_WAIT holds them a minute).
let nextSource = 0;
function sourceAddress() {
  nextSource = (nextSource + 1) % 64;
  return `127.0.0.${2 + nextSource}`;
}

/**
 * Open one WebSocket connection over a raw socket; resolves with the socket once the 101 arrived.
 * After that, `onFrames(n)` is called with the number of data frames each read completed.
 */
function open(port, { deflate = false, onFrames, onData } = {}) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: sourceAddress(), noDelay: true });
    const counter = new FrameCounter();
    let head;
    const fail = (err) => {
      socket.destroy();
      reject(err);
    };
    socket.on('error', fail);
    socket.on('data', function onHandshake(chunk) {
      head = head === undefined ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > 16384) fail(new Error('no end of response head'));
        return;
      }
      const status = head.toString('latin1', 0, end);
      if (!status.startsWith('HTTP/1.1 101')) return fail(new Error(`handshake refused: ${status.split('\r\n')[0]}`));
      if (deflate && !/permessage-deflate/i.test(status)) return fail(new Error('n/a: the server did not negotiate permessage-deflate'));
      socket.off('data', onHandshake);
      socket.off('error', fail);
      // After the handshake a reset (the server closing at the end of a row) is not an error here.
      socket.on('error', () => {});
      const rest = head.subarray(end + 4);
      if (onFrames !== undefined) socket.on('data', (data) => onFrames(counter.push(data)));
      if (onData !== undefined) socket.on('data', onData);
      resolve(socket);
      if (rest.length > 0 && onFrames !== undefined) onFrames(counter.push(rest));
      if (rest.length > 0 && onData !== undefined) onData.call(socket, rest);
    });
    socket.write(deflate ? UPGRADE_DEFLATE : UPGRADE);
  });
}

/** Streams per HTTP/2 session (a browser's tab has a handful; 100 is Node's client default cap). */
const STREAMS_PER_SESSION = 100;
const sessions = [];

/** An h2c session with room for one more stream (RFC 8441 §3: after its SETTINGS enabled extended CONNECT). */
async function sessionWithRoom(port) {
  let entry = sessions.find((s) => s.streams < STREAMS_PER_SESSION);
  if (entry === undefined) {
    const session = http2Connect(`http://127.0.0.1:${port}`, { localAddress: sourceAddress() });
    session.on('error', () => {});
    entry = { session, streams: 0, ready: new Promise((resolve) => session.once('remoteSettings', resolve)) };
    sessions.push(entry);
  }
  entry.streams++;
  await entry.ready;
  return entry;
}

/**
 * `open` over HTTP/2 (spec.transport 'h2'): an extended CONNECT stream (RFC 8441) of a shared h2c
 * session; resolves with the stream (a Duplex, written and counted as a socket) once answered 200.
 */
async function openStream(port, { deflate = false, onFrames } = {}) {
  const entry = await sessionWithRoom(port);
  const headers = { ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': '/', ':authority': `127.0.0.1:${port}`, 'sec-websocket-version': '13' };
  if (deflate) headers['sec-websocket-extensions'] = 'permessage-deflate; client_no_context_takeover';
  const stream = entry.session.request(headers, { endStream: false });
  stream.once('close', () => entry.streams--);
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('response', (response) => {
      if (response[':status'] !== 200) return reject(new Error(`extended CONNECT refused: ${response[':status']}`));
      if (deflate && !/permessage-deflate/i.test(String(response['sec-websocket-extensions'] ?? ''))) return reject(new Error('n/a: the server did not negotiate permessage-deflate'));
      stream.off('error', reject);
      stream.on('error', () => {});
      const counter = new FrameCounter();
      if (onFrames !== undefined) stream.on('data', (data) => onFrames(counter.push(data)));
      resolve(stream);
    });
  });
}

/** Open `count` connections, at most `concurrency` handshakes at a time. */
async function openMany(count, concurrency, options) {
  const sockets = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        sockets[index] = await (spec.transport === 'h2' ? openStream : open)(spec.port, typeof options === 'function' ? options(index) : options);
      }
    }),
  );
  return sockets;
}

/** Open the timed window: tell run.mjs, and take this process's CPU reading. */
function startWindow() {
  process.stdout.write('start\n');
  return { at: performance.now(), cpu: process.cpuUsage() };
}

function endWindow(window) {
  const elapsedMs = performance.now() - window.at;
  const cpu = process.cpuUsage(window.cpu);
  return { elapsedMs, loadCpu: (cpu.user + cpu.system) / 1000 / elapsedMs };
}

/** Each connection keeps `window` messages in flight and sends one more per echo. */
async function echo({ connections, window, size, warmupMs, durationMs, deflate = false }) {
  const frame = deflate ? compressedMaskedFrame(textPayload(size)) : binaryFrame(size);
  // Small frames: pre-joined bursts, so refilling k slots is one write of k frames.
  const bursts = size <= 4096 ? Array.from({ length: window + 1 }, (_, k) => Buffer.concat(Array(k).fill(frame))) : undefined;
  let received = 0;
  let stopped = false;
  const sockets = await openMany(connections, connections, (index) => ({
    deflate,
    onFrames: (n) => {
      if (n === 0 || stopped) return;
      received += n;
      const socket = sockets[index];
      if (bursts !== undefined && n <= window) socket.write(bursts[n]);
      else {
        socket.cork();
        for (let k = 0; k < n; k++) socket.write(frame);
        socket.uncork();
      }
    },
  }));
  for (const socket of sockets) {
    if (bursts !== undefined) socket.write(bursts[window]);
    else for (let k = 0; k < window; k++) socket.write(frame);
  }
  await sleep(warmupMs);
  const startCount = received;
  const w = startWindow();
  await sleep(durationMs);
  const count = received - startCount;
  const end = endWindow(w);
  stopped = true;
  for (const socket of sockets) socket.destroy();
  return { rate: (count / end.elapsedMs) * 1000, mbPerSec: (count * size) / end.elapsedMs / 1000, messages: count, ...end };
}

/** One connection, one message in flight: the round-trip time of each echo. */
async function latency({ size, warmupCount, count, maxMs }) {
  const frame = binaryFrame(size);
  const samples = new Float64Array(count);
  let done = 0;
  let sentAt = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  let deadline = Infinity;
  const total = warmupCount + count;
  const socket = await (spec.transport === 'h2' ? openStream : open)(spec.port, {
    onFrames: (n) => {
      if (n === 0) return;
      const now = performance.now();
      if (done >= warmupCount) samples[done - warmupCount] = now - sentAt;
      done++;
      if (done >= total || now > deadline) return finish();
      sentAt = performance.now();
      socket.write(frame);
    },
  });
  const w = startWindow();
  deadline = performance.now() + maxMs;
  sentAt = performance.now();
  socket.write(frame);
  await finished;
  const end = endWindow(w);
  socket.destroy();
  const measured = Math.max(0, done - warmupCount);
  const sorted = Array.from(samples.subarray(0, measured)).sort((a, b) => a - b);
  const pick = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000;
  return { p50Us: pick(0.5), p99Us: pick(0.99), samples: measured, ...end };
}

/**
 * `subscribers` connections; the first also publishes. It keeps `window` messages in flight and
 * sends the next one only when a message has reached every subscriber, so the server can never
 * run ahead of what the generator has read (no unbounded buffering hides in the number).
 */
async function broadcast({ subscribers, window, size, warmupMs, durationMs }) {
  const frame = binaryFrame(size);
  const ring = new Uint32Array(window * 2);
  const got = new Uint32Array(subscribers);
  let delivered = 0;
  let stopped = false;
  let publisher;
  const onFrames = (index, n) => {
    let complete = 0;
    for (let k = 0; k < n; k++) {
      const slot = got[index]++ % ring.length;
      if (++ring[slot] === subscribers) {
        ring[slot] = 0;
        complete++;
      }
    }
    delivered += complete;
    if (complete > 0 && !stopped) {
      publisher.cork();
      for (let k = 0; k < complete; k++) publisher.write(frame);
      publisher.uncork();
    }
  };
  const sockets = await openMany(subscribers, 100, (index) => ({ onFrames: (n) => onFrames(index, n) }));
  publisher = sockets[0];
  // Let the last handshakes settle (every server must count the connection as a subscriber).
  await sleep(200);
  for (let k = 0; k < window; k++) publisher.write(frame);
  await sleep(warmupMs);
  const startCount = delivered;
  const w = startWindow();
  await sleep(durationMs);
  const count = delivered - startCount;
  const end = endWindow(w);
  stopped = true;
  for (const socket of sockets) socket.destroy();
  const messagesPerSec = (count / end.elapsedMs) * 1000;
  return { rate: messagesPerSec * subscribers, messagesPerSec, ...end };
}

/** `concurrency` clients each connect, wait for the 101, close, and start again. */
async function handshake({ concurrency, warmupMs, durationMs }) {
  let completed = 0;
  let failed = 0;
  let stopAt = performance.now() + warmupMs + durationMs;
  const worker = async () => {
    while (performance.now() < stopAt) {
      try {
        const socket = await (spec.transport === 'h2' ? openStream : open)(spec.port);
        socket.destroy();
        completed++;
      } catch {
        failed++;
        if (failed > 1000) throw new Error('more than 1,000 failed handshakes');
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await sleep(warmupMs);
  const startCount = completed;
  const w = startWindow();
  await sleep(durationMs);
  const count = completed - startCount;
  const end = endWindow(w);
  stopAt = 0;
  await Promise.all(workers);
  return { rate: (count / end.elapsedMs) * 1000, failed, ...end };
}

/** Open `connections` idle connections, say `ready`, hold them until stdin closes. */
async function idle({ connections, concurrency }) {
  const started = performance.now();
  const sockets = await openMany(connections, concurrency, {});
  process.stdout.write(`${JSON.stringify({ ready: true, connections: sockets.length, openMs: performance.now() - started })}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  for (const socket of sockets) socket.destroy();
  return { connections: sockets.length };
}

/**
 * The 100,000-connection row: open connections up to each of `stages` (e.g. 10k, 50k, 100k), print
 * `{ stage, openMs }` at each and wait for a `next` line on stdin, so the orchestrator can read the
 * server's memory there. Every connection answers the server's heartbeat pings with pongs (a masked
 * pong echoing the payload, RFC 6455 §5.5.3), so none is ended as dead; a `pings` line on stdin is
 * answered with the count of pings answered so far. Holds the connections until stdin closes.
 */
async function scale({ stages, concurrency }) {
  let pings = 0;
  // Server frames are unmasked (RFC 6455 §5.1). Idle connections only ever receive pings, which
  // arrive whole in one read; anything else is skipped by its length.
  function onData(chunk) {
    let i = 0;
    while (chunk.length - i >= 2) {
      const len7 = chunk[i + 1] & 0x7f;
      const head = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
      const size = len7 < 126 ? len7 : len7 === 126 ? chunk.readUInt16BE(i + 2) : Number(chunk.readBigUInt64BE(i + 2));
      if (chunk.length - i < head + size) break;
      if ((chunk[i] & 0x0f) === 0x9) {
        pings++;
        this.write(encodeFrame({ opcode: 0xa, payload: chunk.subarray(i + head, i + head + size), mask: EXAMPLE_MASK_KEY }));
      }
      i += head + size;
    }
  }
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const sockets = [];
  const started = performance.now();
  for (const stage of stages) {
    if (stage > sockets.length) sockets.push(...(await openMany(stage - sockets.length, concurrency, { onData })));
    process.stdout.write(`${JSON.stringify({ stage, connections: sockets.length, openMs: performance.now() - started })}\n`);
    if ((await lines.next()).done) break;
  }
  for (let line = await lines.next(); !line.done; line = await lines.next()) {
    if (line.value === 'pings') process.stdout.write(`${JSON.stringify({ pings })}\n`);
  }
  for (const socket of sockets) socket.destroy();
  return { connections: sockets.length, pings };
}

const scenarios = { echo, latency, broadcast, handshake, idle, scale };
try {
  const result = await scenarios[spec.scenario](spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (err) {
  const text = String(err?.message ?? err);
  process.stdout.write(`${JSON.stringify({ error: text.startsWith('n/a') ? text : String(err?.stack ?? err) })}\n`);
  process.exit(1);
}
