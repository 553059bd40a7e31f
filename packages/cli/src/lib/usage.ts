/**
 * The `websocket` command's help (written from the flag table, so every flag is listed with an
 * example), its exit codes and its usage errors.
 */
import { FLAGS } from './flags.ts';
import type { FlagGroup, FlagSpec } from './flags.ts';

/** Exit codes scripts can rely on. */
export const ExitCode = {
  /** The connection closed cleanly (1000, 1001 or no status), or a server stopped on a signal. */
  Ok: 0,
  /** The connection could not be made (refused, host not found, TLS or opening handshake failed), or a server could not listen. */
  ConnectFailed: 1,
  /** The command line was wrong. */
  Usage: 2,
  /** The connection closed abnormally (1006) or with an error close code, or failed after opening. */
  Abnormal: 3,
} as const;

/** Which side's help to show: the client's (`connect`), the servers' (`serve`), or all. */
export type HelpTopic = 'connect' | 'serve';

/** A mistake on the command line: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  /** The help to point at (`websocket connect --help` …), or none for the top level. */
  readonly command: HelpTopic | undefined;

  constructor(message: string, command?: HelpTopic) {
    super(message);
    this.command = command;
  }

  override get name(): string {
    return 'UsageError';
  }
}

const SECTIONS: ReadonlyArray<{ group: FlagGroup; title: string; topics: ReadonlyArray<HelpTopic | undefined> }> = [
  { group: 'wscat-connect', title: "Connecting — wscat's flags, with wscat's meaning:", topics: [undefined, 'connect'] },
  { group: 'connect', title: 'Connecting — ours:', topics: [undefined, 'connect'] },
  { group: 'wscat-listen', title: "Interactive server — wscat's -l:", topics: [undefined, 'serve'] },
  { group: 'serve', title: 'Servers (-l and serve) — ours:', topics: [undefined, 'serve'] },
  { group: 'global', title: 'Everywhere:', topics: [undefined, 'connect', 'serve'] },
];

function flagLines(flag: FlagSpec): string {
  const names = `${flag.short === undefined ? '    ' : `-${flag.short}, `}--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}`;
  const also = flag.modes.length === 2 && flag.modes.includes('connect') && flag.modes.includes('listen') ? ' (also with -l)' : '';
  return `  ${names.padEnd(30)} ${flag.help}${also}\n  ${''.padEnd(30)}   e.g. ${flag.example}\n`;
}

const USAGE: Readonly<Record<'all' | HelpTopic, string>> = {
  all: `Usage: websocket -c <url> [options]      connect to a server (wscat's -c; also: websocket connect <url>)
       websocket -l <port> [options]     interactive server (wscat's -l)
       websocket serve [options]         echo or broadcast server, optionally with static files
`,
  connect: `Usage: websocket connect <url> [options]   (the same as: websocket -c <url> [options])
`,
  serve: `Usage: websocket serve [options]          echo (default) or broadcast server
       websocket -l <port> [options]     interactive server: print what clients send, send what you type
`,
};

const ABOUT = `
A WebSocket (RFC 6455) client and server for the terminal, from @rfc6455/cli. Flags that wscat
has mean what they mean in wscat; durations are in seconds, as wscat's -w.

A client prints what arrives on stdout (after "< " in a terminal) and status lines on stderr.
Interactively, each line you type is sent as a text message; with -x, or with stdin piped in, the
messages are sent, replies are awaited for -w seconds, and the connection is closed with 1000.
`;

const SERVE_ABOUT = `
serve logs one line when a connection opens and one when it closes; -l also prints what each
client sends (#<n> < …) and sends each line you type to every client. Plain HTTP requests get
426 Upgrade Required, or files from --static. Ctrl-C (SIGINT) or SIGTERM closes every connection
with 1001 and exits 0.
`;

const EXIT_CODES = `
Exit codes: 0 clean close (1000, 1001, no status) or a server stopped by a signal; 1 could not
connect (refused, host not found, TLS, handshake failed; the HTTP status is shown) or could not
listen; 2 usage error; 3 closed abnormally (1006) or with another close code.
Environment: HTTPS_PROXY, HTTP_PROXY, NO_PROXY (a client, unless --proxy is given); NO_COLOR.
`;

/** The help text: everything, or one side (`websocket connect --help`, `websocket serve --help`). */
export function renderHelp(topic?: HelpTopic): string {
  let text = USAGE[topic ?? 'all'];
  if (topic !== 'serve') text += ABOUT;
  if (topic !== 'connect') text += SERVE_ABOUT;
  for (const section of SECTIONS) {
    if (!section.topics.includes(topic)) continue;
    const flags = FLAGS.filter((flag) => flag.group === section.group);
    text += `\n${section.title}\n${flags.map(flagLines).join('')}`;
  }
  // The client flags that also apply to -l, in the servers' own help.
  if (topic === 'serve') {
    const shared = FLAGS.filter((flag) => flag.modes.includes('listen') && (flag.group === 'wscat-connect' || flag.group === 'connect'));
    text += `\nWith -l, also:\n${shared.map(flagLines).join('')}`;
  }
  return text + EXIT_CODES;
}
