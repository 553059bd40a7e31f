/**
 * ws's `verifyClient` hook (doc/ws.md, "new WebSocketServer"), in both of its forms: the
 * one-argument form answers with its return value, the two-argument form through a callback. ws
 * tells them apart by the function's declared parameter count (`length`), and so do we.
 */
import type { IncomingMessage } from 'node:http';
import type { HttpErrorHeaders } from './server-error.ts';
import type { Reject } from './upgrade.ts';
import type { VerifyClient, VerifyClientCallback, VerifyClientInfo } from './ws-options.ts';

/**
 * Ask `verify` about `request`; call `next` when it accepts. A refusal answers `code` (default
 * 401, as ws) with `message` as the body and `headers`; a hook that throws, refuses with a status
 * that is not an HTTP error, or (one-argument form) returns a promise, answers 500 with the
 * reason as the cause. Only the first answer of the callback counts.
 */
export function runVerifyClient(verify: VerifyClient, request: IncomingMessage, origin: string | undefined, reject: Reject, next: () => void): void {
  const tls = request.socket as { authorized?: boolean; encrypted?: boolean } | undefined;
  const info: VerifyClientInfo = { origin, secure: Boolean(tls?.authorized || tls?.encrypted), req: request };
  const refuse = (code: unknown, message: unknown, headers: unknown): void => {
    const status = code === undefined || code === null || code === 0 ? 401 : code;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      const err = new RangeError(`verifyClient refused with code ${String(code)}; a refusal needs an HTTP error status from 400 to 599.`);
      return reject(500, 'Internal Server Error', undefined, err);
    }
    reject(status, typeof message === 'string' ? message : '', headers as HttpErrorHeaders | undefined);
  };
  if (verify.length >= 2) {
    let answered = false;
    const callback: VerifyClientCallback = (result, code, message, headers) => {
      if (answered) return;
      answered = true;
      if (result) next();
      else refuse(code, message, headers);
    };
    try {
      (verify as (info: VerifyClientInfo, cb: VerifyClientCallback) => void)(info, callback);
    } catch (err) {
      if (!answered) {
        answered = true;
        reject(500, 'Internal Server Error', undefined, err);
      }
    }
    return;
  }
  let result: unknown;
  try {
    result = (verify as (info: VerifyClientInfo) => unknown)(info);
  } catch (err) {
    return reject(500, 'Internal Server Error', undefined, err);
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    // ws would take the promise for a yes: a check that admits everybody is worse than a 500.
    const err = new TypeError('verifyClient(info) returned a promise: declare (info, callback) and call callback(result), or use authenticate.');
    return reject(500, 'Internal Server Error', undefined, err);
  }
  if (result) next();
  else refuse(401, '', undefined);
}
