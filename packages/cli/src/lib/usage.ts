/**
 * The `websocket` command's help texts, exit codes and usage errors.
 */

/** Exit codes scripts can rely on. */
export const ExitCode = {
  /** The connection closed cleanly (1000, 1001 or no status), or `serve` stopped on a signal. */
  Ok: 0,
  /** The connection could not be made: refused, host not found, TLS or opening handshake failed. */
  ConnectFailed: 1,
  /** The command line was wrong. */
  Usage: 2,
  /** The connection closed abnormally (1006) or with an error close code, or failed after opening. */
  Abnormal: 3,
} as const;

/** A mistake on the command line: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  /** The command whose `--help` to point at (`connect`, `serve`, or none for the top level). */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }

  override get name(): string {
    return 'UsageError';
  }
}

/** `websocket --help`. */
export const MAIN_HELP = `Usage: websocket <command> [options]

A WebSocket (RFC 6455) client and server for the terminal, from @rfc6455/cli.

Commands:
  connect <url>   connect to a WebSocket server, send what you type, print what arrives
  serve           run an echo or broadcast WebSocket server, optionally serving static files

Options:
  -h, --help      show this help (or a command's: websocket connect --help)
  -v, --version   print the version

Examples:
  websocket connect ws://127.0.0.1:8080/
  websocket serve --port 8080 --echo

Exit codes: 0 clean close, 1 could not connect (refused, handshake failed), 2 usage error,
3 closed abnormally or with an error close code.
`;

/** `websocket connect --help`. */
export const CONNECT_HELP = `Usage: websocket connect <url> [options]

Connects to <url> (ws:, wss:, http: or https:). Interactively, each line you type is sent as a
text message and what arrives is printed with its direction and type:
  < text: hello
  < binary (5 bytes): 68656c6c6f
With --send, or with stdin piped in, the messages are sent, replies are awaited for --wait ms,
and the connection is closed with 1000. Status lines (connected, closed) go to stderr.

Options:
  -H, --header <"Name: value">  add a request header (repeatable)
  -s, --subprotocol <name>      offer a subprotocol (repeatable)
  -o, --origin <origin>         send this Origin header
  -c, --compress                offer permessage-deflate (RFC 7692)
  -b, --binary                  send messages as binary, print every message as hex
  -j, --json                    pretty-print received text that is JSON
  -p, --ping <ms>               send a ping every <ms> milliseconds
      --send <message>          send this message, non-interactively (repeatable)
  -w, --wait <ms>               after the last message, wait this long for replies (default 1000)
      --timeout <ms>            give up on the opening handshake after <ms> (default 10000)
  -h, --help                    show this help

Examples:
  websocket connect ws://127.0.0.1:8080/
  websocket connect wss://example.com/chat -s chat.v2 -H "Authorization: Bearer abc"
  websocket connect ws://127.0.0.1:8080/ --send hello --send world --wait 500
  printf 'one\\ntwo\\n' | websocket connect ws://127.0.0.1:8080/ --wait 200
  websocket connect ws://127.0.0.1:8080/ --json --ping 10000

Exit codes:
  0  the connection closed cleanly (1000, 1001, or no status code)
  1  could not connect: refused, host not found, TLS failure, handshake failed (HTTP status shown)
  2  usage error
  3  closed abnormally (1006) or with any other close code, or a protocol error
`;

/** `websocket serve --help`. */
export const SERVE_HELP = `Usage: websocket serve [options]

Runs a WebSocket server. Every connection is logged on stdout when it opens and when it closes
(with its close code). Ctrl-C (SIGINT) or SIGTERM closes every connection with 1001 and exits 0.
Plain HTTP requests get 426 Upgrade Required, or files from --static.

Options:
  -p, --port <port>     port to listen on (default 8080; 0 picks a free one)
      --host <host>     address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  -e, --echo            send every message back to its sender (the default)
  -B, --broadcast       send every message to every other connection
  -S, --static <dir>    serve the files under <dir> over HTTP on the same port
  -h, --help            show this help

Examples:
  websocket serve --port 8080 --echo
  websocket serve --port 9000 --host 0.0.0.0 --broadcast
  websocket serve --static ./public --broadcast

Exit codes: 0 stopped by a signal, 1 could not listen (e.g. port in use), 2 usage error.
`;
