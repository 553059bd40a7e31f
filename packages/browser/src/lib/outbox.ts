/**
 * Where a sent message goes: straight into the open native socket, or into the bounded queue while
 * (re)connecting, flushed in order when the next connection opens. Messages handed to a native
 * socket are counted by its {@link DrainTracker}, which settles `sendAsync()` promises. Nothing
 * leaves this place silently: a message that fits nowhere is refused at once, one dropped at the
 * end is rejected or counted.
 */
import { OPEN } from '@rfc6455/codes';
import { DrainTracker } from './drain-tracker.ts';
import { BrowserError, BrowserErrorCode } from './errors.ts';
import type { NativeWebSocket } from './native.ts';
import { SendQueue } from './send-queue.ts';
import type { QueuedMessage } from './send-queue.ts';
import type { Timers } from './timers.ts';

/** The send path of one socket, across its connections. */
export class Outbox {
  readonly #queue: SendQueue;
  readonly #timers: Timers;
  #native: NativeWebSocket | undefined;
  #drain: DrainTracker | undefined;

  constructor(maxQueuedMessages: number, maxQueuedBytes: number, timers: Timers) {
    this.#queue = new SendQueue(maxQueuedMessages, maxQueuedBytes);
    this.#timers = timers;
  }

  /** How many messages wait in the queue. */
  get queuedMessages(): number {
    return this.#queue.length;
  }

  /** Bytes not yet sent: the open native socket's `bufferedAmount` plus the queue's bytes. */
  get bufferedAmount(): number {
    return (this.#native?.bufferedAmount ?? 0) + this.#queue.bytes;
  }

  /**
   * A connection opened: later messages go to `native`. The queued ones are sent first, so they
   * precede anything an `open` listener sends.
   */
  attach(native: NativeWebSocket): void {
    const drain = new DrainTracker(() => native.bufferedAmount, this.#timers);
    this.#native = native;
    this.#drain = drain;
    for (const item of this.#queue.drain()) {
      native.send(item.data);
      drain.handed(item.size, item.resolve, item.reject);
    }
  }

  /** The connection ended with `code`: its `sendAsync()` promises still waiting reject with `WS_ERR_NOT_SENT`. */
  detach(code: number): void {
    this.#drain?.close(code);
    this.#drain = undefined;
    this.#native = undefined;
  }

  /**
   * Sends a message on the open connection, or queues it. Returns the error that says why it was
   * refused (queue full, or queueing off), leaving everything as it was; `undefined` on success.
   */
  send(message: QueuedMessage): BrowserError | undefined {
    const native = this.#native;
    if (native === undefined || this.#drain === undefined || native.readyState !== OPEN) return this.#queue.push(message);
    native.send(message.data);
    this.#drain.handed(message.size, message.resolve, message.reject);
    return undefined;
  }

  /**
   * Closed for good with `code`: empties the queue, rejecting each `sendAsync()` message with
   * `WS_ERR_NOT_SENT`. Returns the `WS_ERR_NOT_SENT` error to report for the plain `send()`
   * messages dropped, or `undefined` when there were none.
   */
  dropQueued(code: number): BrowserError | undefined {
    let unsent = 0;
    for (const item of this.#queue.drain()) {
      if (item.reject === undefined) {
        unsent++;
        continue;
      }
      item.reject(new BrowserError(BrowserErrorCode.NotSent, 'The socket closed for good before this queued message was sent', { closeCode: code }));
    }
    if (unsent === 0) return undefined;
    return new BrowserError(BrowserErrorCode.NotSent, `${unsent} queued message(s) were not sent: the socket closed for good first`, { closeCode: code });
  }
}
