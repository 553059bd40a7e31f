/**
 * The soak: one WebSocketServer and N client connections of our own client, all in this process
 * on loopback, held for a given time with mixed traffic.
 *
 * Each connection slot runs one behaviour, again and again (reconnecting after every close):
 * - echo (most): sends numbered text and binary messages, the server echoes them; closes cleanly
 *   (1000) after a random lifetime and reconnects;
 * - abrupt: like echo, but ends with `terminate()` (socket destroyed, no FIN handshake);
 * - slow: stops reading (`pause()`); the server's broadcasts fill its buffer until the
 *   `backpressure: 'close'` policy closes it with 1013; it then resumes and reconnects.
 * The server also broadcasts a small message to everyone every `broadcastMs`.
 *
 * "Nothing lost that was accepted", precisely: for every connection whose close was clean
 * (`wasClean` true on both ends), every message whose `send` callback reported success was
 * received by the other end — client → server and server → client (echoes and broadcasts) alike.
 * Messages carry the connection id and a sequence number, so the check counts per connection.
 */
import { once } from 'node:events';
import { WebSocket } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket } from '@rfc6455/server';

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
  /** RSS sampling period, ms. */
  sampleMs?: number;
  /** Progress lines go here (none by default). */
  log?: (line: string) => void;
}

/** What the soak measured. */
export interface SoakReport {
  connectionsOpened: number;
  peakOpen: number;
  cleanCloses: number;
  /** Messages whose send callback succeeded, by direction. */
  sent: { clientToServer: number; serverToClient: number };
  /** Messages received, by direction. */
  received: { clientToServer: number; serverToClient: number };
  /** Accepted messages missing on a cleanly closed connection, by direction. */
  lost: { clientToServer: number; serverToClient: number };
  /**
   * Of `lost`, those sent towards the endpoint that had already sent its close frame (they crossed
   * it on the wire). @rfc6455/protocol discards data frames that arrive after it sent its close
   * frame, so these are expected today; any other loss is a bug.
   */
  lostCrossingClose: number;
  /** Connections the server closed with 1013 under `backpressure: 'close'`. */
  slowConsumers: number;
  /** Error events by `code`, client and server side. */
  errors: Record<string, number>;
  /** Close codes seen by clients. */
  closeCodes: Record<string, number>;
  /** [seconds since start, RSS MiB] samples. */
  rss: Array<[number, number]>;
  /** Least-squares slope of RSS over the second half of the run, MiB per minute. */
  rssSlopeMiBPerMin: number;
  /** RSS growth from the first sample after ramp-up to the last, MiB. */
  rssGrowthMiB: number;
}

type Kind = 'echo' | 'abrupt' | 'slow';

interface Ledger {
  /** Client → server messages acknowledged by the client's send callback. */
  c2sAcked: number;
  /** Client → server messages the server received. */
  c2sReceived: number;
  /** Server → client messages acknowledged by the server's send callback (echoes and broadcasts). */
  s2cAcked: number;
  /** Server → client messages the client received. */
  s2cReceived: number;
  clientClean?: boolean;
  /** The close code the client saw. */
  code?: number;
  serverClean?: boolean;
}

const count = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Run the soak and return its report. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { connections, seconds } = options;
  const messageIntervalMs = options.messageIntervalMs ?? 1000;
  const broadcastMs = options.broadcastMs ?? 500;
  const sampleMs = options.sampleMs ?? 1000;
  const log = options.log ?? (() => {});
  const ledgers = new Map<number, Ledger>();
  const errors: Record<string, number> = {};
  const closeCodes: Record<string, number> = {};
  const rss: Array<[number, number]> = [];
  let opened = 0;
  let open = 0;
  let peakOpen = 0;
  let stopping = false;
  const started = Date.now();

  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    maxConnections: connections * 2,
    maxBufferedAmount: 256 * 1024,
    backpressure: 'close',
    closeTimeoutMs: 5000,
    heartbeat: { intervalMs: 10_000, timeoutMs: 10_000 },
    backlog: 4096,
  });
  await once(wss, 'listening');
  let slowConsumers = 0;
  wss.on('slowConsumer', () => slowConsumers++);
  const port = (wss.address() as { port: number }).port;

  wss.on('connection', (ws: ServerWebSocket, req) => {
    const id = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('id'));
    const ledger = ledgers.get(id);
    if (ledger === undefined) {
      ws.terminate();
      return;
    }
    ws.on('error', (err: Error) => count(errors, `server:${String((err as Error & { code?: string }).code)}`));
    ws.on('message', (data, isBinary) => {
      ledger.c2sReceived++;
      ws.send(data as Buffer, { binary: isBinary }, (err) => {
        if (!err) ledger.s2cAcked++;
      });
    });
    ws.on('close', (_code: number, _reason: Buffer, wasClean: boolean) => {
      ledger.serverClean = wasClean;
    });
  });

  // Broadcast has no per-receiver callback: a receiver's s2cAcked grows when the backpressure policy
  // lets the frame through to its socket (buffered amount under maxBufferedAmount).
  const broadcastBytes = Buffer.from('broadcast');
  const broadcaster = setInterval(() => {
    wss.broadcast(broadcastBytes, {
      filter: (ws) => {
        const ledger = ledgerOf.get(ws);
        if (ledger !== undefined && ws.bufferedAmount < 256 * 1024) ledger.s2cAcked++;
        return true;
      },
    });
  }, broadcastMs);
  const ledgerOf = new WeakMap<object, Ledger>();
  wss.on('connection', (ws: ServerWebSocket, req) => {
    const id = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('id'));
    const ledger = ledgers.get(id);
    if (ledger !== undefined) ledgerOf.set(ws, ledger);
    if (new URL(req.url ?? '/', 'http://x').searchParams.get('kind') === 'slow') ws.subscribe('slow');
  });
  // Slow consumers get 256 KiB every 50 ms on their own topic, so the policy trips within seconds
  // (loopback socket buffers hold several MiB before Node's own buffer grows).
  const slowBytes = Buffer.alloc(256 * 1024, 0x73);
  const slowFeed = setInterval(() => wss.publish('slow', slowBytes), 50);

  const sampler = setInterval(() => {
    rss.push([(Date.now() - started) / 1000, process.memoryUsage().rss / 1048576]);
    log(`t=${((Date.now() - started) / 1000).toFixed(0)}s open=${open} opened=${opened} rss=${(process.memoryUsage().rss / 1048576).toFixed(0)}MiB`);
  }, sampleMs);

  let nextId = 0;
  const rand = (min: number, max: number): number => min + Math.random() * (max - min);

  function slot(kind: Kind): Promise<void> {
    return new Promise<void>((resolveSlot) => {
      const connectOne = (): void => {
        if (stopping) {
          resolveSlot();
          return;
        }
        const id = nextId++;
        const ledger: Ledger = { c2sAcked: 0, c2sReceived: 0, s2cAcked: 0, s2cReceived: 0 };
        ledgers.set(id, ledger);
        const ws = new WebSocket(`ws://127.0.0.1:${port}/?id=${id}&kind=${kind}`, { perMessageDeflate: false, handshakeTimeoutMs: 30_000, closeTimeoutMs: 5000 });
        let timer: NodeJS.Timeout | undefined;
        let lifetime: NodeJS.Timeout | undefined;
        let seq = 0;
        let wasOpen = false;
        ws.on('error', (err: Error) => count(errors, `client:${String((err as Error & { code?: string }).code)}`));
        ws.on('message', () => {
          ledger.s2cReceived++;
        });
        ws.on('open', () => {
          opened++;
          open++;
          wasOpen = true;
          peakOpen = Math.max(peakOpen, open);
          if (kind === 'slow') {
            // Stop reading at once; the server's buffer fills with broadcasts until it closes us with 1013.
            ws.pause();
            // Wake up a few seconds later: read the backlog, then the server's 1013 close frame.
            lifetime = setTimeout(() => ws.resume(), rand(3000, 5000));
            return;
          }
          const tick = (): void => {
            const binary = seq % 2 === 1;
            const body = `${id}:${seq++}:${'x'.repeat(Math.floor(rand(0, 200)))}`;
            ws.send(binary ? Buffer.from(body) : body, { binary }, (err) => {
              if (!err) ledger.c2sAcked++;
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
          ledger.clientClean = wasClean;
          ledger.code = code;
          count(closeCodes, String(code));
          if (kind === 'slow') ws.resume();
          setTimeout(connectOne, rand(10, 200));
        });
      };
      // Spread the ramp-up over the first ~20% of the run (at most 5 s).
      setTimeout(connectOne, rand(0, Math.min(5000, seconds * 200)));
    });
  }

  const kinds: Kind[] = [];
  for (let i = 0; i < connections; i++) kinds.push(i % 40 === 0 ? 'slow' : i % 10 === 1 ? 'abrupt' : 'echo');
  const slots = kinds.map((k) => slot(k));

  await new Promise((r) => setTimeout(r, seconds * 1000));
  stopping = true;
  clearInterval(broadcaster);
  clearInterval(slowFeed);
  // Close everyone cleanly from the server side, then wait for the slots to stop reconnecting.
  await wss.close({ code: 1001, timeoutMs: 10_000 });
  clearInterval(sampler);
  await Promise.race([Promise.all(slots), new Promise((r) => setTimeout(r, 10_000))]);

  const report: SoakReport = {
    connectionsOpened: opened,
    peakOpen,
    cleanCloses: 0,
    sent: { clientToServer: 0, serverToClient: 0 },
    received: { clientToServer: 0, serverToClient: 0 },
    lost: { clientToServer: 0, serverToClient: 0 },
    lostCrossingClose: 0,
    slowConsumers,
    errors,
    closeCodes,
    rss,
    rssSlopeMiBPerMin: 0,
    rssGrowthMiB: 0,
  };
  for (const l of ledgers.values()) {
    report.sent.clientToServer += l.c2sAcked;
    report.sent.serverToClient += l.s2cAcked;
    report.received.clientToServer += l.c2sReceived;
    report.received.serverToClient += l.s2cReceived;
    if (l.clientClean !== true || l.serverClean !== true) continue;
    report.cleanCloses++;
    const c2s = Math.max(0, l.c2sAcked - l.c2sReceived);
    const s2c = Math.max(0, l.s2cAcked - l.s2cReceived);
    if (c2s + s2c > 0) log(`lost on a clean close: ${JSON.stringify(l)}`);
    // Who began the closing handshake: the client (1000, ws.close) or the server (1001, wss.close).
    // A message travelling towards the side that already sent its close frame crosses that frame.
    const serverBegan = l.code === 1001;
    report.lost.clientToServer += c2s;
    report.lost.serverToClient += s2c;
    report.lostCrossingClose += serverBegan ? c2s : s2c;
  }
  const rampEnd = Math.min(5, seconds * 0.2) + 1;
  const steady = rss.filter(([t]) => t >= rampEnd);
  const secondHalf = rss.filter(([t]) => t >= seconds / 2);
  report.rssSlopeMiBPerMin = slope(secondHalf) * 60;
  report.rssGrowthMiB = steady.length >= 2 ? steady.at(-1)![1] - steady[0]![1] : 0;
  return report;
}
