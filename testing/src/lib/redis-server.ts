/**
 * Real Redis for the tests: `/usr/bin/redis-server` (Debian package redis-server, 7.0) started on a
 * free loopback port, and a three-node Redis Cluster started with `redis-cli --cluster create`.
 * Every process is stopped by its PID; nothing listens on anything but 127.0.0.1. No mocks.
 */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';

/**
 * A free port below the kernel's ephemeral range (32768–60999 on Linux). A client that keeps
 * reconnecting to a killed Redis on an ephemeral port can be handed that very port as its own
 * source port and connect to itself (TCP simultaneous open): it then "talks to Redis" with its
 * own commands. Ports from 20000 to 32767 are never chosen as source ports.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (await isFree(port)) return port;
  }
  throw new Error('no free port between 20000 and 32767');
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Send one inline command and read until `done(reply)` says the reply is complete (or the socket ends). */
export async function rawCommand(port: number, command: string, done: (reply: string) => boolean = (r) => r.endsWith('\r\n')): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply to ${command} on ${port}`));
    }, 2000);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const reply = Buffer.concat(chunks).toString('utf8');
      if (done(reply)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Send one command as a RESP array (binary-safe arguments) and resolve with the first reply line. */
export async function respCommand(port: number, args: ReadonlyArray<string | Buffer>): Promise<string> {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(Buffer.concat(parts)));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const reply = Buffer.concat(chunks).toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end === -1) return;
      socket.destroy();
      resolve(reply.slice(0, end));
    });
    socket.on('error', reject);
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves once the server on `port` answers PING with PONG. */
export function waitForPing(port: number): Promise<void> {
  return waitFor(`PING on ${port}`, async () => (await rawCommand(port, 'PING')).startsWith('+PONG'));
}

export interface RedisServerOptions {
  /** Keep data across a restart: an append-only file fsynced before each reply (appendfsync always). */
  readonly persist?: boolean;
  /** The port to listen on (default: a free one). */
  readonly port?: number;
  /** More `--name value` arguments for redis-server. */
  readonly args?: readonly string[];
}

/** One redis-server process; `restart()` starts it again on the same port and directory. */
export class RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly #args: readonly string[];
  #child: ChildProcess | undefined;

  private constructor(port: number, dir: string, args: readonly string[]) {
    this.port = port;
    this.dir = dir;
    this.#args = args;
  }

  /** Start a redis-server on a free loopback port in a temporary directory; resolves once it answers PING. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const persistence = options.persist === true ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    // Another test file may take the same free port between the check and the bind: try another.
    for (let attempt = 0; ; attempt++) {
      const port = options.port ?? (await freePort());
      const dir = mkdtempSync(join(tmpdir(), 'rfc6455-redis-'));
      const server = new RedisServer(port, dir, ['--save', '', ...persistence, ...(options.args ?? [])]);
      try {
        await server.#spawn();
        return server;
      } catch (err) {
        rmSync(dir, { recursive: true, force: true });
        if (options.port !== undefined || attempt >= 4) throw err;
      }
    }
  }

  /** `redis://127.0.0.1:port`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The PID of the running process (undefined while stopped). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async #spawn(): Promise<void> {
    const child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, ...this.#args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.#child = child;
    const exited = once(child, 'exit').then(() => {
      throw new Error(`redis-server on ${this.port} exited at start`);
    });
    exited.catch(() => undefined);
    await Promise.race([waitForPing(this.port), exited]);
  }

  /** SIGKILL by PID: Redis disappears mid-traffic, as in a crash. Resolves once the process is gone. */
  async kill(): Promise<void> {
    await this.#signal('SIGKILL');
  }

  /** SIGSTOP by PID: Redis stops answering but its connections stay open (a frozen VM, a stall). */
  freeze(): void {
    if (this.#child?.pid !== undefined) process.kill(this.#child.pid, 'SIGSTOP');
  }

  /** SIGCONT by PID: a frozen Redis goes on. */
  thaw(): void {
    if (this.#child?.pid !== undefined) process.kill(this.#child.pid, 'SIGCONT');
  }

  /** Start it again on the same port (and directory: with `persist`, its data comes back). */
  async restart(): Promise<void> {
    if (this.#child !== undefined) throw new Error('still running');
    await waitFor(`port ${this.port} to be free`, () => isFree(this.port));
    await this.#spawn();
  }

  /** SIGTERM by PID, then remove its directory. */
  async stop(): Promise<void> {
    await this.#signal('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.pid === undefined) return;
    this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    // A frozen process would not act on SIGTERM until thawed.
    process.kill(child.pid, 'SIGCONT');
    process.kill(child.pid, signal);
    await exited;
  }
}

/** Three redis-server processes in cluster mode, every slot assigned, no replicas. */
export class RedisCluster {
  readonly nodes: readonly RedisServer[];

  private constructor(nodes: readonly RedisServer[]) {
    this.nodes = nodes;
  }

  /** Start three nodes (ports whose cluster bus port, +10000, is free too) and create the cluster. */
  static async start(): Promise<RedisCluster> {
    const nodes: RedisServer[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        // The cluster bus listens on port + 10000 (Redis Cluster spec), so both must be free.
        let node: RedisServer | undefined;
        for (let attempt = 0; attempt < 20 && node === undefined; attempt++) {
          const port = await freePort();
          if (port + 10_000 > 65_535 || !(await isFree(port + 10_000))) continue;
          node = await RedisServer.start({ port, args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'] });
        }
        if (node === undefined) throw new Error('no free port pair for a cluster node');
        nodes.push(node);
      }
      const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
      await new Promise<void>((resolve, reject) => {
        execFile(REDIS_CLI, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 }, (err, _out, stderr) =>
          err ? reject(new Error(`redis-cli --cluster create failed: ${stderr || err.message}`)) : resolve(),
        );
      });
      for (const node of nodes) {
        await waitFor(`cluster_state:ok on ${node.port}`, async () => (await rawCommand(node.port, 'CLUSTER INFO', (r) => r.includes('cluster_stats_messages') || r.includes('\r\n\r\n'))).includes('cluster_state:ok'), 20_000);
      }
    } catch (err) {
      for (const node of nodes) await node.stop();
      throw err;
    }
    return new RedisCluster(nodes);
  }

  /** `redis://127.0.0.1:port` of each node. */
  get urls(): string[] {
    return this.nodes.map((n) => `redis://127.0.0.1:${n.port}`);
  }

  /** Stop every node by PID. */
  async stop(): Promise<void> {
    for (const node of this.nodes) await node.stop();
  }
}
