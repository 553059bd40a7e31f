/**
 * The ordered queues behind asynchronous extension transforms (permessage-deflate through zlib).
 * RFC 6455 §5.4 and RFC 7692 keep message order, so while one message waits for its transform,
 * everything after it in the same direction waits too: later messages, and on the way in, the
 * ping, pong and close events between them. Nothing is queued while no transform is pending,
 * which is why the state machine checks `items.length` before it queues anything.
 */

import type { WebSocketError } from '@rfc6455/codes';

/** A deferred step of an ordered queue: `run` is set once `pending` turns false. */
export interface QueueItem {
  pending: boolean;
  run: (() => void) | undefined;
  /** The send's completion hook (outgoing queue only), told `false` if the item is dropped. */
  onWritten?: ((written: boolean) => void) | undefined;
}

/**
 * What an absent queue reads as: a direction that never waited for a transform has no queue at
 * all (an idle connection carries none), and its steps are this frozen empty list.
 */
export const NO_ITEMS: readonly QueueItem[] = Object.freeze([]);

/** One direction's queue of steps waiting behind a transform. Made on the first step that has to wait. */
export class OrderedQueue {
  /**
   * The steps, oldest first. The array is never replaced (a drop empties it in place), so the
   * state machine may keep it in a field of its own for the per-message emptiness check.
   */
  readonly items: QueueItem[] = [];
  #epoch = 0;

  /**
   * Changes on every {@link drop}: a transform remembers it when it starts, and a result that
   * settles under another epoch belongs to a dropped step and is ignored.
   */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Run the ready steps at the front in order, stopping at the first still pending. Returns false
   * when a step dropped the queue (the connection failed or ended inside it): stop there.
   */
  runReady(): boolean {
    const items = this.items;
    const epoch = this.#epoch;
    while (items.length > 0 && !items[0]!.pending) {
      const item = items.shift()!;
      item.run!();
      if (this.#epoch !== epoch) return false;
    }
    return true;
  }

  /** Discard every step (failure or end of stream) and return them, so their send hooks can be told. */
  drop(): QueueItem[] {
    const dropped = this.items.splice(0);
    this.#epoch++;
    return dropped;
  }
}

/**
 * What the queue of one direction tells the state machine, with the connection passed in (one set
 * of functions serves every connection, as with the message assembler's outlets).
 */
export interface QueueOutlets<Owner> {
  /** Ready steps ran and the queue stopped at a pending one or ran dry: the connection may finish closing. */
  drained(owner: Owner): void;
  /** An extension's transform failed: fail the connection, with `wireReason` as the close reason when given. */
  fail(owner: Owner, error: WebSocketError, wireReason?: string): void;
}
