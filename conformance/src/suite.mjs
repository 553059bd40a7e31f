// Runs cases against one target, one connection per case, and collects the results.
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
  if (target.side === 'server') {
    const sut = await startEchoServer(target.impl);
    try {
      for (const testCase of cases) {
        const extra = { crash: null };
        current = extra;
        let peer;
        try {
          const negotiation = testCase.deflate ?? null;
          const offer = negotiation?.offer ? { 'Sec-WebSocket-Extensions': negotiation.offer } : {};
          const { socket, head, rest } = await rawHandshake(sut.port, `/case/${testCase.id}`, { headers: offer, key: newKey(), verify: true });
          const deflateCodec = negotiation ? negotiation.fromResponse(headersOf(head)['sec-websocket-extensions'], 'client') : null;
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
      await sut.stop();
    }
    return results;
  }

  // Client side: a fuzzing server; the client under test connects once per case.
  const connections = [];
  const server = net.createServer((socket) => connections.push(socket));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  let waiting = null;
  server.on('connection', (socket) => {
    if (waiting) waiting(socket);
    else socket.destroy();
  });
  try {
    for (const testCase of cases) {
      const extra = { crash: null };
      current = extra;
      const negotiation = testCase.deflate ?? null;
      const socketPromise = new Promise((resolve) => (waiting = resolve));
      let stopClient = () => {};
      let peer;
      try {
        stopClient = startEchoClient(target.impl, `ws://127.0.0.1:${port}/case/${testCase.id}`, { perMessageDeflate: negotiation?.clientOptions ?? false });
        const socket = await withTimeout(socketPromise, 5000, 'the client did not connect');
        waiting = null;
        let codec = null;
        const { rest } = await withTimeout(
          acceptUpgrade(socket, ({ headers }) => {
            if (!negotiation) return [];
            const answer = negotiation.answer(headers['sec-websocket-extensions']);
            if (!answer) return [];
            codec = answer.codec;
            return [`Sec-WebSocket-Extensions: ${answer.header}`];
          }),
          5000,
          'no handshake request',
        );
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
