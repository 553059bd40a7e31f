/**
 * The receive path: each message as the application gets it (parsed in `parse: 'json'` mode, a
 * parse failure kept as an error that carries the raw text), and the `for await` loops that wait
 * for messages until the socket closes for good.
 */
import { InvalidJsonError } from './errors.ts';
import { MessageIterator } from './message-iterator.ts';

/** What one received message becomes: a value to dispatch, or the error to report instead. */
export type Received<T> = { readonly value: T } | { readonly error: InvalidJsonError };

/** The receive side of one socket, across its connections. */
export class Inbox<T> {
  readonly #parseJson: boolean;
  readonly #iterators = new Set<MessageIterator<T>>();
  #ended = false;
  #endError: unknown;

  constructor(parseJson: boolean) {
    this.#parseJson = parseJson;
  }

  /** A message arrived: every open iterator gets it (or its parse error) in order. */
  receive(data: unknown): Received<T> {
    let value = data;
    if (this.#parseJson && typeof data === 'string') {
      try {
        value = JSON.parse(data);
      } catch (cause) {
        const error = new InvalidJsonError(data, cause);
        for (const iterator of this.#iterators) iterator.pushError(error);
        return { error };
      }
    }
    for (const iterator of this.#iterators) iterator.push(value as T);
    return { value: value as T };
  }

  /** A new iterator over the messages from now on; already ended once the socket closed for good. */
  iterate(): MessageIterator<T> {
    const iterator = new MessageIterator<T>((it) => this.#iterators.delete(it));
    if (this.#ended) iterator.end(this.#endError);
    else this.#iterators.add(iterator);
    return iterator;
  }

  /** The socket was reopened (`reconnect()` after closing for good): new iterators wait for messages again. */
  reopen(): void {
    this.#ended = false;
    this.#endError = undefined;
  }

  /** Closed for good: each iterator yields what it holds, then ends, throwing `error` when there is one. */
  end(error?: unknown): void {
    this.#ended = true;
    this.#endError = error;
    for (const iterator of this.#iterators) iterator.end(error);
    this.#iterators.clear();
  }
}
