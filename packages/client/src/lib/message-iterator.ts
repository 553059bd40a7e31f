/**
 * `for await (const message of ws)`: the messages of a connection as an async iterator, with
 * backpressure (the socket is paused while the consumer is behind) and an error when the
 * connection ends abnormally.
 */
import type { EventEmitter } from 'node:events';
import { CLOSED } from '@rfc6455/codes';
import { ClientError, ClientErrorCode } from './client-error.ts';
import { toWhatwgData } from './message-conversion.ts';
import type { MessageData } from './message-conversion.ts';

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

/** What the iterator yields: a string for a text message, else the binary message per `binaryType`. */
export type IteratedMessage = string | MessageData;

/**
 * An async iterator over a connection's messages, each a string (text) or per `binaryType`. It
 * ends when the connection closes cleanly, throws the connection's error (or a
 * `WS_ERR_CLOSED_ABNORMALLY` {@link ClientError} when no error was reported) when it ends
 * otherwise, and `return()` (a `break`) stops listening without closing the connection.
 */
export function createMessageIterator(source: IterableSource): AsyncIterableIterator<IteratedMessage> {
  const queue: IteratedMessage[] = [];
  const waiting: Array<{ resolve: (r: IteratorResult<IteratedMessage>) => void; reject: (e: unknown) => void }> = [];
  let ended = false;
  let failure: Error | undefined;
  let pausedByUs = false;

  const onMessage = (data: unknown, isBinary: boolean): void => {
    const value = toWhatwgData(data, isBinary) as IteratedMessage;
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
  const onError = (err: Error): void => {
    if (failure === undefined) failure = err;
  };
  const onClose = (code: number, reason: Buffer, wasClean: boolean): void => {
    if (!wasClean && failure === undefined) failure = closedAbnormally(code, reason.toString('utf8'));
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
  if (source.readyState === CLOSED) finish();

  const iterator: AsyncIterableIterator<IteratedMessage> = {
    next(): Promise<IteratorResult<IteratedMessage>> {
      if (queue.length > 0) {
        const value = queue.shift() as IteratedMessage;
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
    return(): Promise<IteratorResult<IteratedMessage>> {
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

function closedAbnormally(code: number, reason: string): ClientError {
  return new ClientError(ClientErrorCode.ClosedAbnormally, `The connection closed without a closing handshake (code ${code}${reason ? `, ${reason}` : ''})`, {
    closeCode: code,
  });
}
