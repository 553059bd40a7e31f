// The verdict rules of Autobahn|Testsuite, restated: a case compares the events the fuzzer saw
// against one or more expected event lists (behaviour), then judges how the connection ended
// (close behaviour), and the two combine into one verdict per case.

/** Verdict and close-behaviour labels, spelled as the public suite spells them. */
export const OK = 'OK';
export const NON_STRICT = 'NON-STRICT';
export const INFORMATIONAL = 'INFORMATIONAL';
export const FAILED = 'FAILED';
export const WRONG_CODE = 'WRONG CODE';
export const UNCLEAN = 'UNCLEAN';
export const FAILED_BY_CLIENT = 'FAILED BY CLIENT';
/** A permessage-deflate case against a peer that did not negotiate the extension. */
export const UNIMPLEMENTED = 'UNIMPLEMENTED';

/** Structural equality of event lists; Buffers compare by content. */
export function sameEvents(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) {
      const u = x[j];
      const v = y[j];
      if (Buffer.isBuffer(u) || Buffer.isBuffer(v)) {
        if (!Buffer.isBuffer(u) || !Buffer.isBuffer(v) || !u.equals(v)) return false;
      } else if (u !== v) return false;
    }
  }
  return true;
}

/**
 * Behaviour: the first expected outcome (in declaration order, OK before NON-STRICT) whose event
 * list equals what was received; FAILED when none does.
 * @param {unknown[][]} received
 * @param {Record<string, unknown[][]>} expected
 */
export function judgeBehavior(received, expected) {
  for (const [label, events] of Object.entries(expected)) {
    if (sameEvents(received, events)) return { behavior: label, result: 'Actual events match at least one expected.' };
  }
  return { behavior: FAILED, result: 'Actual events differ from any expected.' };
}

/**
 * Close behaviour, checked in the public suite's order.
 * @param {{ closedByMe: boolean, closeCode: number[], requireClean: boolean }} expectedClose
 * @param {{ closedByMe: boolean, wasClean: boolean, remoteCloseCode: number | null, droppedByMe: boolean }} observed
 * @param {boolean} fuzzerIsClient true when the system under test is a server
 */
export function judgeClose(expectedClose, observed, fuzzerIsClient) {
  if (expectedClose.closedByMe !== observed.closedByMe) {
    return { behaviorClose: FAILED, resultClose: 'The connection was failed by the wrong endpoint' };
  }
  if (expectedClose.requireClean && !observed.wasClean) {
    return { behaviorClose: UNCLEAN, resultClose: 'The spec requires the connection to be failed cleanly here' };
  }
  if (observed.remoteCloseCode !== null && !expectedClose.closeCode.includes(observed.remoteCloseCode)) {
    return { behaviorClose: WRONG_CODE, resultClose: `The close code should have been ${expectedClose.closeCode.join(',')} or empty` };
  }
  // RFC 6455 §7.1.1: the server should close the TCP connection first; when the fuzzing client
  // had to drop it, the server under test left it open.
  if (fuzzerIsClient && observed.droppedByMe) {
    return { behaviorClose: FAILED_BY_CLIENT, resultClose: 'It is preferred that the server close the TCP connection' };
  }
  return { behaviorClose: OK, resultClose: 'Connection was properly closed' };
}

const PASSING_BEHAVIOR = new Set([OK, NON_STRICT, INFORMATIONAL]);
const PASSING_CLOSE = new Set([OK, INFORMATIONAL]);

/**
 * One verdict per case: FAILED when either the behaviour or the close behaviour failed (a wrong
 * close code, an unclean close where a clean one is required, the wrong endpoint closing, or the
 * server leaving the TCP connection to the client); otherwise the behaviour's label.
 */
export function finalVerdict(behavior, behaviorClose) {
  if (!PASSING_BEHAVIOR.has(behavior) || !PASSING_CLOSE.has(behaviorClose)) return FAILED;
  return behavior;
}

/** The exit status rule of the runner: any FAILED case fails the run. */
export function runFailed(results) {
  return results.some((r) => r.verdict === FAILED);
}
