/**
 * The built command in a real terminal: a tmux session on a private socket (Debian `tmux`), keys
 * sent with send-keys, the screen read with capture-pane. The command runs under `sh`, which
 * prints `[exited <code>]` when it ends, so the exit code can be read from the screen.
 */
import { execFileSync } from 'node:child_process';
import { CLI, testEnv } from './cli.ts';

let sessions = 0;

/** One tmux server with one window running the command. */
export class TmuxSession {
  readonly #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Start `websocket <args>` in a `width`×`height` terminal with `env` added to the test environment. */
  static start(args: string[], { width = 120, height = 30, env = {} }: { width?: number; height?: number; env?: Record<string, string> } = {}): TmuxSession {
    const session = new TmuxSession(`rfc6455-cli-${process.pid}-${++sessions}`);
    session.#tmux(
      ['new-session', '-d', '-s', 'main', '-x', String(width), '-y', String(height), '--', 'sh', '-c', '"$@"; echo "[exited $?]"; exec sleep 600', 'sh', process.execPath, CLI, ...args],
      env,
    );
    return session;
  }

  #tmux(args: string[], env: Record<string, string> = {}): string {
    try {
      return execFileSync('tmux', ['-L', this.#socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: testEnv(env) });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') throw new Error('these tests need tmux: apt-get install -y tmux (scripts/setup-peers.mjs does it)');
      throw err;
    }
  }

  /** Type `text` as it is (no key names), without Enter. */
  type(text: string): void {
    this.#tmux(['send-keys', '-t', 'main', '-l', '--', text]);
  }

  /** Press keys by tmux name: `Enter`, `C-c`, `C-d`. */
  press(...keys: string[]): void {
    this.#tmux(['send-keys', '-t', 'main', ...keys]);
  }

  /** The screen as text, or with `escapes` its colours as SGR sequences too. */
  screen({ escapes = false }: { escapes?: boolean } = {}): string {
    return this.#tmux(['capture-pane', '-p', '-t', 'main', ...(escapes ? ['-e'] : [])]);
  }

  /** Resolve with the screen once `pattern` matches it (polled every 25 ms); reject after `timeoutMs`. */
  async waitFor(pattern: RegExp, { escapes = false, timeoutMs = 10_000 } = {}): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen({ escapes });
      const match = pattern.exec(screen);
      if (match !== null) return match;
      if (Date.now() > deadline) throw new Error(`the screen never matched ${pattern}:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Wait for the command to end and resolve with its exit code. */
  async exitCode(): Promise<number> {
    return Number((await this.waitFor(/\[exited (\d+)\]/))[1]);
  }

  /** End the tmux server (and the command, if it still runs). */
  kill(): void {
    try {
      this.#tmux(['kill-server']);
    } catch {
      // Already gone.
    }
  }
}
