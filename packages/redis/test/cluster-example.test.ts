/**
 * examples/cluster.ts as a user runs it: a node:cluster primary with two workers sharing one port,
 * topics across the workers through a real redis-server. Clients are dialed until they sit on
 * both workers (bounded); a line from a client on one worker reaches every client on both, once.
 * The primary is stopped by its PID and takes its workers with it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Received, until } from './harness.ts';
import { TYPESCRIPT_FLAGS } from './process/node-process.ts';
import { freePort, RedisServer } from '@rfc6455/testing';

const EXAMPLE = fileURLToPath(new URL('../examples/cluster.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('examples/cluster.ts: node:cluster workers on one port, topics across them through Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('a message from a client of one worker reaches the clients of every worker, once', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const primary = spawn(process.execPath, [...TYPESCRIPT_FLAGS, EXAMPLE], {
      env: { ...process.env, PORT: String(port), WORKERS: '2', REDIS_URL: redis.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    primary.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    primary.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const clients: Array<{ received: Received; worker: number }> = [];
    try {
      await until(() => (output.match(/listening on/g) ?? []).length === 2 && (output.match(/redis ready/g) ?? []).length === 2, 'both workers to listen and reach Redis', 90_000);
      // The primary hands connections to the workers in turn: a few are enough to reach both.
      for (let i = 0; i < 10 && new Set(clients.map((c) => c.worker)).size < 2; i++) {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
        const received = new Received(ws);
        await once(ws, 'open');
        await received.count(1);
        clients.push({ received, worker: (JSON.parse(received.messages[0]!) as { worker: number }).worker });
      }
      const workers = [...new Set(clients.map((c) => c.worker))];
      expect(workers).toHaveLength(2);
      const sender = clients.find((c) => c.worker === workers[0])!;
      sender.received.ws.send('hello, every worker');
      // A second line behind it: messages of one publisher keep their order, so a doubled first
      // line would arrive before it.
      sender.received.ws.send('end');
      for (const c of clients) await c.received.until((m) => m.some((x) => x.includes('"text":"end"')));
      for (const c of clients) {
        expect(c.received.messages.slice(1).map((m) => JSON.parse(m))).toEqual([
          { type: 'chat', from: workers[0], text: 'hello, every worker' },
          { type: 'chat', from: workers[0], text: 'end' },
        ]);
      }
      for (const c of clients) c.received.ws.close();
      primary.kill('SIGTERM');
      await once(primary, 'exit');
      await until(() => workers.every((pid) => !alive(pid)), 'the workers to be gone', 10_000);
    } finally {
      for (const c of clients) c.received.ws.terminate();
      if (primary.exitCode === null && primary.signalCode === null) {
        primary.kill('SIGKILL');
        await once(primary, 'exit');
      }
      // The workers of a primary killed this way are orphans: end them by the PIDs they told us.
      for (const pid of new Set(clients.map((c) => c.worker))) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
