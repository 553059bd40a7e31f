/**
 * Helpers for the CLI tests: run the built `websocket` command as a child process, bounded in
 * time, and remember every child so a test can kill exactly the processes it started.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built command, as `npm i` would install it. */
export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** What a finished run printed and how it ended. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
const cleanups: Array<() => unknown> = [];

/** Kill (SIGKILL, by PID) every child still running. */
export function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }
  children.clear();
}

/** Run `fn` (a server's or a client's close) after the current test, last registered first. */
export function onCleanUp(fn: () => unknown): void {
  cleanups.push(fn);
}

/** For afterEach: kill the children this test started, then run what {@link onCleanUp} registered. */
export async function cleanUp(): Promise<void> {
  killChildren();
  for (const fn of cleanups.splice(0).reverse()) await fn();
}

/** A started command and everything it has printed so far. */
export interface Started {
  child: ChildProcess;
  stdout: string;
  stderr: string;
}

// The command reads proxies from the environment: the tests start from one without them.
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !PROXY_VARIABLES.includes(name)));

/** This process's environment without proxy variables, plus `extra`. */
export function testEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string | undefined> {
  return { ...CLEAN_ENV, ...extra };
}

/** How to start the command. */
export interface StartOptions {
  /** Written to stdin, which is then closed; without it stdin is closed at once (unless `keepStdin`). */
  input?: string | undefined;
  /** Leave stdin open (a pipe, so "not a TTY") for the test to write to. */
  keepStdin?: boolean | undefined;
  /** The environment; default: this process's without proxy variables ({@link testEnv}). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** Start the command with `args`; stdin is a pipe (so "not a TTY"). */
export function start(args: string[], { input, keepStdin = false, env = CLEAN_ENV }: StartOptions = {}): Started {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
  children.add(child);
  const started: Started = { child, stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (started.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (started.stderr += chunk));
  if (!keepStdin) child.stdin?.end(input);
  return started;
}

/** Run the command to its end (killed after `timeoutMs`) and collect its output. */
export function run(args: string[], { timeoutMs = 10_000, ...options }: StartOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  return finished(start(args, options), timeoutMs);
}

/** Wait for a started command to exit (SIGKILL after `timeoutMs`), with everything it printed. */
export function finished(started: Started, timeoutMs = 10_000): Promise<RunResult> {
  const { child } = started;
  return new Promise((resolve) => {
    const done = (): void => resolve({ code: child.exitCode, signal: child.signalCode, stdout: started.stdout, stderr: started.stderr });
    if (child.exitCode !== null || child.signalCode !== null) {
      done();
      return;
    }
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      done();
    });
  });
}

/** Resolve with the first match of `pattern` in everything printed on `stream` (rejects after `timeoutMs`). */
export function waitForLine(started: Started, pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 5_000): Promise<RegExpExecArray> {
  const source = started.child[stream];
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const match = pattern.exec(started[stream]);
      if (match === null) return false;
      clearTimeout(timer);
      source?.off('data', check);
      resolve(match);
      return true;
    };
    const timer = setTimeout(() => {
      source?.off('data', check);
      reject(new Error(`no ${stream} matching ${pattern} within ${timeoutMs} ms; got: ${started[stream]}`));
    }, timeoutMs);
    // The collector was attached first, so by the time this listener runs the chunk is in `stdout`/`stderr`.
    if (!check()) source?.on('data', check);
  });
}
