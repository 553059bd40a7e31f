/**
 * A peer process for the fault suite: our server (`server`) or our client (`client`), run from the
 * workspace's TypeScript sources (see register.mjs). The test drives it with JSON lines on stdin
 * and reads JSON lines on stdout, so the process can be killed, frozen, put in a network namespace
 * or given a low descriptor limit while the test keeps its own view of what happened.
 *
 * Messages are numbered text `<seq>:<padding>`. Each end keeps a ledger: how many it sent and how
 * many of those its send callback confirmed, how many it received, and whether they came in order
 * and once (`outOfOrder`, `duplicates`).
 *
 * Commands (stdin): `{ "cmd": "stream", "everyMs": 5, "bytes": 64 }` sends a numbered message on
 * every tick until `{ "cmd": "stop" }`; `{ "cmd": "send", "count": 100, "bytes": 64 }` sends a
 * batch; `{ "cmd": "close", "code": 1000 }`; `{ "cmd": "stats" }` answers with a `stats` event;
 * `{ "cmd": "connect" }` (client) opens a new connection; `{ "cmd": "mark" }` restarts the
 * event-loop lateness measurement the `close` event reports (`latenessMs`). Events (stdout): `listening`,
 * `connection`, `open`, `error`, `heartbeatTimeout`, `close` (with code, wasClean and the error
 * codes seen), `stats`, `connectError`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { WebSocket } from '@rfc6455/client';
import type { WebSocketOptions } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import type { WebSocketServerOptions } from '@rfc6455/server';

/** What the test passes as the one argument (JSON). */
export interface PeerConfig {
  role: 'server' | 'client';
  /** server: where to listen (port 0: any). */
  host?: string;
  port?: number;
  /** client: where to connect. */
  url?: string;
  /** Options for WebSocketServer or WebSocket. */
  options?: Record<string, unknown>;
  /** server: echo every message back. */
  echo?: boolean;
}

/** One end's ledger, as the `stats` and `close` events report it. */
export interface PeerStats {
  sent: number;
  acked: number;
  failed: number;
  received: number;
  lastSeq: number;
  outOfOrder: number;
  duplicates: number;
  errors: string[];
}

const config = JSON.parse(process.argv[2] ?? '{}') as PeerConfig;
const started = Date.now();
// This process's event-loop lateness since the last `mark` command: a time bound the test checks
// (the heartbeat's) holds in timer time, so the close event reports how late timers ran.
const lateness = monitorEventLoopDelay({ resolution: 5 });
lateness.enable();

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...event, t: Date.now() - started })}\n`);
}

const newStats = (): PeerStats => ({ sent: 0, acked: 0, failed: 0, received: 0, lastSeq: -1, outOfOrder: 0, duplicates: 0, errors: [] });
const codeOf = (err: Error): string => String((err as Error & { code?: string }).code ?? err.message);

/** Ledger and sending for one connection. */
function track(ws: WebSocket, stats: PeerStats, echo: boolean): void {
  ws.on('message', (data, isBinary) => {
    const seq = Number(String(data).split(':', 1)[0]);
    stats.received++;
    if (seq === stats.lastSeq) stats.duplicates++;
    else if (seq < stats.lastSeq) stats.outOfOrder++;
    stats.lastSeq = Math.max(stats.lastSeq, seq);
    if (echo) ws.send(data as Buffer, { binary: isBinary });
  });
  ws.on('error', (err: Error) => {
    stats.errors.push(codeOf(err));
    emit({ ev: 'error', code: codeOf(err) });
  });
  ws.on('close', (code: number, _reason: Buffer, wasClean: boolean) => emit({ ev: 'close', code, wasClean, stats, latenessMs: lateness.max / 1e6 }));
}

let next = 0;
function sendOne(ws: WebSocket, stats: PeerStats, bytes: number): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  const seq = next++;
  stats.sent++;
  ws.send(`${seq}:${'x'.repeat(Math.max(0, bytes - String(seq).length - 1))}`, (err) => {
    if (err) stats.failed++;
    else stats.acked++;
  });
}

let current: { ws: WebSocket; stats: PeerStats } | undefined;
let streaming: NodeJS.Timeout | undefined;

/** Command handlers by name. */
const commands: Record<string, (args: Record<string, number>) => void> = {
  stream: ({ everyMs = 5, bytes = 64 }) => {
    clearInterval(streaming);
    streaming = setInterval(() => current && sendOne(current.ws, current.stats, bytes), everyMs);
  },
  stop: () => clearInterval(streaming),
  send: ({ count = 1, bytes = 64 }) => {
    for (let i = 0; i < count; i++) if (current) sendOne(current.ws, current.stats, bytes);
  },
  close: ({ code = 1000 }) => current?.ws.close(code),
  stats: () => emit({ ev: 'stats', stats: current?.stats ?? newStats(), readyState: current?.ws.readyState }),
  mark: () => lateness.reset(),
};

if (config.role === 'server') {
  const wss = new WebSocketServer({
    host: config.host ?? '127.0.0.1',
    port: config.port ?? 0,
    ...(config.options as Partial<WebSocketServerOptions>),
  } as WebSocketServerOptions);
  wss.on('listening', () => emit({ ev: 'listening', port: (wss.address() as { port: number }).port }));
  wss.on('error', (err: Error) => emit({ ev: 'serverError', code: codeOf(err) }));
  wss.on('handshakeError', (err) => emit({ ev: 'handshakeError', code: codeOf(err) }));
  wss.on('heartbeatTimeout', () => emit({ ev: 'heartbeatTimeout' }));
  wss.on('connection', (ws) => {
    const stats = newStats();
    current = { ws, stats };
    track(ws, stats, config.echo ?? false);
    emit({ ev: 'connection', count: wss.connectionCount });
  });
} else {
  const connect = (): void => {
    const ws = new WebSocket(config.url!, config.options as WebSocketOptions);
    const stats = newStats();
    let opened = false;
    ws.on('open', () => {
      opened = true;
      current = { ws, stats };
      emit({ ev: 'open' });
    });
    ws.on('error', (err: Error) => {
      if (!opened) emit({ ev: 'connectError', code: codeOf(err) });
    });
    track(ws, stats, false);
  };
  connect();
  commands['connect'] = connect;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const { cmd, ...args } = JSON.parse(line) as { cmd: string } & Record<string, number>;
  const run = commands[cmd];
  if (run === undefined) emit({ ev: 'badCommand', cmd });
  else run(args);
});
