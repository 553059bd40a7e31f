/**
 * The queue that keeps message order when a Blob is sent: a Blob is read asynchronously, so it
 * and every send made after it wait here until it has been read. Created only when a Blob is
 * first sent; a connection that never sends one never pays for it.
 */
import type { ReadyState } from '@rfc6455/codes';
import { notOpen } from './client-error.ts';
import { byteLengthOf } from './send-data.ts';
import type { SendCallback, SendData, SendOptions } from './send-data.ts';

/** What the queue needs from its connection (the connection's send path, outgoing.ts). */
export interface SendQueueHost {
  /**
   * Send now (data is never a Blob here). The connection decides whether it can still send —
   * after `close()` it can, until its close frame is written — and tells `cb` when it cannot.
   */
  write(data: Exclude<SendData, Blob>, options: SendOptions | undefined, cb: SendCallback | undefined): void;
  /** Count `bytes` that were accepted but will never be sent (WHATWG bufferedAmount keeps them). */
  addUnsent(bytes: number): void;
}

/** One queued send behind a Blob being read. */
interface PendingSend {
  data: SendData;
  options: SendOptions | undefined;
  cb: SendCallback | undefined;
}

/** Sends waiting behind a Blob, sent in order once it is read. */
export class SendQueue {
  readonly #host: SendQueueHost;
  #items: PendingSend[] = [];
  #bytes = 0;
  #whenEmpty: (() => void) | undefined;

  /** An empty queue for the connection `host`. */
  constructor(host: SendQueueHost) {
    this.#host = host;
  }

  /** How many sends wait. While any does, a new send must wait too, to keep order. */
  get length(): number {
    return this.#items.length;
  }

  /** The bytes of the waiting sends, for `bufferedAmount`. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queue a send; starts reading when it is the first. */
  push(data: SendData, options: SendOptions | undefined, cb: SendCallback | undefined): void {
    this.#items.push({ data, options, cb });
    this.#bytes += byteLengthOf(data);
    if (this.#items.length === 1) this.#next();
  }

  /**
   * Call `fn` once every queued send has been handed to the connection (now when none waits).
   * `close()` uses it so that its close frame follows everything accepted before it.
   */
  whenEmpty(fn: () => void): void {
    if (this.#items.length === 0) fn();
    else this.#whenEmpty = fn;
  }

  /**
   * The connection closed: empty the queue, count its bytes as never sent and tell each callback
   * (on the next tick) that its data was not sent.
   */
  failAll(state: ReadyState): void {
    for (const item of this.#items.splice(0)) {
      this.#host.addUnsent(byteLengthOf(item.data));
      if (item.cb !== undefined) process.nextTick(item.cb, notOpen(state));
    }
    this.#bytes = 0;
    this.#whenEmpty = undefined;
  }

  /** Read queued Blobs in order and send them (and the sends queued behind them). */
  #next(): void {
    const item = this.#items[0];
    if (item === undefined) {
      const fn = this.#whenEmpty;
      this.#whenEmpty = undefined;
      fn?.();
      return;
    }
    const host = this.#host;
    if (!(item.data instanceof Blob)) {
      this.#items.shift();
      this.#bytes -= byteLengthOf(item.data);
      host.write(item.data, item.options, item.cb);
      this.#next();
      return;
    }
    const blob = item.data;
    blob.arrayBuffer().then(
      (buffer) => {
        // The connection closed while the Blob was read: failAll has already answered this send.
        if (this.#items[0] !== item) return;
        this.#items.shift();
        this.#bytes -= blob.size;
        host.write(buffer, item.options, item.cb);
        this.#next();
      },
      (err: unknown) => {
        if (this.#items[0] !== item) return;
        this.#items.shift();
        this.#bytes -= blob.size;
        if (item.cb !== undefined) item.cb(err instanceof Error ? err : new Error(String(err)));
        this.#next();
      },
    );
  }
}
