/**
 * The servers: `websocket serve` (echo or broadcast, optionally serving static files on the same
 * port) and wscat's `websocket -l <port>` (interactive: prints what clients send, sends what you
 * type to all of them). Both log one line when a connection opens and one when it closes.
 */
import { once } from 'node:events';
import { realpathSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WS_GONE } from '@rfc6455/codes';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerWebSocket } from '@rfc6455/server';
import { has, integer, stringValue } from './args.ts';
import type { CommandLine } from './args.ts';
import { closeLabel } from './connect.ts';
import { formatControl, formatMessage } from './format.ts';
import type { FormatOptions } from './format.ts';
import { parseSlashCommand, runSlashCommand } from './slash-commands.ts';
import { serveStatic } from './static-files.ts';
import { Terminal } from './terminal.ts';
import type { CommandIo } from './terminal.ts';
import { ExitCode, UsageError } from './usage.ts';

/** The settings of one server run. */
export interface ServeSettings {
  readonly port: number;
  /** The address to listen on. */
  readonly bind: string;
  /** What the server does with a message: echo it, broadcast it, or (with -l only) nothing. */
  readonly mode: 'echo' | 'broadcast' | undefined;
  /** `-l`: print what clients send and send what is typed on stdin. */
  readonly interactive: boolean;
  /** The real path of the --static directory. */
  readonly staticDir: string | undefined;
  /** Accept permessage-deflate. */
  readonly deflate: boolean;
  readonly format: FormatOptions;
  readonly binary: boolean;
  readonly showPingPong: boolean;
  readonly slash: boolean;
}

/** The settings of `serve` or `-l` from the parsed command line. */
export function serveSettings(line: CommandLine): ServeSettings {
  if (line.positionals.length > 0) throw new UsageError(`serve takes no arguments, got '${line.positionals.join(' ')}'`, 'serve');
  if (has(line, 'echo') && has(line, 'broadcast')) throw new UsageError('choose --echo or --broadcast, not both', 'serve');
  let staticDir: string | undefined;
  const dir = stringValue(line, 'static');
  if (dir !== undefined) {
    try {
      staticDir = realpathSync(resolve(dir));
      if (!statSync(staticDir).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new UsageError(`--static needs a directory, '${dir}' is not one`, 'serve');
    }
  }
  const bind = stringValue(line, 'bind') ?? '127.0.0.1';
  if (bind === '') throw new UsageError('--bind must not be empty', 'serve');
  const interactive = line.mode === 'listen';
  const binary = has(line, 'binary');
  return {
    port: interactive
      ? integer('serve', 'listen', stringValue(line, 'listen'), 8080, 0, 65535)
      : integer('serve', 'port', stringValue(line, 'port'), 8080, 0, 65535),
    bind,
    mode: has(line, 'broadcast') ? 'broadcast' : has(line, 'echo') || !interactive ? 'echo' : undefined,
    interactive,
    staticDir,
    deflate: has(line, 'deflate'),
    format: { hex: binary, json: has(line, 'json') },
    binary,
    showPingPong: has(line, 'show-ping-pong'),
    slash: has(line, 'slash'),
  };
}

/** A running server: its port, its open connections, and `stop()` (closes every connection with 1001). */
export interface RunningServer {
  readonly port: number;
  readonly clients: ReadonlySet<ServerWebSocket>;
  stop(): Promise<void>;
}

/** Start the server described by `settings`; rejects when it cannot listen. */
export async function startServer(settings: ServeSettings, terminal: Terminal): Promise<RunningServer> {
  const http = createHttpServer((req, res) => {
    if (settings.staticDir !== undefined) {
      serveStatic(settings.staticDir, req, res).catch(() => res.destroy());
      return;
    }
    // As a standalone @rfc6455/server does: plain HTTP on a WebSocket port gets 426.
    res.writeHead(426, { upgrade: 'websocket', connection: 'Upgrade', 'content-type': 'text/plain; charset=utf-8' }).end('Upgrade Required\n');
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: settings.deflate });
  // The server re-emits its HTTP server's errors; listen() failing is handled below, later ones are logged.
  let listening = false;
  wss.on('error', (err: Error) => listening && terminal.error(`server error: ${err.message}`));
  let nextId = 1;
  wss.on('connection', (ws, req) => {
    const id = `#${nextId++}`;
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    terminal.log(`${id} open ${peer} ${req.url ?? '/'}${ws.protocol === '' ? '' : ` (${ws.protocol})`}`);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (settings.interactive) terminal.message(formatMessage(data, isBinary, settings.format), id);
      if (settings.mode === 'echo') ws.send(data, { binary: isBinary });
      else if (settings.mode === 'broadcast') wss.broadcast(data, { binary: isBinary, filter: (other) => other !== ws });
    });
    if (settings.showPingPong) {
      ws.on('ping', (data: Buffer) => terminal.message(formatControl('ping', data), id));
      ws.on('pong', (data: Buffer) => terminal.message(formatControl('pong', data), id));
    }
    // Without a listener an error would only be visible as the close code; log it too.
    ws.on('error', (err: Error & { code?: unknown }) => terminal.error(`${id} error ${String(err.code ?? '')} ${err.message}`));
    ws.on('close', (code: number, reason: Buffer) => {
      const text = reason.toString('utf8');
      terminal.log(`${id} close ${closeLabel(code)}${text === '' ? '' : `: ${text}`}`);
    });
  });
  http.listen(settings.port, settings.bind);
  try {
    await Promise.race([
      once(http, 'listening'),
      once(http, 'error').then(([err]: unknown[]) => {
        throw err;
      }),
    ]);
  } catch (err) {
    await wss.shutdown();
    throw err;
  }
  listening = true;
  const { port } = http.address() as AddressInfo;
  const host = settings.bind.includes(':') ? `[${settings.bind}]` : settings.bind;
  const what = [settings.interactive ? 'interactive: what you type goes to every client' : '', settings.mode ?? ''].filter(Boolean).join(', ');
  const files = settings.staticDir === undefined ? '' : `, files from ${settings.staticDir} on http://${host}:${port}/`;
  terminal.log(`listening on ws://${host}:${port}/ (${what})${files}`);
  return {
    port,
    clients: wss.clients,
    async stop() {
      // RFC 6455 §7.4.1: 1001, the server is going away.
      await wss.shutdown({ code: WS_GONE, reason: 'server shutting down', timeoutMs: 3_000 });
      http.closeAllConnections();
      await new Promise<void>((done) => http.close(() => done()));
    },
  };
}

/** What `-l` does with a line typed or piped in: a slash command or a message, to every open client. */
function sendToAll(server: RunningServer, settings: ServeSettings, terminal: Terminal, line: string): void {
  const open = [...server.clients].filter((ws) => ws.readyState === ws.OPEN);
  const command = settings.slash ? parseSlashCommand(line) : undefined;
  if (command !== undefined && 'error' in command) {
    terminal.error(command.error);
    return;
  }
  if (open.length === 0) {
    terminal.error('no client is connected: nothing sent');
    return;
  }
  if (command !== undefined) {
    const problem = runSlashCommand(command, open);
    if (problem !== undefined) terminal.error(problem);
    return;
  }
  for (const ws of open) ws.send(settings.binary ? Buffer.from(line, 'utf8') : line, { binary: settings.binary });
}

/** Run `serve` or `-l` until SIGINT or SIGTERM (with -l also Ctrl-C at the prompt or the end of stdin); resolve with the exit code. */
export async function runServe(line: CommandLine, io: CommandIo): Promise<number> {
  const settings = serveSettings(line);
  const terminal = new Terminal(io, { noColor: has(line, 'no-color') });
  let server: RunningServer;
  try {
    server = await startServer(settings, terminal);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    terminal.error(`could not listen on ${settings.bind}:${settings.port}: ${why}`);
    return ExitCode.ConnectFailed;
  }
  const reason = await new Promise<string>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
    if (settings.interactive) {
      terminal.readLines({
        onLine: (text) => sendToAll(server, settings, terminal, text),
        onEnd: () => done('end of input'),
        onInterrupt: () => done('SIGINT'),
      });
    }
  });
  terminal.close();
  terminal.log(`${reason}: closing every connection with 1001`);
  await server.stop();
  return ExitCode.Ok;
}
