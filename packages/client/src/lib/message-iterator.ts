/**
 * `for await (const message of ws)`: the messages of a connection as an async iterator, with
 * backpressure (the socket is paused while the consumer is behind) and an error when the
 * connection ends abnormally.
 */
import type { EventEmitter } from 'node:events';

/** What the iterator needs from the WebSocket; kept narrow so it stays testable. */
export interface IterableSource extends Pick<EventEmitter, 'on' | 'off'> {
  pause(): void;
  resume(): void;
  readonly isPaused: boolean;
  readonly readyState: number;
}

/** Messages buffered before the socket is paused. */
export const ITERATOR_HIGH_WATER = 16;
/** Buffered messages under which a paused socket resumes. */
export const ITERATOR_LOW_WATER = 4;

/**
 * An async iterator over a connection's messages. `convert` turns a ws-style message into the
 * value yielded (a string for text, else per `binaryType`). It ends when the connection closes
 * cleanly, throws the connection's error (or a `WS_ERR_CLOSED_ABNORMALLY` error made by
 * `closedError`) when it ends otherwise, and `return()` (a `break`) stops listening without
 * closing the connection.
 */
export function createMessageIterator<T>(
  source: IterableSource,
  convert: (data: unknown, isBinary: boolean) => T,
  closedError: (code: number, reason: string) => Error,
): AsyncIterableIterator<T> {
  const queue: T[] = [];
  const waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  let ended = false;
  let failure: unknown;
  let pausedByUs = false;

  const onMessage = (data: unknown, isBinary: boolean): void => {
    const value = convert(data, isBinary);
    const next = waiting.shift();
    if (next !== undefined) {
      next.resolve({ value, done: false });
      return;
    }
    queue.push(value);
    if (queue.length >= ITERATOR_HIGH_WATER && !source.isPaused) {
      source.pause();
      pausedByUs = true;
    }
  };
  const onError = (err: unknown): void => {
    if (failure === undefined) failure = err;
  };
  const onClose = (code: number, reason: Buffer, wasClean: boolean): void => {
    if (!wasClean && failure === undefined) failure = closedError(code, reason.toString('utf8'));
    finish();
  };
  const detach = (): void => {
    source.off('message', onMessage);
    source.off('error', onError);
    source.off('close', onClose);
    if (pausedByUs) {
      pausedByUs = false;
      source.resume();
    }
  };
  const finish = (): void => {
    if (ended) return;
    ended = true;
    detach();
    for (const next of waiting.splice(0)) {
      if (failure !== undefined) next.reject(failure);
      else next.resolve({ value: undefined, done: true });
    }
  };

  source.on('message', onMessage);
  source.on('error', onError);
  source.on('close', onClose);
  // Already closed: nothing will come.
  if (source.readyState === 3) finish();

  const iterator: AsyncIterableIterator<T> = {
    next(): Promise<IteratorResult<T>> {
      if (queue.length > 0) {
        const value = queue.shift() as T;
        if (pausedByUs && queue.length <= ITERATOR_LOW_WATER) {
          pausedByUs = false;
          source.resume();
        }
        return Promise.resolve({ value, done: false });
      }
      if (ended) {
        if (failure !== undefined) {
          const err = failure;
          // The error is reported once; later calls just end.
          failure = undefined;
          return Promise.reject(err);
        }
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return(): Promise<IteratorResult<T>> {
      if (!ended) {
        ended = true;
        detach();
        for (const next of waiting.splice(0)) next.resolve({ value: undefined, done: true });
      }
      queue.length = 0;
      failure = undefined;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
