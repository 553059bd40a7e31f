/**
 * The test process's own end of a faulted connection: numbered messages sent with callbacks (how
 * many the sender was told were sent, how many were refused) and the numbered messages received
 * (in order? once?). The same message format as the peer processes (`<seq>:<padding>`).
 */
import type { WebSocket } from '@rfc6455/client';

/** One end's counts, in the shape the peers report (peer.ts `PeerStats`). */
export interface Ledger {
  sent: number;
  acked: number;
  failed: number;
  /** The error codes the refused sends' callbacks got. */
  failures: Set<string>;
  received: number;
  lastSeq: number;
  outOfOrder: number;
  duplicates: number;
  /** Error events of the connection, by code. */
  errors: string[];
}

const codeOf = (err: Error): string => String((err as Error & { code?: string }).code ?? err.message);

/** Keep the ledger of `ws`: count its numbered messages and its error events. */
export function keepLedger(ws: WebSocket): Ledger {
  const ledger: Ledger = { sent: 0, acked: 0, failed: 0, failures: new Set(), received: 0, lastSeq: -1, outOfOrder: 0, duplicates: 0, errors: [] };
  ws.on('message', (data) => {
    const seq = Number(String(data).split(':', 1)[0]);
    ledger.received++;
    if (seq === ledger.lastSeq) ledger.duplicates++;
    else if (seq < ledger.lastSeq) ledger.outOfOrder++;
    ledger.lastSeq = Math.max(ledger.lastSeq, seq);
  });
  ws.on('error', (err: Error) => ledger.errors.push(codeOf(err)));
  return ledger;
}

let nextSeq = 0;

/** Send one numbered message of about `bytes` bytes on `ws`, counted in `ledger`; returns `send`'s result. */
export function sendNumbered(ws: WebSocket, ledger: Ledger, bytes = 64): boolean {
  const seq = nextSeq++;
  ledger.sent++;
  return ws.send(`${seq}:${'x'.repeat(Math.max(0, bytes - String(seq).length - 1))}`, (err) => {
    if (err) {
      ledger.failed++;
      ledger.failures.add(codeOf(err));
    } else {
      ledger.acked++;
    }
  });
}

/** Send a numbered message on `ws` every `everyMs` until the returned function is called. */
export function stream(ws: WebSocket, ledger: Ledger, everyMs = 5, bytes = 64): () => void {
  const timer = setInterval(() => {
    if (ws.readyState === 1) sendNumbered(ws, ledger, bytes);
  }, everyMs);
  return () => clearInterval(timer);
}

/** The arguments of `ws`'s next `close` event (events.once would reject on an earlier `error` event, which faults cause). */
export function closeOf(ws: WebSocket): Promise<[code: number, reason: Buffer, wasClean: boolean]> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer, wasClean: boolean) => resolve([code, reason, wasClean])));
}
