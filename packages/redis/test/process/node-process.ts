/**
 * Start a server process (node.ts) from a test, send it commands, wait for what it prints, signal
 * it (SIGKILL, SIGSTOP, SIGCONT) by its PID, and end it. {@link endAll} ends whatever a failed test
 * left running, each by the PID this module started.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RedisAdapterOptions } from '../../src/index.ts';

/** The flags that make a process run the workspace's TypeScript sources. */
export const TYPESCRIPT_FLAGS = ['--conditions=source', '--import', fileURLToPath(new URL('./register.mjs', import.meta.url))];
const NODE = fileURLToPath(new URL('./node.ts', import.meta.url));
const running = new Set<NodeProcess>();

/** One JSON line the process printed. */
export interface NodeEvent {
  ev: string;
  [key: string]: unknown;
}

/** A server process and everything it printed. */
export class NodeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly events: NodeEvent[] = [];
  stderr = '';
  readonly exited: Promise<void>;
  #port = 0;
  readonly #waiters = new Set<() => void>();

  private constructor(options: RedisAdapterOptions) {
    this.child = spawn(process.execPath, [...TYPESCRIPT_FLAGS, NODE, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (this.child.pid === undefined) throw new Error('could not start a server process');
    this.pid = this.child.pid;
    running.add(this);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', () => {
        running.delete(this);
        resolve();
        this.#wake();
      }),
    );
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.events.push(JSON.parse(line) as NodeEvent);
      this.#wake();
    });
  }

  /** Start one; resolves once it listens and its adapter is ready. */
  static async start(options: RedisAdapterOptions): Promise<NodeProcess> {
    const node = new NodeProcess(options);
    const listening = await node.next((e) => e.ev === 'listening', 90_000);
    node.#port = listening.port as number;
    return node;
  }

  /** `ws://127.0.0.1:port`. */
  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  /** Send a command (see node.ts). */
  send(command: Record<string, unknown>): void {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** Send a command and wait for the event that answers it. */
  async ask(command: Record<string, unknown>, answer: string): Promise<NodeEvent> {
    const before = this.events.length;
    this.send(command);
    return this.next((e) => e.ev === answer, 60_000, before);
  }

  /** The first event (from index `from` on) that `match` accepts. */
  async next(match: (event: NodeEvent) => boolean, timeoutMs = 60_000, from = 0): Promise<NodeEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the server process exited: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for an event; got ${JSON.stringify(this.events)}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Send `signal` to the process by its PID. */
  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) process.kill(this.pid, signal);
  }

  /** SIGKILL it and wait for it to be gone. */
  async kill(): Promise<void> {
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    await this.exited;
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
    this.#waiters.clear();
  }
}

/** End every server process still running (each by its PID). */
export async function endAll(): Promise<void> {
  await Promise.all([...running].map((node) => node.kill()));
}
