/**
 * Async iteration over a socket's messages (`for await (const data of socket)`).
 *
 * A browser cannot pause a native WebSocket (only the not-yet-standard WebSocketStream can), so
 * messages that arrive while the loop body is busy wait in this iterator's buffer; a slow consumer
 * costs memory, never lost messages.
 */

type Entry<T> = { readonly value: T } | { readonly error: unknown };

/** The iterator returned by `socket[Symbol.asyncIterator]()`. Fed by the socket. */
export class MessageIterator<T> implements AsyncIterableIterator<T> {
  #buffer: Entry<T>[] = [];
  #waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  #ended = false;
  #endError: unknown;
  readonly #unsubscribe: (iterator: MessageIterator<T>) => void;

  constructor(unsubscribe: (iterator: MessageIterator<T>) => void) {
    this.#unsubscribe = unsubscribe;
  }

  /** Delivers a message to the loop. */
  push(value: T): void {
    this.#deliver({ value });
  }

  /** Delivers an error to the loop in message order; the loop throws it and iteration stops. */
  pushError(error: unknown): void {
    this.#deliver({ error });
  }

  /** Ends iteration after the buffered messages: done, or thrown `error` when there is one. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endError = error;
    if (this.#waiting !== undefined && this.#buffer.length === 0) this.#settleEnd();
  }

  next(): Promise<IteratorResult<T>> {
    const entry = this.#buffer.shift();
    if (entry !== undefined) return this.#settleEntry(entry);
    if (this.#ended) {
      return new Promise((resolve, reject) => {
        this.#waiting = { resolve, reject };
        this.#settleEnd();
      });
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#stop();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve({ done: true, value: undefined });
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #deliver(entry: Entry<T>): void {
    if (this.#ended) return;
    const waiting = this.#waiting;
    if (waiting === undefined) {
      this.#buffer.push(entry);
      return;
    }
    this.#waiting = undefined;
    this.#settleEntry(entry).then(waiting.resolve, waiting.reject);
  }

  #settleEntry(entry: Entry<T>): Promise<IteratorResult<T>> {
    if ('value' in entry) return Promise.resolve({ done: false, value: entry.value });
    // A thrown error ends a for-await loop without calling return(), so stop here.
    this.#stop();
    return Promise.reject(entry.error);
  }

  #settleEnd(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    this.#waiting = undefined;
    const error = this.#endError;
    this.#endError = undefined;
    this.#unsubscribe(this);
    if (error === undefined) waiting.resolve({ done: true, value: undefined });
    else waiting.reject(error);
  }

  #stop(): void {
    this.#ended = true;
    this.#endError = undefined;
    this.#buffer = [];
    this.#unsubscribe(this);
  }
}
