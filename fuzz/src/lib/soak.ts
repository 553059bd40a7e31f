/**
 * The soak: one WebSocketServer and N client connections of our own client, all in this process
 * on loopback, held for a given time with mixed traffic.
 *
 * Each connection slot runs one behaviour, again and again (reconnecting after every close):
 * - echo (most): sends numbered text and binary messages, the server echoes them; closes cleanly
 *   (1000) after a random lifetime and reconnects;
 * - abrupt: like echo, but ends with `terminate()` (socket destroyed, no closing handshake);
 * - slow: stops reading (`pause()`); the server's publishes fill its buffer until the
 *   `backpressure: 'close'` policy closes it with 1013; it then resumes and reconnects.
 * The server also broadcasts a small message to everyone every `broadcastMs`, and at the end
 * closes every connection with 1001.
 *
 * Accounting (soak-ledger.ts): a message counts as sent when its sender was told so — a send
 * callback without error, or broadcast/publish counting the connection. Broadcast and publish
 * return only how many connections they wrote to, so the soak attributes each call to the
 * connections its filter admitted minus those the backpressure policy skipped ('slowConsumer'
 * during the call), and checks that this adds up to the returned count on every call: a call
 * whose count disagrees is a `broadcastMismatch`, and fails the soak rather than being guessed.
 */
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket } from '@rfc6455/server';
import { MemorySampler } from './memory-sampler.ts';
import type { MemorySample, MemoryTrend } from './memory-sampler.ts';
import { SoakBook, receive } from './soak-ledger.ts';
import type { ConnectionLedger, DirectionTotals } from './soak-ledger.ts';

/** Soak settings. */
export interface SoakOptions {
  /** Connections held at once. */
  connections: number;
  /** How long to run, in seconds (ramp-up included). */
  seconds: number;
  /** Mean time between two messages of one echo connection, ms. */
  messageIntervalMs?: number;
  /** Broadcast period, ms. */
  broadcastMs?: number;
  /** Memory sampling period, ms (each sample runs a full GC); default 1 ms per connection, at least 1 s. */
  sampleMs?: number;
  /** Progress lines go here (none by default). */
  log?: (line: string) => void;
}

/** What the soak measured. */
export interface SoakReport {
  connections: number;
  seconds: number;
  connectionsOpened: number;
  peakOpen: number;
  /** Connections both ends saw close cleanly. */
  cleanCloses: number;
  /** Per direction: sent, received, lost (must be 0), duplicated (0), out of order (0), unconfirmed. */
  clientToServer: DirectionTotals;
  serverToClient: DirectionTotals;
  /** Messages received per second over the run, both directions together. */
  messagesPerSecond: number;
  /**
   * Event-loop delay over the run (client and server share the loop). Past a few hundred ms the
   * process is starved of CPU: libuv then accepts about one connection per loop turn, so
   * reconnects queue up in the listen backlog (see docs/security.md, Soak).
   */
  eventLoopDelayMs: { p99: number; max: number };
  /** Broadcast/publish calls whose count disagreed with the per-connection attribution (must be 0). */
  broadcastMismatches: number;
  /** Connections the server closed with 1013 under `backpressure: 'close'`. */
  slowConsumers: number;
  /** Error events by `code`, client and server side. */
  errors: Record<string, number>;
  /** Close codes seen by clients. */
  closeCodes: Record<string, number>;
  /**
   * Memory samples during the run (t, RSS, heap after GC; the first one before any connection),
   * the trend after ramp-up, and a sample once every connection has closed.
   */
  memory: { samples: MemorySample[]; rampUpSeconds: number; trend: MemoryTrend; afterShutdown: MemorySample };
  /** Descriptions of the first lost, duplicated or reordered flows (empty when none). */
  problems: string[];
}

type Kind = 'echo' | 'abrupt' | 'slow';

const count = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};
/** An error's `code`, with its cause's code when it wraps one (e.g. `WS_ERR_CONNECTION_FAILED (ECONNRESET)`). */
const codeOf = (err: Error): string => {
  const code = String((err as Error & { code?: string }).code);
  const cause = (err.cause as (Error & { code?: string }) | undefined)?.code;
  return cause === undefined ? code : `${code} (${cause})`;
};

const BROADCAST = 'broadcast';
// Slow consumers get 256 KiB every 50 ms on their own topic, so the policy trips within seconds
// (loopback socket buffers hold several MiB before Node's own buffer grows).
const FEED_BYTES = 256 * 1024;
const MAX_BUFFERED = 256 * 1024;
const MAX_DIALING = 1024;

/** Run the soak and return its report. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { connections, seconds } = options;
  const messageIntervalMs = options.messageIntervalMs ?? 1000;
  const broadcastMs = options.broadcastMs ?? 500;
  const log = options.log ?? (() => {});
  const book = new SoakBook();
  const errors: Record<string, number> = {};
  const closeCodes: Record<string, number> = {};
  let opened = 0;
  let open = 0;
  let peakOpen = 0;
  let stopping = false;
  let broadcastMismatches = 0;

  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    maxConnections: connections * 2,
    maxBufferedAmount: MAX_BUFFERED,
    backpressure: 'close',
    closeTimeoutMs: 5000,
    heartbeat: { intervalMs: 10_000, timeoutMs: 10_000 },
    backlog: 4096,
  });
  await once(wss, 'listening');
  const port = (wss.address() as { port: number }).port;
  const ledgerOf = new WeakMap<ServerWebSocket, ConnectionLedger>();

  // Connections the backpressure policy skipped during the broadcast/publish call in progress.
  let skipped: Set<ServerWebSocket> | undefined;
  let slowConsumers = 0;
  wss.on('slowConsumer', (ws) => {
    slowConsumers++;
    skipped?.add(ws);
  });

  // Handshakes the server refused or that failed (timeouts, resets during the upgrade).
  wss.on('handshakeError', (err) => count(errors, `server handshake:${codeOf(err)}`));
  wss.on('connection', (ws: ServerWebSocket, req) => {
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const ledger = book.get(Number(params.get('id')));
    if (ledger === undefined) {
      ws.terminate();
      return;
    }
    ledger.serverOpened = true;
    ledgerOf.set(ws, ledger);
    if (params.get('kind') === 'slow') ws.subscribe('slow');
    ws.on('error', (err: Error) => count(errors, `server:${codeOf(err)}`));
    ws.on('message', (data, isBinary) => {
      receive(ledger.upstream, Number(String(data).split(':', 2)[1]));
      ws.send(data as Buffer, { binary: isBinary }, (err) => {
        if (!err) ledger.echo.sent++;
      });
    });
    ws.on('close', (_code: number, _reason: Buffer, wasClean: boolean) => book.serverClosed(ledger, wasClean));
  });

  /** Broadcast or publish, crediting exactly the connections written to (see the file comment). */
  const fanOut = (send: (filter: (ws: ServerWebSocket) => boolean) => number, flow: 'broadcast' | 'feed'): void => {
    const admitted: ServerWebSocket[] = [];
    skipped = new Set();
    const written = send((ws) => {
      if (ws.readyState !== WebSocket.OPEN || !ledgerOf.has(ws)) return false;
      admitted.push(ws);
      return true;
    });
    const credited = admitted.filter((ws) => !skipped!.has(ws));
    skipped = undefined;
    if (credited.length !== written) {
      broadcastMismatches++;
      return;
    }
    for (const ws of credited) ledgerOf.get(ws)![flow].sent++;
  };
  const broadcastBytes = Buffer.from(BROADCAST);
  const broadcaster = setInterval(() => fanOut((filter) => wss.broadcast(broadcastBytes, { filter }), 'broadcast'), broadcastMs);
  const feedBytes = Buffer.alloc(FEED_BYTES, 0x73);
  const slowFeed = setInterval(() => fanOut((filter) => wss.publish('slow', feedBytes, { filter }), 'feed'), 50);


  let nextId = 0;
  const rand = (min: number, max: number): number => min + Math.random() * (max - min);

  // At most MAX_DIALING handshakes in flight: the ramp-up (and every reconnect) goes as fast as the
  // process accepts connections, instead of piling up handshakes that then time out under load.
  let dialing = 0;
  const waitingToDial: Array<() => void> = [];
  const dial = (start: () => void): void => {
    if (dialing < MAX_DIALING) {
      dialing++;
      start();
    } else {
      waitingToDial.push(start);
    }
  };
  const dialDone = (): void => {
    const next = waitingToDial.shift();
    if (next === undefined) dialing--;
    else next();
  };
  let rampedUpAt: number | undefined;

  function slot(kind: Kind): Promise<void> {
    return new Promise<void>((resolveSlot) => {
      const connectOne = (): void => {
        if (stopping) {
          dialDone();
          resolveSlot();
          return;
        }
        const id = nextId++;
        const ledger = book.open(id);
        const ws = new WebSocket(`ws://127.0.0.1:${port}/?id=${id}&kind=${kind}`, { perMessageDeflate: false, handshakeTimeoutMs: 30_000, closeTimeoutMs: 5000 });
        let timer: NodeJS.Timeout | undefined;
        let lifetime: NodeJS.Timeout | undefined;
        let seq = 0;
        let wasOpen = false;
        ws.on('error', (err: Error) => count(errors, `client:${codeOf(err)}`));
        ws.on('message', (data, isBinary) => {
          const bytes = data as Buffer;
          if (isBinary && bytes.length === FEED_BYTES) receive(ledger.feed);
          else if (bytes.length === BROADCAST.length && bytes.toString() === BROADCAST) receive(ledger.broadcast);
          else receive(ledger.echo, Number(bytes.toString('latin1').split(':', 2)[1]));
        });
        ws.on('open', () => {
          dialDone();
          opened++;
          open++;
          wasOpen = true;
          peakOpen = Math.max(peakOpen, open);
          if (opened === connections) rampedUpAt = Date.now();
          if (kind === 'slow') {
            // Stop reading at once; the server's buffer fills with publishes until it closes us with 1013.
            ws.pause();
            // Wake up a few seconds later: read the backlog, then the server's 1013 close frame.
            lifetime = setTimeout(() => ws.resume(), rand(3000, 5000));
            return;
          }
          const tick = (): void => {
            const binary = seq % 2 === 1;
            const body = `${id}:${seq++}:${'x'.repeat(Math.floor(rand(0, 200)))}`;
            ws.send(binary ? Buffer.from(body) : body, { binary }, (err) => {
              if (!err) ledger.upstream.sent++;
            });
            timer = setTimeout(tick, rand(0.5, 1.5) * messageIntervalMs);
          };
          timer = setTimeout(tick, rand(0, messageIntervalMs));
          lifetime = setTimeout(
            () => {
              clearTimeout(timer);
              if (kind === 'abrupt') ws.terminate();
              else ws.close(1000);
            },
            rand(0.2, 1) * seconds * 1000,
          );
        });
        ws.on('close', (code: number, _reason: Buffer, wasClean: boolean) => {
          clearTimeout(timer);
          clearTimeout(lifetime);
          if (wasOpen) open--;
          else dialDone();
          count(closeCodes, String(code));
          book.clientClosed(ledger, wasClean);
          if (kind === 'slow') ws.resume();
          setTimeout(() => dial(connectOne), rand(10, 200));
        });
      };
      dial(connectOne);
    });
  }

  const started = Date.now();
  const memory = new MemorySampler();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const runLoopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  runLoopDelay.enable();
  // Each sample runs a full GC: at 1 ms per connection (at least 1 s) it stays a small share of the run.
  memory.start(options.sampleMs ?? Math.max(1000, connections), (s) => {
    log(
      `t=${s.t.toFixed(0)}s open=${open} opened=${opened} dialing=${dialing + waitingToDial.length} rss=${s.rssMiB.toFixed(0)}MiB ` +
        `heap=${s.heapMiB.toFixed(1)}MiB buffers=${s.arrayBuffersMiB.toFixed(1)}MiB loop-delay-max=${(loopDelay.max / 1e6).toFixed(0)}ms`,
    );
    loopDelay.reset();
  });

  const kinds: Kind[] = [];
  for (let i = 0; i < connections; i++) kinds.push(i % 40 === 0 ? 'slow' : i % 10 === 1 ? 'abrupt' : 'echo');
  const slots = kinds.map((k) => slot(k));

  await new Promise((r) => setTimeout(r, seconds * 1000));
  memory.stop();
  memory.sample();
  loopDelay.disable();
  runLoopDelay.disable();
  stopping = true;
  clearInterval(broadcaster);
  clearInterval(slowFeed);
  // Close everyone cleanly from the server side, then wait for the slots to stop reconnecting.
  await wss.shutdown({ code: 1001, timeoutMs: 10_000 });
  await Promise.race([Promise.all(slots), new Promise((r) => setTimeout(r, 10_000))]);
  book.finish();
  // Everything is closed: what the heap still holds beyond the first sample is what leaked.
  const afterShutdown = memory.sample();
  memory.samples.pop();

  // Steady state: every slot has connected once (the ramp), plus 5 s for slow consumers to fill
  // their buffers once and be cut off; never more than half the run.
  const rampUpSeconds = Math.min(seconds / 2, ((rampedUpAt ?? Date.now()) - started) / 1000 + 5);
  return {
    connections,
    seconds,
    connectionsOpened: opened,
    peakOpen,
    cleanCloses: book.cleanCloses,
    clientToServer: book.clientToServer,
    serverToClient: book.serverToClient,
    messagesPerSecond: (book.clientToServer.received + book.serverToClient.received) / seconds,
    eventLoopDelayMs: { p99: runLoopDelay.percentile(99) / 1e6, max: runLoopDelay.max / 1e6 },
    broadcastMismatches,
    slowConsumers,
    errors,
    closeCodes,
    memory: { samples: memory.samples, rampUpSeconds, trend: memory.trend(rampUpSeconds), afterShutdown },
    problems: book.problems,
  };
}
