/**
 * From the parsed command line to what `connect` does: the URL, the @rfc6455/client options
 * (headers, authentication, TLS files, proxy, redirects) and the session's settings.
 */
import { readFileSync } from 'node:fs';
import type { WebSocketOptions } from '@rfc6455/client';
import { has, integer, listValue, parseHeaders, seconds, stringValue } from './args.ts';
import type { CommandLine } from './args.ts';
import type { FormatOptions } from './format.ts';
import { UsageError } from './usage.ts';

/** The settings of one `connect` run. */
export interface ConnectSettings {
  /** Where to connect; userinfo, if any, stays in it (the client turns it into Basic auth). */
  readonly url: URL;
  /** The URL as printed: never with its userinfo. */
  readonly displayUrl: string;
  /** The client's options. */
  readonly options: WebSocketOptions;
  /** How to print messages. */
  readonly format: FormatOptions;
  /** Send typed or piped lines as binary messages. */
  readonly binary: boolean;
  /** Print pings and pongs received. */
  readonly showPingPong: boolean;
  /** Slash commands at the prompt. */
  readonly slash: boolean;
  /** Send a ping this often, in ms. */
  readonly pingMs: number | undefined;
  /** Messages to send once open (-x). */
  readonly execute: readonly string[];
  /** How long to wait for replies after -x or the end of piped input, in ms. */
  readonly waitMs: number;
  /** `--passphrase` without a value: ask on the terminal before connecting. */
  readonly askPassphrase: boolean;
}

const SCHEMES = ['ws:', 'wss:', 'http:', 'https:'];

/** The URL to dial: no scheme means ws:// (as in wscat), and only ws/wss/http/https are accepted. */
export function parseUrl(text: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `ws://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`not a URL: '${text}'`, 'connect');
  }
  if (!SCHEMES.includes(url.protocol)) {
    throw new UsageError(`the URL must start with ws://, wss://, http:// or https://, got '${url.protocol}'`, 'connect');
  }
  return url;
}

/** `url` without its userinfo, for printing. */
export function withoutUserinfo(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function readPem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UsageError(`cannot read the ${flag} file '${file}'${typeof code === 'string' ? ` (${code})` : ''}`, 'connect');
  }
}

/** How the command is used: typed at a prompt (stdin and stdout are terminals), or stdin alone a terminal. */
export interface ConnectContext {
  readonly interactive: boolean;
  readonly stdinIsTTY: boolean;
}

/** The settings of a `connect` run. */
export function connectSettings(line: CommandLine, { interactive, stdinIsTTY }: ConnectContext): ConnectSettings {
  const target = stringValue(line, 'connect');
  if (target !== undefined && line.positionals.length > 0) {
    throw new UsageError(`give the URL once: -c ${target} or ${line.positionals[0]}`, 'connect');
  }
  if (target === undefined && line.positionals.length !== 1) {
    throw new UsageError(
      line.positionals.length === 0 ? 'connect needs a URL, e.g. ws://127.0.0.1:8080/' : `connect takes one URL, got ${line.positionals.length}: ${line.positionals.join(' ')}`,
      'connect',
    );
  }
  const url = parseUrl(target ?? (line.positionals[0] as string));
  const options: WebSocketOptions = {
    handshakeTimeoutMs: seconds('connect', '--timeout', stringValue(line, 'timeout'), 10_000, true),
    closeTimeoutMs: 5_000,
    // As python -m websockets: HTTPS_PROXY / HTTP_PROXY / NO_PROXY unless a proxy is given.
    proxy: stringValue(line, 'proxy') ?? 'env',
  };

  const headers = parseHeaders('connect', listValue(line, 'header'));
  const auth = stringValue(line, 'auth');
  const credentials = [url.username !== '' || url.password !== '' ? 'the URL' : '', auth === undefined ? '' : '--auth', headers['authorization'] === undefined ? '' : 'an Authorization header'].filter(Boolean);
  if (credentials.length > 1) throw new UsageError(`credentials are given twice (${credentials.join(' and ')}); keep one`, 'connect');
  if (auth !== undefined) {
    if (!auth.includes(':')) throw new UsageError("--auth must look like user:password (RFC 7617 Basic)", 'connect');
    headers['authorization'] = `Basic ${Buffer.from(auth, 'utf8').toString('base64')}`;
  }
  const host = stringValue(line, 'host');
  if (host !== undefined) {
    if (headers['host'] !== undefined) throw new UsageError('the Host header is given twice (--host and -H Host:); keep one', 'connect');
    headers['host'] = host;
  }
  if (Object.keys(headers).length > 0) options.headers = headers;
  const protocols = listValue(line, 'subprotocol');
  if (protocols.length > 0) options.protocols = protocols;
  const origin = stringValue(line, 'origin');
  if (origin !== undefined) options.origin = origin;

  const version = stringValue(line, 'protocol');
  if (version !== undefined && version !== '13') {
    throw new UsageError(
      version === '8'
        ? '-p 8: @rfc6455/client speaks protocol version 13 only (every server that accepts 8 accepts 13); leave -p out'
        : `-p/--protocol is the WebSocket protocol version (13), as in wscat, got '${version}'; a subprotocol is -s <name>`,
      'connect',
    );
  }

  if (has(line, 'no-check')) options.rejectUnauthorized = false;
  const ca = stringValue(line, 'ca');
  if (ca !== undefined) options.ca = readPem('--ca', ca);
  const cert = stringValue(line, 'cert');
  const key = stringValue(line, 'key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together: give both', 'connect');
  if (cert !== undefined) options.cert = readPem('--cert', cert);
  if (key !== undefined) options.key = readPem('--key', key);
  const passphrase = line.values.get('passphrase');
  if (passphrase !== undefined && key === undefined) throw new UsageError('--passphrase is for the --key file: give --cert and --key too', 'connect');
  if (typeof passphrase === 'string') options.tls = { passphrase };
  if (passphrase === true && !stdinIsTTY) {
    throw new UsageError('--passphrase without a value asks on the terminal, and stdin is not one: give --passphrase <passphrase>', 'connect');
  }

  if (has(line, 'location')) options.followRedirects = true;
  const maxRedirects = stringValue(line, 'max-redirects');
  if (maxRedirects !== undefined) {
    if (!has(line, 'location')) throw new UsageError('--max-redirects limits -L/--location: give -L too', 'connect');
    options.maxRedirects = integer('connect', 'max-redirects', maxRedirects, 10, 0, 1000);
  }

  if (has(line, 'no-deflate')) options.perMessageDeflate = false;

  const execute = listValue(line, 'execute');
  const wait = stringValue(line, 'wait');
  if (wait !== undefined && execute.length === 0 && interactive) {
    throw new UsageError('-w/--wait is the wait after -x/--execute or after piped input; add -x <message>', 'connect');
  }
  const pingInterval = stringValue(line, 'ping-interval');
  const binary = has(line, 'binary');
  return {
    url,
    displayUrl: withoutUserinfo(url),
    options,
    format: { hex: binary, json: has(line, 'json') },
    binary,
    showPingPong: has(line, 'show-ping-pong'),
    slash: has(line, 'slash'),
    pingMs: pingInterval === undefined ? undefined : seconds('connect', '--ping-interval', pingInterval, 0, true),
    execute,
    waitMs: seconds('connect', '-w/--wait', wait, 2_000, false),
    askPassphrase: passphrase === true,
  };
}
