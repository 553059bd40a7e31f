import { describe, expect, it } from 'vitest';
import { MessageIterator } from './message-iterator.ts';

/** An iterator and the record of its unsubscribe calls. */
function setup() {
  const unsubscribed: unknown[] = [];
  const iterator = new MessageIterator<string>((it) => unsubscribed.push(it));
  return { iterator, unsubscribed };
}

describe('MessageIterator', () => {
  it('hands a message to a waiting next(), and buffers the ones nobody waits for', async () => {
    const { iterator } = setup();
    const waiting = iterator.next();
    iterator.push('a');
    iterator.push('b');
    iterator.push('c');
    await expect(waiting).resolves.toEqual({ done: false, value: 'a' });
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'b' });
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'c' });
  });

  it('throws a pushed error in order, then stops and unsubscribes', async () => {
    const { iterator, unsubscribed } = setup();
    const error = new Error('bad message');
    iterator.push('a');
    iterator.pushError(error);
    iterator.push('dropped');
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'a' });
    await expect(iterator.next()).rejects.toBe(error);
    expect(unsubscribed).toEqual([iterator]);
    iterator.push('late');
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('ends after the buffered messages, with or without an error, for a next() already waiting too', async () => {
    const a = setup();
    a.iterator.push('last');
    a.iterator.end(new Error('gone'));
    await expect(a.iterator.next()).resolves.toEqual({ done: false, value: 'last' });
    await expect(a.iterator.next()).rejects.toThrow('gone');
    await expect(a.iterator.next()).resolves.toEqual({ done: true, value: undefined });
    const b = setup();
    const waiting = b.iterator.next();
    b.iterator.end();
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    expect(b.unsubscribed).toEqual([b.iterator]);
  });

  it('return() settles a waiting next(), drops the buffer and unsubscribes', async () => {
    const { iterator, unsubscribed } = setup();
    const waiting = iterator.next();
    await expect(iterator.return()).resolves.toEqual({ done: true, value: undefined });
    expect(unsubscribed).toEqual([iterator]);
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    iterator.push('ignored');
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    expect(iterator[Symbol.asyncIterator]()).toBe(iterator);
  });
});
