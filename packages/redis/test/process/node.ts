/**
 * One server process of the multi-process tests: a WebSocketServer on a loopback port with its own
 * Redis adapter, clients choosing topics as in harness.ts. It prints JSON lines (`listening`,
 * `status`, `missed`, `forwardError`, `published`, `stats`) and takes JSON lines on stdin:
 * `{ "cmd": "publish", "topic", "prefix", "count" }` publishes `${prefix}0` … in order;
 * `{ "cmd": "stats" }`; `{ "cmd": "close" }` closes the server and exits.
 */
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { WebSocketServer } from '@rfc6455/server';
import { createRedisAdapter } from '../../src/index.ts';
import type { RedisAdapterOptions } from '../../src/index.ts';
import { handleTopics } from '../topics.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as RedisAdapterOptions;
const say = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

const adapter = createRedisAdapter(options);
adapter.on('status', (status) => say({ ev: 'status', status }));
adapter.on('connectionError', () => undefined);
adapter.on('messagesMissed', (missed) => say({ ev: 'missed', count: missed.count, publisher: missed.publisher, sequences: missed.sequences, code: missed.error.code }));
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, adapter });
handleTopics(wss);
wss.on('forwardError', (error) => say({ ev: 'forwardError', code: error.code }));
wss.on('listening', () => {
  void adapter.ready().then(() => say({ ev: 'listening', port: (wss.address() as AddressInfo).port, nodeId: adapter.nodeId }));
});

interface Command {
  cmd: 'publish' | 'stats' | 'close' | 'synced';
  topic?: string;
  prefix?: string;
  count?: number;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command;
  if (command.cmd === 'publish') {
    // Bounded, and yielding every 50 so the process keeps reading from Redis meanwhile.
    const count = command.count ?? 1;
    let i = 0;
    const batch = (): void => {
      for (const end = Math.min(count, i + 50); i < end; i++) wss.publish(command.topic ?? '', `${command.prefix ?? ''}${i}`);
      if (i < count) setImmediate(batch);
      else say({ ev: 'published', count });
    };
    batch();
  } else if (command.cmd === 'synced') {
    void adapter.synced().then(() => say({ ev: 'synced' }));
  } else if (command.cmd === 'stats') {
    say({ ev: 'stats', stats: adapter.stats, forwardFailures: wss.forwardFailures });
  } else if (command.cmd === 'close') {
    void wss.shutdown({ timeoutMs: 500 }).then(() => process.exit(0));
  }
});
