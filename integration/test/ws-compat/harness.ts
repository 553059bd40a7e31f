/**
 * The ws compatibility suite's harness. Each case is written from ws 8's documentation
 * (websockets/ws doc/ws.md), against the ws API only, and runs twice in the same process: once
 * with `ws` from npm (the control: a case that fails on ws is a wrong case) and once with
 * `@rfc6455/websocket` swapped in for it, exactly as a migrating program would swap its import.
 *
 * A case gets an {@link Impl} (the module's exports) and a {@link Scope} that closes whatever the
 * case opened, so a failing case cannot leak a server or a socket into the next one.
 */
import type { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';

/* eslint-disable @typescript-eslint/no-explicit-any -- the cases drive two libraries through one untyped ws-shaped surface */

/** What a ws program imports: the default export and the named ones. */
export interface Impl {
  readonly name: 'ws' | 'ours';
  /** `import WebSocket from 'ws'`. */
  readonly WebSocket: any;
  /** `import { WebSocketServer } from 'ws'`. */
  readonly WebSocketServer: any;
  /** `import { createWebSocketStream } from 'ws'`. */
  readonly createWebSocketStream: any;
  /** The whole module namespace, for the import-shape cases. */
  readonly module: Record<string, any>;
}

/** One documented option, event or method, as a check that throws when the behaviour differs. */
export interface CompatCase {
  /** Stable id, `<area>.<name>`: what the differences list and the READMEs refer to. */
  readonly id: string;
  /** The doc/ws.md section it comes from. */
  readonly section: string;
  readonly run: (impl: Impl, scope: Scope) => Promise<void>;
}

/** Collects cleanups; the harness runs them after the case, whatever happened. */
export class Scope {
  readonly #cleanups: Array<() => unknown> = [];

  /** Run `fn` after the case (last registered, first run). */
  defer(fn: () => unknown): void {
    this.#cleanups.push(fn);
  }

  /** Start a ws-style server in standalone mode on a free loopback port and close it afterwards. */
  async listen(impl: Impl, options: Record<string, unknown> = {}): Promise<{ wss: any; port: number; url: string }> {
    const wss = new impl.WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
    this.defer(() => closeServer(wss));
    await next(wss, 'listening');
    const { port } = wss.address() as AddressInfo;
    return { wss, port, url: `ws://127.0.0.1:${port}` };
  }

  /** Open a client and terminate it afterwards. Does not wait for 'open'. */
  client(impl: Impl, url: string, ...rest: unknown[]): any {
    const ws = new impl.WebSocket(url, ...rest);
    this.defer(() => ws.terminate());
    return ws;
  }

  async dispose(): Promise<void> {
    for (const fn of this.#cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // A cleanup of something the case already closed.
      }
    }
  }
}

function closeServer(wss: any): Promise<void> {
  for (const client of wss.clients ?? []) client.terminate();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    wss.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Resolve with the arguments of the first `event`, reject after `ms`. Unlike `events.once`, an
 * 'error' event does not reject: the cases look at errors themselves.
 */
export function next(emitter: EventEmitter, event: string, ms = 3000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, listener);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const listener = (...args: any[]): void => {
      clearTimeout(timer);
      resolve(args);
    };
    emitter.once(event, listener);
  });
}

/** Throw unless `actual` deep-equals `expected` (JSON comparison, enough for these cases). */
export function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Throw unless `condition` holds. */
export function check(condition: unknown, what: string): void {
  if (!condition) throw new Error(what);
}

/** Declare the cases of one doc/ws.md section. */
export function cases(section: string, table: Record<string, CompatCase['run']>): CompatCase[] {
  return Object.entries(table).map(([id, run]) => ({ id, section, run }));
}

/** Load both implementations. */
export async function implementations(): Promise<[Impl, Impl]> {
  const ws = await import('ws');
  const ours = await import('@rfc6455/websocket');
  const of = (name: 'ws' | 'ours', module: Record<string, any>): Impl => ({
    name,
    module,
    WebSocket: module['default'],
    WebSocketServer: module['WebSocketServer'],
    createWebSocketStream: module['createWebSocketStream'],
  });
  return [of('ws', ws as Record<string, any>), of('ours', ours as Record<string, any>)];
}

/** Run one case with a time bound; resolves with the error, or undefined when it passed. */
export async function runCase(testCase: CompatCase, impl: Impl, timeoutMs = 8000): Promise<Error | undefined> {
  const scope = new Scope();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      testCase.run(impl, scope),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    clearTimeout(timer);
    await scope.dispose();
  }
}
