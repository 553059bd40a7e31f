/**
 * The command's terminal: where lines go (messages on stdout, status and errors on stderr), wscat's
 * colours and `< ` marker when the output is a terminal, printing above the prompt while the user
 * types, and the lines read from stdin (a prompt in a terminal, plain lines from a pipe).
 */
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';

/** Where the command reads and writes; the process's streams unless a caller substitutes them. */
export interface CommandIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  stdout: NodeJS.WritableStream & { isTTY?: boolean | undefined };
  stderr: NodeJS.WritableStream & { isTTY?: boolean | undefined };
  /** The environment (for NO_COLOR); `process.env` by default. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

// wscat's palette: incoming blue, status green, errors yellow.
const BLUE = '\x1b[34m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const DEFAULT = '\x1b[39m';

/** What to do with the lines read from stdin. */
export interface LineHandlers {
  /** A line was typed or read. */
  onLine(line: string): void;
  /** Ctrl-D in a terminal, or the end of piped input. */
  onEnd(): void;
  /** Ctrl-C at the prompt. */
  onInterrupt(): void;
}

/** The command's view of its streams. */
export class Terminal {
  /** stdin and stdout are both terminals: lines are typed at a prompt. */
  readonly interactive: boolean;
  readonly #io: CommandIo;
  readonly #color: boolean;
  #input: Interface | undefined;

  constructor(io: CommandIo, { noColor = false }: { noColor?: boolean } = {}) {
    this.#io = io;
    this.interactive = io.stdin.isTTY === true && io.stdout.isTTY === true;
    // https://no-color.org: any non-empty NO_COLOR turns colours off.
    this.#color = !noColor && ((io.env ?? process.env)['NO_COLOR'] ?? '') === '';
  }

  /** Whether stdin is a terminal (a passphrase can be asked for). */
  get stdinIsTTY(): boolean {
    return this.#io.stdin.isTTY === true;
  }

  #write(stream: CommandIo['stdout'], text: string, color: string): void {
    const painted = this.#color && stream.isTTY === true ? `${color}${text}${DEFAULT}` : text;
    if (this.#input !== undefined && this.interactive) {
      // Print above the line being typed, then redraw the prompt and what was typed so far.
      this.#io.stdout.write('\r\x1b[K');
      stream.write(`${painted}\n`);
      this.#input.prompt(true);
    } else {
      stream.write(`${painted}\n`);
    }
  }

  /**
   * Something that arrived, on stdout: after wscat's `< ` when stdout is a terminal, or after
   * `<from> < ` always (a server's `#1 < hello`).
   */
  message(text: string, from?: string): void {
    const line = from !== undefined ? `${from} < ${text}` : this.#io.stdout.isTTY === true ? `< ${text}` : text;
    this.#write(this.#io.stdout, line, BLUE);
  }

  /** A log line on stdout (a server's `#1 open …`). */
  log(text: string): void {
    this.#write(this.#io.stdout, text, GREEN);
  }

  /** A status line on stderr (`connected to …`, `closed 1000 …`). */
  status(text: string): void {
    this.#write(this.#io.stderr, text, GREEN);
  }

  /** An error line on stderr: `websocket: <text>`. */
  error(text: string): void {
    this.#write(this.#io.stderr, `websocket: ${text}`, YELLOW);
  }

  /** Read stdin line by line until {@link close}: at a `> ` prompt when interactive. */
  readLines(handlers: LineHandlers): void {
    const rl = createInterface({ input: this.#io.stdin, output: this.interactive ? this.#io.stdout : undefined, terminal: this.interactive });
    rl.on('line', (line: string) => {
      handlers.onLine(line);
      // As wscat: a fresh prompt after each line, whether or not anything arrives.
      if (this.interactive && this.#input === rl) rl.prompt();
    });
    this.#input = rl;
    rl.on('close', () => {
      if (this.#input === rl) this.#input = undefined;
      handlers.onEnd();
    });
    if (this.interactive) {
      rl.on('SIGINT', () => handlers.onInterrupt());
      rl.setPrompt('> ');
      rl.prompt();
    }
  }

  /** Stop reading stdin and clear the prompt line. */
  close(): void {
    const rl = this.#input;
    this.#input = undefined;
    if (rl === undefined) return;
    rl.removeAllListeners('close');
    rl.close();
    if (this.interactive) this.#io.stdout.write('\r\x1b[K');
  }
}
