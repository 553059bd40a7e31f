import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { allCases } from './all-cases.mjs';
import { acceptUpgrade, encodeFrame, FrameReader } from '@rfc6455/testing';
import { runTarget, selectCases } from './suite.mjs';
import {
  FAILED,
  FAILED_BY_CLIENT,
  finalVerdict,
  INFORMATIONAL,
  judgeBehavior,
  judgeClose,
  NON_STRICT,
  OK,
  runFailed,
  sameEvents,
  UNCLEAN,
  WRONG_CODE,
} from './verdict.mjs';

const msg = (s) => ['message', Buffer.from(s), false];
const clean = { closedByMe: true, wasClean: true, remoteCloseCode: 1000, droppedByMe: false };

describe('behaviour', () => {
  it('compares events structurally, Buffers by content', () => {
    expect(sameEvents([msg('a')], [msg('a')])).toBe(true);
    expect(sameEvents([msg('a')], [msg('b')])).toBe(false);
    expect(sameEvents([msg('a')], [['message', Buffer.from('a'), true]])).toBe(false);
    expect(sameEvents([], [msg('a')])).toBe(false);
    expect(sameEvents([['timeout', 'A']], [['timeout', 'A']])).toBe(true);
  });

  it('takes the first expected outcome that matches, FAILED when none does', () => {
    const expected = { [OK]: [['timeout', 'A']], [NON_STRICT]: [['timeout', 'A'], ['timeout', 'B']] };
    expect(judgeBehavior([['timeout', 'A']], expected).behavior).toBe(OK);
    expect(judgeBehavior([['timeout', 'A'], ['timeout', 'B']], expected).behavior).toBe(NON_STRICT);
    expect(judgeBehavior([], expected).behavior).toBe(FAILED);
  });
});

describe('close behaviour', () => {
  const normal = { closedByMe: true, closeCode: [1000], requireClean: true };
  const failBy1002 = { closedByMe: false, closeCode: [1002], requireClean: false };

  it('accepts a clean close with an expected code, or with no code at all', () => {
    expect(judgeClose(normal, clean, true).behaviorClose).toBe(OK);
    expect(judgeClose(normal, { ...clean, remoteCloseCode: null }, true).behaviorClose).toBe(OK);
  });

  it('checks, in order: the endpoint that closed, cleanliness, the code, who dropped TCP', () => {
    expect(judgeClose(normal, { ...clean, closedByMe: false }, true).behaviorClose).toBe(FAILED);
    expect(judgeClose(normal, { ...clean, wasClean: false, remoteCloseCode: 1002 }, true).behaviorClose).toBe(UNCLEAN);
    expect(judgeClose(normal, { ...clean, remoteCloseCode: 1002 }, true).behaviorClose).toBe(WRONG_CODE);
    expect(judgeClose(normal, { ...clean, droppedByMe: true }, true).behaviorClose).toBe(FAILED_BY_CLIENT);
    // A fuzzing server dropping TCP after the handshake is the server's job, not a failure.
    expect(judgeClose(normal, { ...clean, droppedByMe: true }, false).behaviorClose).toBe(OK);
  });

  it('lets a peer that must fail the connection drop TCP without a close frame', () => {
    const dropped = { closedByMe: false, wasClean: false, remoteCloseCode: null, droppedByMe: false };
    expect(judgeClose(failBy1002, dropped, true).behaviorClose).toBe(OK);
    expect(judgeClose(failBy1002, { ...dropped, remoteCloseCode: 1000, wasClean: true }, true).behaviorClose).toBe(WRONG_CODE);
  });
});

describe('final verdict', () => {
  it('fails on any failed half and otherwise keeps the behaviour label', () => {
    expect(finalVerdict(OK, OK)).toBe(OK);
    expect(finalVerdict(NON_STRICT, OK)).toBe(NON_STRICT);
    expect(finalVerdict(INFORMATIONAL, INFORMATIONAL)).toBe(INFORMATIONAL);
    expect(finalVerdict(OK, WRONG_CODE)).toBe(FAILED);
    expect(finalVerdict(OK, UNCLEAN)).toBe(FAILED);
    expect(finalVerdict(OK, FAILED_BY_CLIENT)).toBe(FAILED);
    expect(finalVerdict(FAILED, OK)).toBe(FAILED);
    expect(runFailed([{ verdict: OK }, { verdict: NON_STRICT }])).toBe(false);
    expect(runFailed([{ verdict: OK }, { verdict: FAILED }])).toBe(true);
  });
});

describe('case list', () => {
  it('numbers cases as the public suite does, without duplicates', () => {
    const ids = allCases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('6.4.4');
    expect(ids).toContain('6.23.7');
    expect(ids).toContain('7.9.9');
    expect(ids).toContain('13.7.18');
    expect(ids.filter((id) => id.startsWith('7.7.'))).toHaveLength(13);
    expect(ids.filter((id) => id.startsWith('6.22.'))).toHaveLength(34);
    expect(selectCases(allCases, ['1.1.*', '6.4.1']).map((c) => c.id)).toEqual(['1.1.1', '1.1.2', '1.1.3', '1.1.4', '1.1.5', '1.1.6', '1.1.7', '1.1.8', '6.4.1']);
  });
});

/**
 * A deliberately broken echo server: echoes every data frame as it came (reserved bits, bad UTF-8
 * and all) and never validates anything. The suite must fail it where RFC 6455 says so.
 */
function brokenServer() {
  const server = net.createServer(async (socket) => {
    socket.on('error', () => {});
    const { rest } = await acceptUpgrade(socket);
    const reader = new FrameReader({ expectMasked: true });
    const onData = (chunk) => {
      for (const f of reader.push(chunk)) {
        if (f.opcode === 8) {
          socket.end(encodeFrame({ opcode: 8, payload: f.payload.subarray(0, 2) }));
          return;
        }
        if (f.opcode === 9) socket.write(encodeFrame({ opcode: 10, payload: f.payload }));
        else if (f.opcode !== 10) socket.write(encodeFrame({ opcode: f.opcode, fin: f.fin, rsv: f.rsv, payload: f.payload }));
      }
    };
    socket.on('data', onData);
    if (rest.length > 0) onData(rest);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, stop: () => new Promise((r) => server.close(r)) })),
  );
}

describe('the suite can fail', () => {
  it('passes a broken server where it behaves and fails it where it does not', async () => {
    const cases = selectCases(allCases, ['1.1.1', '2.1', '3.1', '4.1.1', '6.3.1', '7.9.1']);
    const results = await runTarget({ name: 'broken', impl: brokenServer, side: 'server' }, cases);
    const verdicts = Object.fromEntries(results.map((r) => [r.id, r.verdict]));
    expect(verdicts).toEqual({ '1.1.1': OK, '2.1': OK, '3.1': FAILED, '4.1.1': FAILED, '6.3.1': FAILED, '7.9.1': FAILED });
    const bad = results.find((r) => r.id === '6.3.1');
    expect(bad.traffic.tx.kept.length).toBeGreaterThan(0);
    expect(bad.received[0][0]).toBe('violation');
  });
});
