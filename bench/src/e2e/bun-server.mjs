// Bun's server under test (uWebSockets inside), run by the `bun` binary from the npm package:
//   bun bun-server.mjs <echo|broadcast|deflate>
// The same contract as node-server.mjs: {"port":N} on the first stdout line, then `mem` and `cpu`
// commands on stdin, one JSON line each. Bun.serve's websocket defaults, except perMessageDeflate
// for the deflate mode; broadcast is Bun's own publish to a topic every connection subscribes to.
/* global Bun, Response -- this file runs under Bun, not Node */
import { createInterface } from 'node:readline';

const mode = process.argv[2];

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(req, srv) {
    if (srv.upgrade(req)) return undefined;
    return new Response('Upgrade Required', { status: 426 });
  },
  websocket: {
    perMessageDeflate: mode === 'deflate',
    open(ws) {
      if (mode === 'broadcast') ws.subscribe('all');
    },
    message(ws, message) {
      if (mode === 'broadcast') server.publish('all', message);
      else ws.send(message);
    },
  },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);

createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line === 'mem') {
    Bun.gc(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    Bun.gc(true);
    const m = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external })}\n`);
  } else if (line === 'cpu') {
    process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
