/**
 * `websocket serve`: an echo or broadcast WebSocket server, optionally serving static files on the
 * same port, logging one line when each connection opens and one when it closes.
 */
import { once } from 'node:events';
import { realpathSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WS_GONE } from '@rfc6455/codes';
import { WebSocketServer } from '@rfc6455/server';
import { integer, parse } from './args.ts';
import { closeLabel } from './connect.ts';
import { serveStatic } from './static-files.ts';
import { ExitCode, SERVE_HELP, UsageError } from './usage.ts';

/** Where the command writes. */
export interface ServeIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  echo: { type: 'boolean', short: 'e' },
  broadcast: { type: 'boolean', short: 'B' },
  static: { type: 'string', short: 'S' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The settings of one `serve` run. */
export interface ServeSettings {
  port: number;
  host: string;
  mode: 'echo' | 'broadcast';
  /** The real path of the --static directory. */
  staticDir: string | undefined;
}

/** Parse `serve`'s arguments; `undefined` means `--help` was asked for. */
export function parseServeArgs(args: string[]): ServeSettings | undefined {
  const { values, positionals } = parse('serve', args, OPTIONS);
  if (values['help'] === true) return undefined;
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got '${positionals.join(' ')}'`, 'serve');
  if (values['echo'] === true && values['broadcast'] === true) throw new UsageError('choose --echo or --broadcast, not both', 'serve');
  let staticDir: string | undefined;
  if (typeof values['static'] === 'string') {
    try {
      staticDir = realpathSync(resolve(values['static']));
      if (!statSync(staticDir).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new UsageError(`--static needs a directory, '${values['static']}' is not one`, 'serve');
    }
  }
  const host = (values['host'] as string | undefined) ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty', 'serve');
  return {
    port: integer('serve', 'port', values['port'] as string | undefined, 8080, 0, 65535),
    host,
    mode: values['broadcast'] === true ? 'broadcast' : 'echo',
    staticDir,
  };
}

/** A running `serve`: its address, and `stop()` (closes every connection with 1001). */
export interface RunningServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Start the server described by `settings`; rejects when it cannot listen. */
export async function startServer(settings: ServeSettings, io: ServeIo): Promise<RunningServer> {
  const http = createHttpServer((req, res) => {
    if (settings.staticDir !== undefined) {
      serveStatic(settings.staticDir, req, res).catch(() => res.destroy());
      return;
    }
    // As a standalone @rfc6455/server does: plain HTTP on a WebSocket port gets 426.
    res.writeHead(426, { upgrade: 'websocket', connection: 'Upgrade', 'content-type': 'text/plain; charset=utf-8' }).end('Upgrade Required\n');
  });
  const wss = new WebSocketServer({ server: http });
  // The server re-emits its HTTP server's errors; listen() failing is handled below, later ones are logged.
  let listening = false;
  wss.on('error', (err: Error) => listening && io.stderr.write(`websocket: server error: ${err.message}\n`));
  let nextId = 1;
  wss.on('connection', (ws, req) => {
    const id = nextId++;
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    io.stdout.write(`#${id} open ${peer} ${req.url ?? '/'}${ws.protocol === '' ? '' : ` (${ws.protocol})`}\n`);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (settings.mode === 'echo') ws.send(data, { binary: isBinary });
      else wss.broadcast(data, { binary: isBinary, filter: (other) => other !== ws });
    });
    // Without a listener an error would only be visible as the close code; log it too.
    ws.on('error', (err: Error & { code?: unknown }) => io.stderr.write(`#${id} error ${String(err.code ?? '')} ${err.message}\n`));
    ws.on('close', (code: number, reason: Buffer) => {
      const text = reason.toString('utf8');
      io.stdout.write(`#${id} close ${closeLabel(code)}${text === '' ? '' : `: ${text}`}\n`);
    });
  });
  http.listen(settings.port, settings.host);
  try {
    await Promise.race([
      once(http, 'listening'),
      once(http, 'error').then(([err]: unknown[]) => {
        throw err;
      }),
    ]);
  } catch (err) {
    await wss.close();
    throw err;
  }
  listening = true;
  const { port } = http.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  io.stdout.write(`listening on ws://${host}:${port}/ (${settings.mode})${settings.staticDir === undefined ? '' : `, files from ${settings.staticDir} on http://${host}:${port}/`}\n`);
  return {
    port,
    async stop() {
      // RFC 6455 §7.4.1: 1001, the server is going away.
      await wss.close({ code: WS_GONE, reason: 'server shutting down', timeoutMs: 3_000 });
      http.closeAllConnections();
      await new Promise<void>((done) => http.close(() => done()));
    },
  };
}

/** Run `websocket serve` until SIGINT or SIGTERM; resolve with the exit code. */
export async function runServe(args: string[], io: ServeIo): Promise<number> {
  const settings = parseServeArgs(args);
  if (settings === undefined) {
    io.stdout.write(SERVE_HELP);
    return ExitCode.Ok;
  }
  let server: RunningServer;
  try {
    server = await startServer(settings, io);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    io.stderr.write(`websocket: could not listen on ${settings.host}:${settings.port}: ${why}\n`);
    return ExitCode.ConnectFailed;
  }
  const signal = await new Promise<string>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  io.stdout.write(`${signal}: closing every connection with 1001\n`);
  await server.stop();
  return ExitCode.Ok;
}
