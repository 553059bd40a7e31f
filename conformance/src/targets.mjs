// The systems under test. Server side: an echo server (text echoed as text, binary as binary, as
// Autobahn's test servers do) on 127.0.0.1 and an ephemeral port. Client side: a driver that
// connects a client to the fuzzing server and echoes every message back (Autobahn's client mode).
// Ours and ws, the control, are driven the same way.
import { createServer as createHttp2Server } from 'node:http2';
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

/**
 * Start an echo server (`impl`: 'ours', 'ws' or a start function); resolves with its port and a
 * stop function. `transport: 'h2'`: ours attached to an h2c server (RFC 8441 extended CONNECT).
 */
export async function startEchoServer(impl, { transport = 'http/1.1' } = {}) {
  // A custom system under test (the suite's own tests use a deliberately broken one).
  if (typeof impl === 'function') return impl();
  if (impl === 'ours' && transport === 'h2') {
    const http2 = createHttp2Server();
    const server = new OurServer({ server: http2, perMessageDeflate: true });
    server.on('connection', echo);
    const sessions = new Set();
    http2.on('session', (session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
    http2.listen(0, '127.0.0.1');
    await listening(http2);
    return {
      port: http2.address().port,
      stop: async () => {
        await server.shutdown({ timeoutMs: 1000 });
        for (const session of sessions) session.destroy();
        await new Promise((resolve) => http2.close(resolve));
      },
    };
  }
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
export function startEchoClient(impl, url, { perMessageDeflate = false, transport = 'http/1.1' } = {}) {
  let socket;
  if (impl === 'ours') {
    // Explicit both ways: our client offers permessage-deflate by default, ws's client is told here.
    socket = new OurClient(url, { perMessageDeflate, http2: transport === 'h2' });
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
    // The same cases with the connection on an HTTP/2 stream (RFC 8441, h2c): the frame layer is
    // shared, only the opening handshake differs.
    { name: 'ours-server-h2', impl: 'ours', side: 'server', transport: 'h2' },
    { name: 'ours-client-h2', impl: 'ours', side: 'client', transport: 'h2' },
  ],
  ws: [
    { name: 'ws-server', impl: 'ws', side: 'server' },
    { name: 'ws-client', impl: 'ws', side: 'client' },
  ],
};
TARGETS.all = [...TARGETS.ours, ...TARGETS.ws];
