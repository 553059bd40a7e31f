/**
 * `websocket -c <url>` (or `websocket connect <url>`): an interactive, scripted (`-x`) or piped
 * WebSocket client on the terminal, over @rfc6455/client's public API.
 */
import { STATUS_CODES } from 'node:http';
import { CloseCode, ErrorCode, WS_GONE, WS_NO_STATUS, WS_OK } from '@rfc6455/codes';
import { WebSocket } from '@rfc6455/client';
import type { CommandLine } from './args.ts';
import { connectSettings, withoutUserinfo } from './connect-options.ts';
import type { ConnectSettings } from './connect-options.ts';
import { formatControl, formatMessage } from './format.ts';
import { askPassphrase } from './passphrase.ts';
import type { RawInput } from './passphrase.ts';
import { parseSlashCommand, runSlashCommand } from './slash-commands.ts';
import { Terminal } from './terminal.ts';
import type { CommandIo } from './terminal.ts';
import { ExitCode, UsageError } from './usage.ts';

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
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed (-n accepts it, --ca <file> trusts its CA)',
  SELF_SIGNED_CERT_IN_CHAIN: 'a certificate in the chain is self-signed (-n accepts it, --ca <file> trusts its CA)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate cannot be verified (-n accepts it, --ca <file> trusts its CA)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate is for another name (-n accepts it)',
  CERT_HAS_EXPIRED: 'the server certificate has expired (-n accepts it)',
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

/** Run a client and resolve with the exit code (see {@link ExitCode}). */
export async function runConnect(line: CommandLine, io: CommandIo): Promise<number> {
  const terminal = new Terminal(io, { noColor: line.values.has('no-color') });
  const settings = connectSettings(line, { stdinIsTTY: terminal.stdinIsTTY, interactive: terminal.interactive });
  if (settings.askPassphrase) {
    try {
      const passphrase = await askPassphrase(io.stdin as RawInput, io.stderr);
      settings.options.tls = { ...settings.options.tls, passphrase };
    } catch (err) {
      throw new UsageError((err as Error).message, 'connect');
    }
  }
  let ws: WebSocket;
  try {
    ws = new WebSocket(settings.url, settings.options);
  } catch (err) {
    // The client refuses a bad header, subprotocol or origin before dialling: a usage error.
    throw new UsageError(err instanceof Error ? err.message : String(err), 'connect');
  }
  return session(ws, settings, terminal);
}

function session(ws: WebSocket, settings: ConnectSettings, terminal: Terminal): Promise<number> {
  const scripted = settings.execute.length > 0;
  let opened = false;
  let failure: Error | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let waitTimer: NodeJS.Timeout | undefined;

  const close = (): void => {
    if (ws.readyState === ws.OPEN) ws.close(WS_OK);
    else if (ws.readyState === ws.CONNECTING) ws.terminate();
  };
  const send = (text: string): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (settings.slash) {
      const command = parseSlashCommand(text);
      if (command !== undefined) {
        const problem = 'error' in command ? command.error : runSlashCommand(command, [ws]);
        if (problem !== undefined) terminal.error(problem);
        return;
      }
    }
    ws.send(settings.binary ? Buffer.from(text, 'utf8') : text, { binary: settings.binary });
  };
  const closeAfterWait = (): void => {
    waitTimer = setTimeout(close, settings.waitMs);
  };

  return new Promise<number>((resolve) => {
    process.on('SIGINT', close);
    ws.on('error', (err: Error) => {
      if (!opened) {
        failure = err;
        return;
      }
      const code = (err as { code?: unknown }).code;
      terminal.error(`error: ${err.message}${typeof code === 'string' ? ` [${code}]` : ''}`);
    });
    ws.on('open', () => {
      opened = true;
      const extras = [ws.protocol === '' ? '' : `subprotocol ${ws.protocol}`, ws.extensions === '' ? '' : `extensions ${ws.extensions}`].filter(Boolean);
      const where = withoutUserinfo(new URL(ws.url));
      terminal.status(`connected to ${where}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}${terminal.interactive && !scripted ? ' — Ctrl+C to quit' : ''}`);
      if (settings.pingMs !== undefined) pingTimer = setInterval(() => ws.readyState === ws.OPEN && ws.ping(), settings.pingMs);
      if (scripted) {
        for (const message of settings.execute) send(message);
        closeAfterWait();
        return;
      }
      terminal.readLines({ onLine: send, onEnd: terminal.interactive ? close : closeAfterWait, onInterrupt: close });
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => terminal.message(formatMessage(data, isBinary, settings.format)));
    if (settings.showPingPong) {
      ws.on('ping', (data: Buffer) => terminal.message(formatControl('ping', data)));
      ws.on('pong', (data: Buffer) => terminal.message(formatControl('pong', data)));
    }
    ws.on('close', (code: number, reason: Buffer, wasClean: boolean) => {
      process.off('SIGINT', close);
      clearInterval(pingTimer);
      clearTimeout(waitTimer);
      terminal.close();
      if (!opened) {
        terminal.error(describeConnectFailure(failure ?? new Error('the connection closed during the opening handshake'), settings.url));
        resolve(ExitCode.ConnectFailed);
        return;
      }
      const text = reason.toString('utf8');
      terminal.status(`closed ${closeLabel(code)}${text === '' ? '' : `: ${text}`}${wasClean ? '' : ' (not clean)'}`);
      resolve(wasClean && CLEAN_CODES.has(code) ? ExitCode.Ok : ExitCode.Abnormal);
    });
  });
}
