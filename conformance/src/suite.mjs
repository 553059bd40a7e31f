// Runs cases against one target, one connection per case, and collects the results.
import { once } from 'node:events';
import { connect as http2Connect, createServer as createHttp2Server } from 'node:http2';
import net from 'node:net';
import { acceptUpgrade, headersOf, newKey, rawHandshake } from '@rfc6455/testing';
import { FuzzingPeer } from './peer.mjs';
import { FAILED, INFORMATIONAL, OK, UNIMPLEMENTED } from './verdict.mjs';
import { KILL_MS } from './cases.mjs';
import { startEchoClient, startEchoServer } from './targets.mjs';

/** Hard ceiling per case, whatever the case's own kill timer says. */
const CEILING_MS = 60_000;

/** Select cases by comma-separated patterns where `*` matches anything: `1.*,6.4.*,7.7.1`. */
export function selectCases(cases, patterns) {
  if (!patterns || patterns.length === 0) return cases;
  const regexes = patterns.map((p) => new RegExp('^' + p.trim().replace(/\./g, '\\.').replace(/\*/g, '.*') + '$'));
  return cases.filter((c) => regexes.some((r) => r.test(c.id)));
}

let current = null;
process.on('uncaughtException', (err) => {
  // The network must never crash the process; if the implementation under test throws into the
  // event loop, the running case fails and the run goes on.
  if (current) current.crash = err;
  else throw err;
});

async function runOne(peer, testCase) {
  const started = Date.now();
  const ceiling = setTimeout(() => {
    peer.droppedByMe = true;
    peer.socket.destroy();
  }, CEILING_MS);
  try {
    await testCase.run(peer);
  } catch (err) {
    peer.caseError = err;
  }
  peer.killAfter(testCase.killAfterMs ?? KILL_MS);
  await peer.done;
  clearTimeout(ceiling);
  await peer.inbox;
  return { durationMs: Date.now() - started };
}

function resultOf(testCase, target, peer, extra) {
  const judged = peer.verdict();
  if (testCase.informational) {
    judged.behavior = INFORMATIONAL;
    judged.behaviorClose = INFORMATIONAL;
    judged.verdict = INFORMATIONAL;
  }
  if (peer.unimplemented) {
    judged.behavior = UNIMPLEMENTED;
    judged.verdict = UNIMPLEMENTED;
    judged.result = 'permessage-deflate was not negotiated';
  }
  if (extra.crash || peer.caseError) {
    judged.verdict = FAILED;
    judged.result = `exception: ${(extra.crash ?? peer.caseError)?.stack ?? extra.crash ?? peer.caseError}`;
  }
  const result = {
    id: testCase.id,
    target,
    description: testCase.description,
    ...judged,
    remoteCloseCode: peer.remoteCloseCode,
    remoteCloseReason: peer.remoteCloseReason,
    closedByMe: peer.closedByMe,
    wasClean: peer.wasClean,
    droppedByMe: peer.droppedByMe,
    durationMs: extra.durationMs,
  };
  if (result.verdict !== OK && result.verdict !== UNIMPLEMENTED) {
    result.expected = Object.fromEntries(Object.entries(peer.expected).map(([k, v]) => [k, v.map(summarize)]));
    result.expectedClose = peer.expectedClose;
    result.received = peer.received.map(summarize);
    result.traffic = peer.traffic;
  }
  return result;
}

/** A printable, bounded form of one event. */
function summarize(event) {
  return event.map((x) => {
    if (!Buffer.isBuffer(x)) return x;
    return x.length <= 64 ? `hex:${x.toString('hex')}` : `hex:${x.subarray(0, 32).toString('hex')}…(${x.length} bytes)`;
  });
}

/**
 * Run `cases` against `target` ({ name, impl, side }); `onResult` sees each result as it lands.
 * @returns {Promise<object[]>}
 */
export async function runTarget(target, cases, { onResult = () => {} } = {}) {
  const results = [];
  const h2 = target.transport === 'h2';
  if (target.side === 'server') {
    const sut = await startEchoServer(target.impl, { transport: target.transport });
    // Over HTTP/2 every case is a stream of one h2c session, as a browser's tab would have it.
    const session = h2 ? http2Connect(`http://127.0.0.1:${sut.port}`) : null;
    if (session) {
      session.on('error', () => {});
      await once(session, 'remoteSettings');
    }
    try {
      for (const testCase of cases) {
        const extra = { crash: null };
        current = extra;
        let peer;
        try {
          const negotiation = testCase.deflate ?? null;
          const offer = negotiation?.offer ? { 'Sec-WebSocket-Extensions': negotiation.offer } : {};
          const path = `/case/${testCase.id}`;
          const { socket, extensions, rest } = session
            ? await extendedConnect(session, sut.port, path, negotiation?.offer)
            : await rawHandshake(sut.port, path, { headers: offer, key: newKey(), verify: true }).then(({ socket, head, rest }) => ({
                socket,
                rest,
                extensions: headersOf(head)['sec-websocket-extensions'],
              }));
          const deflateCodec = negotiation ? negotiation.fromResponse(extensions, 'client') : null;
          peer = new FuzzingPeer(socket, rest, { role: 'client', deflate: deflateCodec });
          Object.assign(extra, await runOne(peer, testCase));
        } catch (err) {
          current = null;
          results.push(handshakeFailure(testCase, target.name, err));
          onResult(results.at(-1));
          continue;
        }
        current = null;
        results.push(resultOf(testCase, target.name, peer, extra));
        onResult(results.at(-1));
      }
    } finally {
      session?.destroy();
      await sut.stop();
    }
    return results;
  }

  // Client side: a fuzzing server; the client under test connects once per case.
  const connections = [];
  let waiting = null;
  let server;
  if (h2) {
    // RFC 8441 §3: the fuzzing server enables extended CONNECT; each case is one stream.
    server = createHttp2Server({ settings: { enableConnectProtocol: true } });
    server.on('session', (session) => connections.push(session));
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      if (waiting) waiting({ stream, headers });
      else stream.close();
    });
  } else {
    server = net.createServer((socket) => connections.push(socket));
    server.on('connection', (socket) => {
      if (waiting) waiting(socket);
      else socket.destroy();
    });
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  try {
    for (const testCase of cases) {
      const extra = { crash: null };
      current = extra;
      const negotiation = testCase.deflate ?? null;
      const socketPromise = new Promise((resolve) => (waiting = resolve));
      let stopClient = () => {};
      let peer;
      try {
        stopClient = startEchoClient(target.impl, `ws://127.0.0.1:${port}/case/${testCase.id}`, {
          perMessageDeflate: negotiation?.clientOptions ?? false,
          transport: target.transport,
        });
        const connected = await withTimeout(socketPromise, 5000, 'the client did not connect');
        waiting = null;
        let codec = null;
        const answerOffer = (offerHeader) => {
          if (!negotiation) return undefined;
          const answer = negotiation.answer(offerHeader);
          if (!answer) return undefined;
          codec = answer.codec;
          return answer.header;
        };
        let socket = connected;
        let rest = Buffer.alloc(0);
        if (h2) {
          // RFC 8441 §5: a 200 accepts the extended CONNECT.
          const header = answerOffer(connected.headers['sec-websocket-extensions']);
          connected.stream.respond({ ':status': 200, ...(header ? { 'sec-websocket-extensions': header } : {}) });
          connected.stream.once('end', () => connected.stream.end());
          socket = connected.stream;
        } else {
          ({ rest } = await withTimeout(
            acceptUpgrade(socket, ({ headers }) => {
              const header = answerOffer(headers['sec-websocket-extensions']);
              return header ? [`Sec-WebSocket-Extensions: ${header}`] : [];
            }),
            5000,
            'no handshake request',
          ));
        }
        peer = new FuzzingPeer(socket, rest, { role: 'server', deflate: codec });
        Object.assign(extra, await runOne(peer, testCase));
      } catch (err) {
        waiting = null;
        current = null;
        stopClient();
        results.push(handshakeFailure(testCase, target.name, err));
        onResult(results.at(-1));
        continue;
      }
      stopClient();
      current = null;
      results.push(resultOf(testCase, target.name, peer, extra));
      onResult(results.at(-1));
    }
  } finally {
    for (const s of connections) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
  return results;
}

/**
 * The opening handshake over HTTP/2 (RFC 8441 §4–§5): an extended CONNECT on a new stream of
 * `session`; resolves with the stream once the server answered 200.
 */
async function extendedConnect(session, port, path, offer) {
  const headers = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'http',
    ':authority': `127.0.0.1:${port}`,
    ':path': path,
    'sec-websocket-version': '13',
  };
  if (offer) headers['sec-websocket-extensions'] = offer;
  const stream = session.request(headers, { endStream: false });
  stream.on('error', () => {});
  // A TCP socket ends its side when the peer's FIN arrives (allowHalfOpen off); an HTTP/2 stream
  // is half-open by default, so END_STREAM is answered here the same way.
  stream.once('end', () => stream.end());
  const [response] = await withTimeout(once(stream, 'response'), 5000, 'no answer to the extended CONNECT');
  if (response[':status'] !== 200) {
    stream.close();
    throw new Error(`the extended CONNECT was answered ${response[':status']}`);
  }
  return { socket: stream, rest: Buffer.alloc(0), extensions: response['sec-websocket-extensions'] };
}

function handshakeFailure(testCase, target, err) {
  return {
    id: testCase.id,
    target,
    description: testCase.description,
    verdict: FAILED,
    behavior: FAILED,
    behaviorClose: FAILED,
    result: `opening handshake failed: ${err?.message ?? err}`,
    resultClose: 'no connection',
    durationMs: 0,
  };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(what)), ms);
    }),
  ]);
}
