/**
 * Python `websockets` as a real peer (Debian python3-websockets, always run with /usr/bin/python3;
 * `scripts/setup-peers.mjs` installs it). A peer script that serves prints `{"port": N}` on its first
 * stdout line once it listens; one that connects prints one JSON object per step and exits.
 * Only the processes started here are ever killed, by their id.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** The interpreter every peer runs with: Debian's, where python3-websockets is installed. */
export const PYTHON = '/usr/bin/python3';

/** A Python peer that serves. */
export interface PythonServer {
  /** The port it printed. */
  port: number;
  child: ChildProcess;
  /** Kill it (SIGKILL, by its id) unless it has exited already. */
  stop(): void;
}

function kill(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
}

/**
 * Start `script` with `args` and resolve once it printed its port; reject (and kill it) when it
 * exits first or prints nothing within `timeoutMs`.
 */
export function startPythonServer(script: string, args: readonly string[] = [], timeoutMs = 15_000): Promise<PythonServer> {
  const child = spawn(PYTHON, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      kill(child);
      reject(new Error(`${script}: ${why}${stderr === '' ? '' : `\n${stderr}`}`));
    };
    const timer = setTimeout(() => fail(`no port within ${timeoutMs} ms`), timeoutMs);
    const onExit = (code: number | null, signal: string | null): void => fail(`exited (${code ?? signal}) before printing its port`);
    child.once('exit', onExit);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      const { port } = JSON.parse(stdout.slice(0, newline)) as { port: number };
      resolve({ port, child, stop: () => kill(child) });
    });
  });
}

/** What a Python peer that ran to its end did. */
export interface PythonRun {
  /** Its exit code (null when a signal ended it). */
  exitCode: number | null;
  /** Each non-empty stdout line, parsed as JSON. */
  steps: unknown[];
  stderr: string;
}

/** Run `script` with `args` to its end; kill it and reject when it runs longer than `timeoutMs`. */
export function runPython(script: string, args: readonly string[] = [], timeoutMs = 30_000): Promise<PythonRun> {
  const child = spawn(PYTHON, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill(child);
      reject(new Error(`${script} still running after ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`));
    }, timeoutMs);
    child.once('close', (exitCode: number | null) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((line) => line.trim() !== '');
      try {
        resolve({ exitCode, steps: lines.map((line) => JSON.parse(line) as unknown), stderr });
      } catch {
        reject(new Error(`${script} printed a line that is not JSON: ${stdout} stderr: ${stderr}`));
      }
    });
  });
}
