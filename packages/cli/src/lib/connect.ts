/**
 * `websocket connect <url>`: an interactive or scripted WebSocket client on the terminal.
 */
import { STATUS_CODES } from 'node:http';
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { CloseCode, ErrorCode, WS_GONE, WS_NO_STATUS, WS_OK } from '@rfc6455/codes';
import { WebSocket } from '@rfc6455/client';
import type { WebSocketOptions } from '@rfc6455/client';
import { integer, parse, parseHeaders } from './args.ts';
import { formatControl, formatMessage } from './format.ts';
import type { FormatOptions } from './format.ts';
import { CONNECT_HELP, ExitCode, UsageError } from './usage.ts';

/** Where the command reads and writes; the process's streams unless a caller substitutes them. */
export interface ConnectIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const CLOSE_NAMES = new Map<number, string>(Object.entries(CloseCode).map(([name, code]) => [code, name]));

/** `1001 (GoingAway)` — a close code with its name, when it has one. */
export function closeLabel(code: number): string {
  const name = CLOSE_NAMES.get(code);
  return name === undefined ? String(code) : `${code} (${name})`;
}

// RFC 6455 §7.4.1: 1000 is a normal closure, 1001 an endpoint going away; 1005 means the peer's
// close frame carried no code, which still completes the closing handshake.
const CLEAN_CODES = new Set<number>([WS_OK, WS_GONE, WS_NO_STATUS]);

const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

/** A one-line reason why the connection could not be opened, for people and logs. */
export function describeConnectFailure(err: Error, url: URL): string {
  const { code, status, body, cause } = err as Error & { code?: unknown; status?: unknown; body?: unknown; cause?: unknown };
  if (code === ErrorCode.ConnectionFailed) {
    const secure = url.protocol === 'wss:' || url.protocol === 'https:';
    const where = `${url.hostname}:${url.port === '' ? (secure ? 443 : 80) : url.port}`;
    const causeCode = (cause as { code?: unknown } | undefined)?.code;
    const reason = typeof causeCode === 'string' ? (SOCKET_ERRORS[causeCode] ?? (cause as Error).message) : err.message;
    return `could not connect to ${where}: ${reason}`;
  }
  if (code === ErrorCode.UnexpectedStatus && typeof status === 'number') {
    const excerpt = typeof body === 'string' ? (body.trim().split('\n', 1)[0] ?? '') : '';
    return `handshake failed: the server answered HTTP ${status} ${STATUS_CODES[status] ?? 'Error'}${excerpt === '' ? '' : ` (${excerpt.slice(0, 200)})`}`;
  }
  return `handshake failed: ${err.message}`;
}

const OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  subprotocol: { type: 'string', short: 's', multiple: true },
  origin: { type: 'string', short: 'o' },
  compress: { type: 'boolean', short: 'c' },
  binary: { type: 'boolean', short: 'b' },
  json: { type: 'boolean', short: 'j' },
  ping: { type: 'string', short: 'p' },
  send: { type: 'string', multiple: true },
  wait: { type: 'string', short: 'w' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The settings of one `connect` run, after parsing and checking the command line. */
export interface ConnectSettings {
  url: URL;
  options: WebSocketOptions;
  format: FormatOptions;
  binary: boolean;
  pingMs: number | undefined;
  send: string[];
  waitMs: number;
}

/** Parse `connect`'s arguments; `undefined` means `--help` was asked for. */
export function parseConnectArgs(args: string[]): ConnectSettings | undefined {
  const { values, positionals } = parse('connect', args, OPTIONS);
  if (values['help'] === true) return undefined;
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'connect needs a URL, e.g. ws://127.0.0.1:8080/' : `connect takes one URL, got ${positionals.length}`, 'connect');
  }
  let url: URL;
  try {
    url = new URL(positionals[0] as string);
  } catch {
    throw new UsageError(`not a URL: '${positionals[0]}'`, 'connect');
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
    throw new UsageError(`the URL must start with ws://, wss://, http:// or https://, got '${url.protocol}'`, 'connect');
  }
  const strings = (name: string): string[] => (values[name] as string[] | undefined) ?? [];
  const options: WebSocketOptions = {
    handshakeTimeoutMs: integer('connect', 'timeout', values['timeout'] as string | undefined, 10_000, 1, 2 ** 31 - 1),
    closeTimeoutMs: 5_000,
  };
  const headers = parseHeaders('connect', strings('header'));
  if (Object.keys(headers).length > 0) options.headers = headers;
  if (strings('subprotocol').length > 0) options.protocols = strings('subprotocol');
  if (typeof values['origin'] === 'string') options.origin = values['origin'];
  if (values['compress'] === true) options.perMessageDeflate = true;
  const ping = values['ping'] as string | undefined;
  return {
    url,
    options,
    format: { hex: values['binary'] === true, json: values['json'] === true },
    binary: values['binary'] === true,
    pingMs: ping === undefined ? undefined : integer('connect', 'ping', ping, 0, 1, 2 ** 31 - 1),
    send: strings('send'),
    waitMs: integer('connect', 'wait', values['wait'] as string | undefined, 1_000, 0, 2 ** 31 - 1),
  };
}

/** Run `websocket connect` and resolve with the exit code (see {@link ExitCode}). */
export async function runConnect(args: string[], io: ConnectIo): Promise<number> {
  const settings = parseConnectArgs(args);
  if (settings === undefined) {
    io.stdout.write(CONNECT_HELP);
    return ExitCode.Ok;
  }
  let ws: WebSocket;
  try {
    ws = new WebSocket(settings.url, settings.options);
  } catch (err) {
    // The client refuses a bad header, subprotocol or origin before dialling: a usage error.
    throw new UsageError(err instanceof Error ? err.message : String(err), 'connect');
  }
  return session(ws, settings, io);
}

function session(ws: WebSocket, settings: ConnectSettings, io: ConnectIo): Promise<number> {
  const interactive = settings.send.length === 0 && io.stdin.isTTY === true;
  let opened = false;
  let failure: Error | undefined;
  let rl: Interface | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let waitTimer: NodeJS.Timeout | undefined;

  const print = (line: string): void => {
    if (rl !== undefined && interactive) {
      // Print above the line being typed, then redraw the prompt and what was typed so far.
      io.stdout.write(`\r\x1b[K${line}\n`);
      rl.prompt(true);
    } else {
      io.stdout.write(`${line}\n`);
    }
  };
  const send = (text: string): void => {
    if (ws.readyState !== ws.OPEN) return;
    const data = settings.binary ? Buffer.from(text, 'utf8') : text;
    ws.send(data, { binary: settings.binary });
    if (!interactive) print(formatMessage('>', Buffer.from(text, 'utf8'), settings.binary, settings.format));
  };
  const closeAfterWait = (): void => {
    waitTimer = setTimeout(() => {
      if (ws.readyState === ws.OPEN) ws.close(WS_OK);
    }, settings.waitMs);
  };
  const onSignal = (): void => {
    if (ws.readyState === ws.OPEN) ws.close(WS_OK);
    else ws.terminate();
  };

  return new Promise<number>((resolve) => {
    process.on('SIGINT', onSignal);
    ws.on('error', (err: Error) => {
      if (!opened) {
        failure = err;
        return;
      }
      const code = (err as { code?: unknown }).code;
      io.stderr.write(`websocket: error: ${err.message}${typeof code === 'string' ? ` [${code}]` : ''}\n`);
    });
    ws.on('open', () => {
      opened = true;
      const extras = [ws.protocol === '' ? '' : `subprotocol ${ws.protocol}`, ws.extensions === '' ? '' : `extensions ${ws.extensions}`].filter(Boolean);
      io.stderr.write(`connected to ${ws.url}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}\n`);
      if (settings.pingMs !== undefined) {
        pingTimer = setInterval(() => ws.readyState === ws.OPEN && ws.ping(), settings.pingMs);
      }
      if (settings.send.length > 0) {
        for (const message of settings.send) send(message);
        closeAfterWait();
        return;
      }
      rl = createInterface({ input: io.stdin, output: interactive ? io.stdout : undefined, terminal: interactive });
      rl.on('line', send);
      if (interactive) {
        rl.setPrompt('> ');
        rl.prompt();
        rl.on('SIGINT', onSignal);
        rl.on('close', () => ws.readyState === ws.OPEN && ws.close(WS_OK));
      } else {
        rl.on('close', closeAfterWait);
      }
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => print(formatMessage('<', data, isBinary, settings.format)));
    ws.on('ping', (data: Buffer) => print(formatControl('<', 'ping', data)));
    ws.on('pong', (data: Buffer) => print(formatControl('<', 'pong', data)));
    ws.on('close', (code: number, reason: Buffer, wasClean: boolean) => {
      process.off('SIGINT', onSignal);
      clearInterval(pingTimer);
      clearTimeout(waitTimer);
      rl?.removeAllListeners('close');
      rl?.close();
      if (!opened) {
        io.stderr.write(`websocket: ${describeConnectFailure(failure ?? new Error('the connection closed during the opening handshake'), settings.url)}\n`);
        resolve(ExitCode.ConnectFailed);
        return;
      }
      if (interactive) io.stdout.write('\r\x1b[K');
      const text = reason.toString('utf8');
      io.stderr.write(`closed ${closeLabel(code)}${text === '' ? '' : `: ${text}`}${wasClean ? '' : ' (not clean)'}\n`);
      resolve(wasClean && CLEAN_CODES.has(code) ? ExitCode.Ok : ExitCode.Abnormal);
    });
  });
}
