/**
 * The soak's accounting: per connection and per flow, how many messages the sender was told were
 * sent (a send callback without error; broadcast/publish counting the connection) and how many the
 * receiver's application got. When both ends of a connection have closed, its counts are folded
 * into the totals and the ledger is forgotten, so the harness itself holds memory flat.
 *
 * What counts as lost is what the delivery promise (docs/delivery.md) rules out: a message the
 * sender was told was sent, missing at the receiver, on a connection whose close the SENDER saw as
 * clean (`wasClean`). On a connection its sender saw close uncleanly, a missing message is
 * "unconfirmed": the sender learned it may not have arrived. More received than sent is a
 * duplicate, and fails whatever the close.
 */

/** One flow of one connection. */
export interface Flow {
  /** Messages the sender was told were sent. */
  sent: number;
  /** Messages the receiver's application got. */
  received: number;
  /** Received out of order (a sequence number not above the previous one). */
  outOfOrder: number;
  /** The last sequence number received, for the order check. */
  lastSeq: number;
}

/** The flows of one connection: client → server, and the three server → client flows. */
export interface ConnectionLedger {
  readonly id: number;
  /** Client messages to the server. */
  readonly upstream: Flow;
  /** The server's echoes of them. */
  readonly echo: Flow;
  /** The server's broadcasts to everyone. */
  readonly broadcast: Flow;
  /** The slow-consumer topic's publishes. */
  readonly feed: Flow;
  /** How each end saw the close (undefined until it closed). */
  clientClean?: boolean;
  serverClean?: boolean;
  /** Whether the server accepted this connection (so it will report a close). */
  serverOpened: boolean;
}

/** Totals of one direction. */
export interface DirectionTotals {
  sent: number;
  received: number;
  /** Sent, missing, and the sender saw a clean close: must be 0. */
  lost: number;
  /** Received more often than sent: must be 0. */
  duplicated: number;
  /** Received out of order: must be 0. */
  outOfOrder: number;
  /** Sent, missing, on a connection whose sender saw an unclean close (it learned it). */
  unconfirmed: number;
}

const newFlow = (): Flow => ({ sent: 0, received: 0, outOfOrder: 0, lastSeq: -1 });
const newTotals = (): DirectionTotals => ({ sent: 0, received: 0, lost: 0, duplicated: 0, outOfOrder: 0, unconfirmed: 0 });

/** Count a received message of `flow`, checking its sequence number when it has one. */
export function receive(flow: Flow, seq?: number): void {
  flow.received++;
  if (seq === undefined) return;
  if (seq <= flow.lastSeq) flow.outOfOrder++;
  flow.lastSeq = seq;
}

/** Every connection's ledger until both its ends have closed, and the totals of those that have. */
export class SoakBook {
  readonly #open = new Map<number, ConnectionLedger>();
  readonly clientToServer = newTotals();
  readonly serverToClient = newTotals();
  /** Connections folded into the totals, and how many of them both ends saw close cleanly. */
  connections = 0;
  cleanCloses = 0;
  /** Lines describing lost, duplicated or reordered messages (at most 20), for the log. */
  readonly problems: string[] = [];

  /** A new connection's ledger. */
  open(id: number): ConnectionLedger {
    const ledger: ConnectionLedger = { id, upstream: newFlow(), echo: newFlow(), broadcast: newFlow(), feed: newFlow(), serverOpened: false };
    this.#open.set(id, ledger);
    return ledger;
  }

  /** The open ledger of connection `id`, if any. */
  get(id: number): ConnectionLedger | undefined {
    return this.#open.get(id);
  }

  /** How many ledgers are still open (both ends not yet closed). */
  get openCount(): number {
    return this.#open.size;
  }

  /** The client end closed. */
  clientClosed(ledger: ConnectionLedger, wasClean: boolean): void {
    ledger.clientClean = wasClean;
    if (!ledger.serverOpened || ledger.serverClean !== undefined) this.#fold(ledger);
  }

  /** The server end closed. */
  serverClosed(ledger: ConnectionLedger, wasClean: boolean): void {
    ledger.serverClean = wasClean;
    if (ledger.clientClean !== undefined) this.#fold(ledger);
  }

  /** Fold every ledger still open (the run is over; an end that never reported a close counts as unclean). */
  finish(): void {
    for (const ledger of [...this.#open.values()]) this.#fold(ledger);
  }

  #fold(ledger: ConnectionLedger): void {
    if (!this.#open.delete(ledger.id)) return;
    this.connections++;
    if (ledger.clientClean === true && ledger.serverClean === true) this.cleanCloses++;
    this.#add(this.clientToServer, ledger.upstream, ledger.clientClean === true, ledger, 'upstream');
    for (const name of ['echo', 'broadcast', 'feed'] as const) {
      this.#add(this.serverToClient, ledger[name], ledger.serverClean === true, ledger, name);
    }
  }

  #add(totals: DirectionTotals, flow: Flow, senderClean: boolean, ledger: ConnectionLedger, name: string): void {
    totals.sent += flow.sent;
    totals.received += flow.received;
    totals.outOfOrder += flow.outOfOrder;
    const missing = flow.sent - flow.received;
    if (missing < 0) totals.duplicated -= missing;
    else if (senderClean) totals.lost += missing;
    else totals.unconfirmed += missing;
    if ((missing < 0 || (missing > 0 && senderClean) || flow.outOfOrder > 0) && this.problems.length < 20) {
      this.problems.push(`connection ${ledger.id} ${name}: ${JSON.stringify(flow)} client clean ${ledger.clientClean} server clean ${ledger.serverClean}`);
    }
  }
}
