// The README's main job: a chat room. One node:http server serves the page, the built ES modules
// of @rfc6455/browser and @rfc6455/codes (the page maps their names with an import map, so no
// bundler is needed), and the WebSocket endpoint /chat through @rfc6455/server.
//
// Wire format (JSON text messages):
//   page → server  {"type":"hello","name":"ada"}      on every (re)connect
//                  {"type":"message","text":"hi"}
//   server → page  {"type":"join"|"leave","name":"ada","online":3}   (online: on this process)
//                  {"type":"message","name":"ada","text":"hi","at":1700000000000}
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedisAdapter } from '@rfc6455/redis';
import { WebSocketServer } from '@rfc6455/server';

const require = createRequire(import.meta.url);
const publicDir = fileURLToPath(new URL('../public/', import.meta.url));
/** Built module folders the page may load, by URL prefix. */
const moduleDirs = {
  browser: join(dirname(require.resolve('@rfc6455/browser/package.json')), 'dist'),
  codes: join(dirname(require.resolve('@rfc6455/codes/package.json')), 'dist'),
};
const pages = { '/': ['index.html', 'text/html; charset=utf-8'], '/chat.js': ['chat.js', 'text/javascript; charset=utf-8'], '/chat.css': ['chat.css', 'text/css; charset=utf-8'] };

async function onRequest(req, res) {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const page = pages[pathname];
  if (page !== undefined) {
    res.writeHead(200, { 'content-type': page[1], 'cache-control': 'no-store' }).end(await readFile(join(publicDir, page[0])));
    return;
  }
  // /modules/<browser|codes>/<file>.js → that package's dist/<file>.js; nothing outside dist/.
  const match = /^\/modules\/(browser|codes)\/([\w/.-]+\.js)$/.exec(pathname);
  const base = match === null ? undefined : moduleDirs[match[1]];
  const file = base === undefined ? undefined : normalize(join(base, match[2]));
  if (file === undefined || !file.startsWith(base + sep)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
    return;
  }
  try {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(await readFile(file));
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found (did the build run? pnpm start builds first)\n');
  }
}

const http = createServer((req, res) => {
  onRequest(req, res).catch(() => res.writeHead(500).end());
});
// With REDIS_URL, several demo processes share one room: joins, leaves and messages go to every
// process's people through Redis. Without it the room is this process alone (no Redis needed).
const redisUrl = process.env.REDIS_URL || undefined;
const adapter = redisUrl === undefined ? undefined : createRedisAdapter({ url: redisUrl });
if (adapter !== undefined) {
  adapter.on('status', (status) => console.log(`redis: ${status}`));
  adapter.on('connectionError', () => {}); // the status line says it; the adapter keeps retrying
  adapter.on('messagesMissed', ({ error }) => console.warn(error.message));
}
const wss = new WebSocketServer({ server: http, path: '/chat', maxPayloadLength: 16 * 1024, maxMessageLength: 16 * 1024, adapter });
wss.on('forwardError', (error) => console.warn(`not shared with the other processes: ${error.message}`));
const names = new Map();
// The WebSocketServer re-emits its HTTP server's errors: listen() failures are handled below,
// anything later is only logged.
let listening = false;
wss.on('error', (err) => listening && console.error(`server error: ${err.message}`));

const clean = (value, max) => (typeof value === 'string' ? value.replace(/\s+/g, ' ').trim().slice(0, max) : '');
const announce = (type, name) => wss.broadcast(JSON.stringify({ type, name, online: names.size }));

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    let message;
    try {
      message = isBinary ? undefined : JSON.parse(data.toString('utf8'));
    } catch {
      message = undefined;
    }
    if (message?.type === 'hello') {
      const name = clean(message.name, 32) || 'guest';
      const first = !names.has(ws);
      names.set(ws, name);
      if (first) announce('join', name);
    } else if (message?.type === 'message' && names.has(ws)) {
      const text = clean(message.text, 500);
      if (text !== '') wss.broadcast(JSON.stringify({ type: 'message', name: names.get(ws), text, at: Date.now() }));
    }
  });
  ws.on('close', () => {
    const name = names.get(ws);
    if (names.delete(ws)) announce('leave', name);
  });
  ws.on('error', () => {});
});

const host = process.env.HOST ?? '127.0.0.1';
const wanted = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(2);
}

function listen(port) {
  return new Promise((resolve, reject) => {
    const onError = (err) => {
      http.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      http.off('error', onError);
      resolve(http.address().port);
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen(port, host);
  });
}

let port;
try {
  port = await listen(wanted);
} catch (err) {
  if (err.code !== 'EADDRINUSE') throw err;
  port = await listen(0);
  console.log(`port ${wanted} is in use; using ${port} instead`);
}
listening = true;
console.log(`chat room: http://${host}:${port}/  (open it in two windows; Ctrl-C stops)`);
if (redisUrl !== undefined) console.log(`sharing the room with every demo started with REDIS_URL=${redisUrl}`);
console.log(`from a terminal, with the websocket command: pnpm websocket connect ws://${host}:${port}/chat --json`);
console.log(`  then type {"type":"hello","name":"cli"} and {"type":"message","text":"hi"}`);

const stop = async () => {
  await wss.shutdown({ code: 1001, reason: 'demo stopped', timeoutMs: 2000 });
  http.closeAllConnections();
  http.close(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
