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

/** Start the command with `args`; stdin is a pipe (so "not a TTY"), closed at once unless `input` is given. */
export function start(args: string[], input?: string): Started {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const started: Started = { child, stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (started.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (started.stderr += chunk));
  child.stdin?.end(input);
  return started;
}

/** Run the command to its end (killed after `timeoutMs`) and collect its output. */
export function run(args: string[], { input, timeoutMs = 10_000 }: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return finished(start(args, input), timeoutMs);
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

/** Resolve with the first match of `pattern` in everything printed on stdout (rejects after `timeoutMs`). */
export function waitForLine(started: Started, pattern: RegExp, timeoutMs = 5_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const match = pattern.exec(started.stdout);
      if (match === null) return false;
      clearTimeout(timer);
      started.child.stdout?.off('data', check);
      resolve(match);
      return true;
    };
    const timer = setTimeout(() => {
      started.child.stdout?.off('data', check);
      reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; got: ${started.stdout}`));
    }, timeoutMs);
    // The collector was attached first, so by the time this listener runs the chunk is in `stdout`.
    if (!check()) started.child.stdout?.on('data', check);
  });
}
