/**
 * The queue of messages sent while the socket is (re)connecting. It is bounded in messages and in
 * bytes, and it refuses what does not fit rather than dropping anything: the caller learns at once.
 */
import { BrowserError, BrowserErrorCode } from './errors.ts';
import type { SendData } from './send-data.ts';

/** One queued message, and the promise callbacks of `sendAsync()` when it came from there. */
export interface QueuedMessage {
  readonly data: SendData;
  readonly size: number;
  readonly resolve?: (() => void) | undefined;
  readonly reject?: ((error: BrowserError) => void) | undefined;
}

/** A FIFO bounded by message count and total bytes. */
export class SendQueue {
  readonly maxMessages: number;
  readonly maxBytes: number;
  #items: QueuedMessage[] = [];
  #bytes = 0;

  constructor(maxMessages: number, maxBytes: number) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  /** How many messages wait. */
  get length(): number {
    return this.#items.length;
  }

  /** How many payload bytes wait. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Appends a message, or returns the error saying why it does not fit (and leaves the queue as
   * it was). Returns `undefined` on success.
   */
  push(message: QueuedMessage): BrowserError | undefined {
    if (this.maxMessages === 0) {
      return new BrowserError(BrowserErrorCode.NotOpen, 'The socket is not open and queueing is off (maxQueuedMessages is 0)');
    }
    if (this.#items.length + 1 > this.maxMessages) {
      return new BrowserError(
        BrowserErrorCode.QueueFull,
        `The send queue is full: ${this.#items.length} messages wait and maxQueuedMessages is ${this.maxMessages}`,
      );
    }
    if (this.#bytes + message.size > this.maxBytes) {
      return new BrowserError(
        BrowserErrorCode.QueueFull,
        `The send queue is full: ${this.#bytes} bytes wait, this message has ${message.size} and maxQueuedBytes is ${this.maxBytes}`,
      );
    }
    this.#items.push(message);
    this.#bytes += message.size;
    return undefined;
  }

  /** Removes and returns every queued message, oldest first. */
  drain(): QueuedMessage[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    return items;
  }
}
