/**
 * Peer processes (src/peers/peer.ts) for the fault suite: start one — optionally inside a network
 * namespace (`ip netns exec`) or under a low open-file limit (`ulimit -n`) — send it commands, wait
 * for its events, signal it (SIGKILL, SIGSTOP, SIGCONT) and end it. Every process is ended by its
 * PID, the one this module started (`ip netns exec` and `sh -c 'exec …'` keep the PID), and
 * {@link endAllPeers} ends whatever a failed test left running.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PeerConfig, PeerStats } from '../peers/peer.ts';

export type { PeerConfig, PeerStats } from '../peers/peer.ts';

/** One JSON line a peer printed: `ev` names it, `t` is ms since the peer started. */
export interface PeerEvent {
  ev: string;
  t: number;
  code?: number | string;
  wasClean?: boolean;
  port?: number;
  stats?: PeerStats;
  [key: string]: unknown;
}

/** Where and how to run a peer. */
export interface PeerPlacement {
  /** Run inside this network namespace (needs root). */
  netns?: string;
  /** Run with this open-file limit (soft and hard). */
  maxOpenFiles?: number;
}

const PEER = fileURLToPath(new URL('../peers/peer.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('../peers/register.mjs', import.meta.url));
const running = new Set<PeerProcess>();

/** A started peer process and everything it has reported. */
export class PeerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every event so far, in order. */
  readonly events: PeerEvent[] = [];
  /** What it wrote to stderr (for failure messages). */
  stderr = '';
  /** Resolves when the process has exited (code, or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters = new Set<() => void>();

  /** Start a peer with `config`, placed as `placement` says. */
  constructor(config: PeerConfig, placement: PeerPlacement = {}) {
    const node = [process.execPath, '--conditions=source', '--import', REGISTER, PEER, JSON.stringify(config)];
    let command = node;
    // Both wrappers exec the next program, so the PID we get is the peer's own.
    if (placement.maxOpenFiles !== undefined) command = ['sh', '-c', `ulimit -n ${placement.maxOpenFiles} && exec "$@"`, 'sh', ...command];
    if (placement.netns !== undefined) command = ['ip', 'netns', 'exec', placement.netns, ...command];
    this.child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    if (this.child.pid === undefined) throw new Error(`could not start ${command[0]}`);
    this.pid = this.child.pid;
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        running.delete(this);
        resolve({ code, signal });
        this.#wake();
      });
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as PeerEvent);
      } catch {
        this.stderr += `(not JSON) ${line}\n`;
      }
      this.#wake();
    });
  }

  /** Send a command (see peer.ts). */
  command(cmd: string, args: Record<string, number> = {}): void {
    this.child.stdin!.write(`${JSON.stringify({ cmd, ...args })}\n`);
  }

  /**
   * The first event (from index `from`) that `match` accepts; rejects after `timeoutMs`, or when
   * the process exits first, with what it printed.
   */
  waitFor(match: (event: PeerEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<PeerEvent> {
    return new Promise((resolve, reject) => {
      let checked = from;
      const check = (): void => {
        for (; checked < this.events.length; checked++) {
          const event = this.events[checked]!;
          if (match(event)) {
            done();
            resolve(event);
            return;
          }
        }
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`peer ${this.pid} exited (${this.child.exitCode ?? this.child.signalCode}) without the event; stderr: ${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`peer ${this.pid}: no matching event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(-10))}; stderr: ${this.stderr}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** The next event named `ev` from index `from` (default: any so far). */
  next(ev: string, timeoutMs?: number, from?: number): Promise<PeerEvent> {
    return this.waitFor((event) => event.ev === ev, timeoutMs, from);
  }

  /** The peer's ledger now (a fresh `stats` event). */
  async stats(): Promise<PeerStats> {
    const from = this.events.length;
    this.command('stats');
    return (await this.next('stats', 10_000, from)).stats!;
  }

  /** Send `signal` to the peer's PID. */
  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  /** End the peer (SIGKILL by PID, after SIGCONT in case it is stopped) and wait for it. */
  async end(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await this.exited;
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** End every peer still running (for afterEach); only the processes this module started. */
export async function endAllPeers(): Promise<void> {
  await Promise.all([...running].map((peer) => peer.end()));
}

/** Start a server peer and wait until it listens; returns it and its port. */
export async function startServerPeer(config: Omit<PeerConfig, 'role'>, placement?: PeerPlacement): Promise<{ peer: PeerProcess; port: number }> {
  const peer = new PeerProcess({ ...config, role: 'server' }, placement);
  const listening = await peer.next('listening', 20_000);
  return { peer, port: listening.port! };
}

/** Start a client peer and wait until it is open. */
export async function startClientPeer(config: Omit<PeerConfig, 'role'>, placement?: PeerPlacement): Promise<PeerProcess> {
  const peer = new PeerProcess({ ...config, role: 'client' }, placement);
  await peer.next('open', 20_000);
  return peer;
}
