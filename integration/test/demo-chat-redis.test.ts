/**
 * The demo with `REDIS_URL`: two demo processes (demo/src/chat.mjs, spawned as `pnpm start` runs
 * it, each on its own port) and one real redis-server; a person on each, talking with ws from npm
 * over /chat. Joins, messages and leaves of one process reach the other. Both processes and Redis
 * are stopped by their PIDs.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RedisServer, waitFor } from '@rfc6455/testing';

const root = fileURLToPath(new URL('../../', import.meta.url));
let redis: RedisServer;
const demos: ChildProcess[] = [];

/** Start one demo process; resolves with its /chat URL once Redis is ready for it. */
async function startDemo(): Promise<string> {
  const demo = spawn(process.execPath, ['src/chat.mjs'], { cwd: `${root}demo`, env: { ...process.env, PORT: '0', REDIS_URL: redis.url }, stdio: ['ignore', 'pipe', 'pipe'] });
  demos.push(demo);
  let output = '';
  demo.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  demo.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await waitFor(() => {
    if (demo.exitCode !== null) throw new Error(`the demo exited: ${output}`);
    return /chat room: http:\/\/127\.0\.0\.1:\d+\//.test(output) && output.includes('redis: ready');
  }, { timeoutMs: 20_000, what: `the demo to listen and reach Redis (${output})` });
  return `${/chat room: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)![1]!.replace('http', 'ws')}/chat`;
}

/** A person in the room: everything the server sent, parsed. */
async function join(url: string, name: string): Promise<{ ws: WebSocket; got: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(url);
  const got: Array<Record<string, unknown>> = [];
  ws.on('message', (data) => got.push(JSON.parse(String(data)) as Record<string, unknown>));
  await once(ws, 'open');
  ws.send(JSON.stringify({ type: 'hello', name }));
  return { ws, got };
}

beforeAll(async () => {
  const built = ['browser', 'codes', 'server', 'client', 'protocol', 'frame', 'handshake', 'deflate', 'redis'].every((name) => existsSync(`${root}packages/${name}/dist/index.js`));
  if (!built) execFileSync(`${root}node_modules/.bin/turbo`, ['run', 'build', '--filter=@rfc6455/demo^...', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
  redis = await RedisServer.start();
}, 180_000);

afterAll(async () => {
  for (const demo of demos) {
    if (demo.pid === undefined || demo.exitCode !== null) continue;
    const exited = once(demo, 'exit');
    process.kill(demo.pid, 'SIGINT');
    await exited;
  }
  await redis?.stop();
});

describe('demo chat room with REDIS_URL', () => {
  it('two processes on two ports share one room', { timeout: 60_000 }, async () => {
    const [first, second] = await Promise.all([startDemo(), startDemo()]);
    expect(first).not.toBe(second);
    const ada = await join(first!, 'ada');
    await waitFor(() => ada.got.some((m) => m.type === 'join' && m.name === 'ada'), { what: "ada's own join" });
    const bob = await join(second!, 'bob');
    // bob joined on the other process: ada hears of it through Redis.
    await waitFor(() => ada.got.some((m) => m.type === 'join' && m.name === 'bob'), { what: "bob's join at ada" });

    ada.ws.send(JSON.stringify({ type: 'message', text: 'hello from port one' }));
    bob.ws.send(JSON.stringify({ type: 'message', text: 'and from port two' }));
    for (const person of [ada, bob]) {
      await waitFor(() => person.got.filter((m) => m.type === 'message').length === 2, { what: 'both messages everywhere' });
      const texts = person.got.filter((m) => m.type === 'message').map((m) => `${String(m.name)}: ${String(m.text)}`);
      expect(texts.sort()).toEqual(['ada: hello from port one', 'bob: and from port two']);
    }

    bob.ws.close();
    await waitFor(() => ada.got.some((m) => m.type === 'leave' && m.name === 'bob'), { what: "bob's leave at ada" });
    ada.ws.close();
  });
});
