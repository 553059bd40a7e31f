/**
 * Every flag of the `websocket` command in one table: its names, its value, the modes it applies
 * to, its help line and an example. The parser, `--help` and the tests all read this table, so a
 * flag cannot exist without help or an example. wscat's flags keep wscat's names and meanings
 * (wscat 6, bin/wscat); ours have names wscat does not use.
 */

/** What the command does: dial a server, run an interactive server (`-l`), or run `serve`. */
export type Mode = 'connect' | 'listen' | 'serve';

/** Where `--help` lists a flag. */
export type FlagGroup = 'wscat-connect' | 'connect' | 'wscat-listen' | 'serve' | 'global';

/** One flag. */
export interface FlagSpec {
  /** The long name, without `--`. */
  readonly name: string;
  /** The one-letter name, without `-`. */
  readonly short?: string;
  /** The value's placeholder (`<url>`, `[passphrase]` for an optional one); none for a switch. */
  readonly value?: string;
  /** The value may be left out (`--passphrase` alone asks for it). */
  readonly optionalValue?: boolean;
  /** May be given more than once; the values are kept in order. */
  readonly repeatable?: boolean;
  /** The modes it applies to; elsewhere it is a usage error. */
  readonly modes: readonly Mode[];
  /** Where `--help` lists it. */
  readonly group: FlagGroup;
  /** One line of help. */
  readonly help: string;
  /** An example command line using it. */
  readonly example: string;
  /** What to say when it is given in a mode it does not apply to (default: which modes it has). */
  readonly elsewhere?: string;
}

const CLIENT: readonly Mode[] = ['connect'];
const SERVER: readonly Mode[] = ['listen', 'serve'];
const PRINTING: readonly Mode[] = ['connect', 'listen'];
const ALL: readonly Mode[] = ['connect', 'listen', 'serve'];

/** The flags, in the order `--help` lists them. */
export const FLAGS: readonly FlagSpec[] = [
  // wscat's client flags.
  { name: 'connect', short: 'c', value: '<url>', modes: CLIENT, group: 'wscat-connect', help: 'connect to a WebSocket server (ws:, wss:, http:, https:; no scheme means ws://)', example: 'websocket -c ws://127.0.0.1:8080/chat' },
  { name: 'header', short: 'H', value: '<name:value>', repeatable: true, modes: CLIENT, group: 'wscat-connect', help: 'add a request header (repeatable)', example: "websocket -c wss://example.com/ -H 'Authorization: Bearer abc' -H 'X-Trace: 1'" },
  { name: 'auth', value: '<user:password>', modes: CLIENT, group: 'wscat-connect', help: 'Basic authentication (as does ws://user:password@host/); never printed', example: 'websocket -c ws://127.0.0.1:8080/ --auth alice:secret' },
  { name: 'origin', short: 'o', value: '<origin>', modes: CLIENT, group: 'wscat-connect', help: 'send this Origin header', example: 'websocket -c ws://127.0.0.1:8080/ -o https://app.example' },
  {
    name: 'host',
    value: '<host>',
    modes: CLIENT,
    group: 'wscat-connect',
    help: 'send this Host header',
    example: 'websocket -c ws://127.0.0.1:8080/ --host api.example.com',
    elsewhere: '--host is the Host header of a client (as in wscat); to choose the address a server listens on, use --bind <address>',
  },
  { name: 'subprotocol', short: 's', value: '<name>', repeatable: true, modes: CLIENT, group: 'wscat-connect', help: 'offer a subprotocol (repeatable, most preferred first)', example: 'websocket -c ws://127.0.0.1:8080/ -s chat.v2 -s chat' },
  {
    name: 'protocol',
    short: 'p',
    value: '<version>',
    modes: CLIENT,
    group: 'wscat-connect',
    help: 'WebSocket protocol version: 13, the only one this client speaks (8 is refused)',
    example: 'websocket -c ws://127.0.0.1:8080/ -p 13',
    elsewhere: "-p/--protocol is a client's WebSocket version (as in wscat); to choose the port, use -l <port> or serve --port <port>",
  },
  { name: 'no-check', short: 'n', modes: CLIENT, group: 'wscat-connect', help: 'accept any server certificate (self-signed, expired, other name)', example: 'websocket -c wss://127.0.0.1:8443/ -n' },
  { name: 'ca', value: '<file>', modes: CLIENT, group: 'wscat-connect', help: 'trust the CA certificates in this PEM file', example: 'websocket -c wss://127.0.0.1:8443/ --ca ./ca.pem' },
  { name: 'cert', value: '<file>', modes: CLIENT, group: 'wscat-connect', help: 'client certificate (PEM), with --key', example: 'websocket -c wss://127.0.0.1:8443/ --cert ./client.pem --key ./client-key.pem' },
  { name: 'key', value: '<file>', modes: CLIENT, group: 'wscat-connect', help: "the client certificate's private key (PEM)", example: 'websocket -c wss://127.0.0.1:8443/ --cert ./client.pem --key ./client-key.pem' },
  {
    name: 'passphrase',
    value: '[passphrase]',
    optionalValue: true,
    modes: CLIENT,
    group: 'wscat-connect',
    help: "the key's passphrase; without a value it is asked for on the terminal, not echoed",
    example: 'websocket -c wss://127.0.0.1:8443/ --cert ./client.pem --key ./client-key.pem --passphrase',
  },
  { name: 'location', short: 'L', modes: CLIENT, group: 'wscat-connect', help: 'follow HTTP redirects', example: 'websocket -c ws://127.0.0.1:8080/old -L' },
  { name: 'max-redirects', value: '<n>', modes: CLIENT, group: 'wscat-connect', help: 'most redirects -L follows (default 10)', example: 'websocket -c ws://127.0.0.1:8080/old -L --max-redirects 3' },
  { name: 'show-ping-pong', short: 'P', modes: PRINTING, group: 'wscat-connect', help: 'print a line for every ping and pong received', example: 'websocket -c ws://127.0.0.1:8080/ -P' },
  { name: 'slash', modes: PRINTING, group: 'wscat-connect', help: 'slash commands at the prompt: /ping [data], /pong [data], /close [code [reason]]', example: 'websocket -c ws://127.0.0.1:8080/ --slash' },
  { name: 'execute', short: 'x', value: '<message>', repeatable: true, modes: CLIENT, group: 'wscat-connect', help: 'send this message once connected, then close after --wait (repeatable)', example: 'websocket -c ws://127.0.0.1:8080/ -x hello -x world -w 0.5' },
  { name: 'wait', short: 'w', value: '<seconds>', modes: CLIENT, group: 'wscat-connect', help: 'after -x, or at the end of piped input, wait this long for replies before closing (default 2)', example: "printf 'one\\ntwo\\n' | websocket -c ws://127.0.0.1:8080/ -w 0.5" },
  { name: 'proxy', value: '<url>', modes: CLIENT, group: 'wscat-connect', help: 'connect through this HTTP(S) CONNECT proxy; default: HTTPS_PROXY/HTTP_PROXY unless NO_PROXY matches', example: 'websocket -c wss://example.com/ --proxy http://127.0.0.1:3128' },
  // Our client flags.
  { name: 'json', modes: PRINTING, group: 'connect', help: 'pretty-print received text that is JSON', example: 'websocket -c ws://127.0.0.1:8080/ --json' },
  { name: 'binary', modes: PRINTING, group: 'connect', help: 'send what you type as binary messages; print every message as hex', example: 'websocket -c ws://127.0.0.1:8080/ --binary -x hello' },
  {
    name: 'no-deflate',
    modes: CLIENT,
    group: 'connect',
    help: 'do not offer permessage-deflate (a client offers it by default)',
    example: 'websocket -c ws://127.0.0.1:8080/ --no-deflate',
    elsewhere: 'a server declines permessage-deflate by default (--deflate makes it accept)',
  },
  { name: 'ping-interval', value: '<seconds>', modes: CLIENT, group: 'connect', help: 'send a ping every <seconds>', example: 'websocket -c ws://127.0.0.1:8080/ --ping-interval 10 -P' },
  { name: 'timeout', value: '<seconds>', modes: CLIENT, group: 'connect', help: 'give up on the opening handshake after <seconds> (default 10)', example: 'websocket -c ws://127.0.0.1:8080/ --timeout 3' },
  // wscat's server flag.
  {
    name: 'listen',
    short: 'l',
    value: '<port>',
    modes: ['listen'],
    group: 'wscat-listen',
    help: 'interactive server on <port>: print what clients send, send what you type to all of them',
    example: 'websocket -l 8080',
    elsewhere: '-l/--listen starts the interactive server by itself (websocket -l 8080); serve takes --port <port>',
  },
  // Our server flags.
  {
    name: 'port',
    value: '<port>',
    modes: ['serve'],
    group: 'serve',
    help: 'serve: the port to listen on (default 8080; 0 picks a free one)',
    example: 'websocket serve --port 9000',
    elsewhere: '--port belongs to serve (websocket serve --port 8080); the interactive server takes the port as -l <port>',
  },
  { name: 'bind', value: '<address>', modes: SERVER, group: 'serve', help: 'the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)', example: 'websocket serve --bind 0.0.0.0 --broadcast' },
  { name: 'echo', short: 'e', modes: SERVER, group: 'serve', help: "send every message back to its sender (serve's default)", example: 'websocket serve --echo' },
  { name: 'broadcast', short: 'B', modes: SERVER, group: 'serve', help: 'send every message to every other connection', example: 'websocket -l 8080 --broadcast' },
  { name: 'static', short: 'S', value: '<dir>', modes: SERVER, group: 'serve', help: 'serve the files under <dir> over HTTP on the same port', example: 'websocket serve --static ./public --broadcast' },
  {
    name: 'deflate',
    modes: SERVER,
    group: 'serve',
    help: 'accept permessage-deflate (a server declines it by default)',
    example: 'websocket serve --deflate',
    elsewhere: 'a client offers permessage-deflate by default (--no-deflate turns it off); --deflate is for servers',
  },
  // Everywhere.
  { name: 'no-color', modes: ALL, group: 'global', help: 'no colours (neither when NO_COLOR is set or the output is not a terminal)', example: 'websocket -c ws://127.0.0.1:8080/ --no-color' },
  { name: 'version', short: 'V', modes: ALL, group: 'global', help: 'print the version', example: 'websocket -V' },
  { name: 'help', short: 'h', modes: ALL, group: 'global', help: 'show this help (websocket connect --help, websocket serve --help: one side)', example: 'websocket --help' },
];

/**
 * Names people type from habit (wscat's own help, curl, our earlier flags) that are not flags
 * here, with what to type instead.
 */
export const INSTEAD: Readonly<Record<string, string>> = {
  compress: 'permessage-deflate is on by default in a client (--no-deflate turns it off); a server accepts it with --deflate',
  send: 'to send a message once connected, use -x/--execute <message> (repeatable)',
  ping: 'for periodic pings use --ping-interval <seconds>; with --slash, /ping sends one',
  headers: "use -H/--header 'Name: value', once per header",
  subprotocols: 'use -s/--subprotocol <name>, once per subprotocol',
  protocols: 'use -s/--subprotocol <name>, once per subprotocol (-p/--protocol is the WebSocket version)',
  insecure: 'to accept any certificate, use -n/--no-check',
  k: 'to accept any certificate, use -n/--no-check',
  user: 'for Basic authentication, use --auth user:password',
  u: 'for Basic authentication, use --auth user:password',
  'follow-redirects': 'to follow redirects, use -L/--location',
  follow: 'to follow redirects, use -L/--location',
  v: 'for the version, use -V (capital) or --version',
  j: 'to pretty-print JSON, use --json',
  b: 'for binary messages, use --binary',
  check: 'certificates are checked by default; -n/--no-check turns that off',
  color: 'colours are on in a terminal by default; --no-color turns them off',
};

const byLong = new Map(FLAGS.map((flag) => [flag.name, flag]));
const byShort = new Map(FLAGS.filter((flag) => flag.short !== undefined).map((flag) => [flag.short as string, flag]));

/** The flag named `--name`, if there is one. */
export function flagByName(name: string): FlagSpec | undefined {
  return byLong.get(name);
}

/** The flag named `-c`, if there is one. */
export function flagByShort(letter: string): FlagSpec | undefined {
  return byShort.get(letter);
}

/** `-c, --connect <url>`: how `--help` and error messages name a flag. */
export function flagLabel(flag: FlagSpec): string {
  return `${flag.short === undefined ? '' : `-${flag.short}/`}--${flag.name}`;
}
