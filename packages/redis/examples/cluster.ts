/**
 * Several processes on one machine: node:cluster workers share one port (the primary hands each
 * new connection to a worker), and topics cross workers through Redis. A client that writes a
 * line reaches every client of the room, whichever worker holds its connection.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=8080 WORKERS=4 node examples/cluster.ts   (after a build,
 *   or with the workspace's TypeScript: node --conditions=source --import ./test/process/register.mjs …)
 *
 * Each client is greeted with `{"type":"hello","worker":<pid>}` once it is in the room on every
 * worker; each chat line goes out as
 * `{"type":"chat","from":<pid>,"text":…}`. SIGTERM to the primary stops the workers, then itself.
 */
import cluster from 'node:cluster';
import { WebSocketServer } from '@rfc6455/server';
import { createRedisAdapter } from '@rfc6455/redis';

const port = Number(process.env.PORT ?? 8080);
const workers = Number(process.env.WORKERS ?? 2);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // A worker that died is replaced; the others never noticed (their connections and Redis link are their own).
    console.log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  process.on('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
  });
} else {
  const adapter = createRedisAdapter({ url: redisUrl });
  adapter.on('status', (status) => console.log(`worker ${process.pid}: redis ${status}`));
  adapter.on('connectionError', () => undefined); // status says it; the adapter keeps retrying
  const wss = new WebSocketServer({ port, host: '127.0.0.1', adapter });
  wss.on('listening', () => console.log(`worker ${process.pid} listening on ws://127.0.0.1:${port}`));
  wss.on('forwardError', (error) => console.warn(`worker ${process.pid}: ${error.message}`));
  wss.on('connection', (ws) => {
    ws.subscribe('room');
    // The subscription is this worker's at once; the other workers' publishes reach it once Redis
    // has confirmed the worker's SUBSCRIBE (the first subscriber of a topic on a worker makes one):
    // greet the client then, so "hello" means "in the room everywhere".
    void adapter.synced().then(() => ws.send(JSON.stringify({ type: 'hello', worker: process.pid })));
    ws.on('message', (data) => {
      wss.publish('room', JSON.stringify({ type: 'chat', from: process.pid, text: String(data) }));
    });
  });
  process.on('SIGTERM', () => {
    void wss.shutdown({ timeoutMs: 1000 }).then(() => process.exit(0));
  });
}
