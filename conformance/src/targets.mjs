// The systems under test. Server side: an echo server (text echoed as text, binary as binary, as
// Autobahn's test servers do) on 127.0.0.1 and an ephemeral port. Client side: a driver that
// connects a client to the fuzzing server and echoes every message back (Autobahn's client mode).
// Ours and ws, the control, are driven the same way.
import { WebSocketServer as OurServer } from '@rfc6455/server';
import { WebSocket as OurClient } from '@rfc6455/client';
import { WebSocket as WsClient, WebSocketServer as WsServer } from 'ws';

const echo = (socket) => {
  socket.on('message', (data, isBinary) => {
    try {
      socket.send(data, { binary: isBinary });
    } catch {
      // A send after the peer failed the connection; the fuzzer judges what it saw.
    }
  });
  socket.on('error', () => {});
};

const listening = (server) =>
  new Promise((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });

/** Start an echo server (`impl`: 'ours', 'ws' or a start function); resolves with its port and a stop function. */
export async function startEchoServer(impl) {
  // A custom system under test (the suite's own tests use a deliberately broken one).
  if (typeof impl === 'function') return impl();
  if (impl === 'ours') {
    // permessage-deflate on, as ws's below: negotiated only when the fuzzer offers it (categories 12, 13).
    const server = new OurServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
    server.on('connection', echo);
    await listening(server);
    return { port: server.address().port, stop: () => server.shutdown({ timeoutMs: 1000 }) };
  }
  // permessage-deflate on: it is negotiated only when the fuzzer offers it (categories 12, 13).
  const server = new WsServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true, maxPayload: 64 * 1024 * 1024 });
  server.on('connection', echo);
  await listening(server);
  return {
    port: server.address().port,
    stop: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/**
 * Connect a client under test to `url` and echo what it receives. Returns a function that tears
 * the client down (terminate) once the case is over.
 */
export function startEchoClient(impl, url, { perMessageDeflate = false } = {}) {
  let socket;
  if (impl === 'ours') {
    // Explicit both ways: our client offers permessage-deflate by default, ws's client is told here.
    socket = new OurClient(url, { perMessageDeflate });
  } else {
    socket = new WsClient(url, { perMessageDeflate, maxPayload: 64 * 1024 * 1024 });
  }
  echo(socket);
  return () => {
    try {
      socket.terminate();
    } catch {
      // Already closed.
    }
  };
}

/** What `--target` selects. */
export const TARGETS = {
  ours: [
    { name: 'ours-server', impl: 'ours', side: 'server' },
    { name: 'ours-client', impl: 'ours', side: 'client' },
  ],
  ws: [
    { name: 'ws-server', impl: 'ws', side: 'server' },
    { name: 'ws-client', impl: 'ws', side: 'client' },
  ],
};
TARGETS.all = [...TARGETS.ours, ...TARGETS.ws];
