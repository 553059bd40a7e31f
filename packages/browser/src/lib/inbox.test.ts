import { describe, expect, it } from 'vitest';
import { flush } from '../../test/fake-websocket.ts';
import { InvalidJsonError } from './errors.ts';
import { Inbox } from './inbox.ts';

describe("parse: 'json'", () => {
  it('parses text, passes binary through, and turns bad JSON into an error with the raw text', () => {
    const inbox = new Inbox<unknown>(true);
    const bytes = new ArrayBuffer(2);
    const received = ['{"a":1}', '{oops', bytes, '[true]'].map((data) => inbox.receive(data));
    expect(received.filter((r) => 'value' in r)).toEqual([{ value: { a: 1 } }, { value: bytes }, { value: [true] }]);
    const errors = received.flatMap((r) => ('error' in r ? [r.error] : []));
    expect(errors.map((e) => [e.code, e.text, e.cause instanceof SyntaxError, e instanceof InvalidJsonError])).toEqual([['WS_ERR_INVALID_JSON', '{oops', true, true]]);
  });

  it('leaves text alone without it', () => {
    expect(new Inbox<unknown>(false).receive('{"a":1}')).toEqual({ value: '{"a":1}' });
  });

  it('makes a loop throw the InvalidJsonError in message order, then end', async () => {
    const inbox = new Inbox<unknown>(true);
    const iterator = inbox.iterate();
    inbox.receive('1');
    inbox.receive('nope');
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(iterator.next()).rejects.toMatchObject({ code: 'WS_ERR_INVALID_JSON', text: 'nope' });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });
});

describe('iteration', () => {
  it('yields messages in order, including ones that arrive while the loop is busy, and ends on end()', async () => {
    const inbox = new Inbox<string>(false);
    const received: unknown[] = [];
    const loop = (async () => {
      for await (const data of inbox.iterate()) received.push(data);
    })();
    inbox.receive('a');
    inbox.receive('b');
    await flush();
    inbox.receive('c');
    inbox.end();
    await loop;
    expect(received).toEqual(['a', 'b', 'c']);
  });

  it('ends the loop on break, and a new loop gets later messages', async () => {
    const inbox = new Inbox<string>(false);
    const first: unknown[] = [];
    const loop = (async () => {
      for await (const data of inbox.iterate()) {
        first.push(data);
        break;
      }
    })();
    inbox.receive('only');
    inbox.receive('ignored');
    await loop;
    expect(first).toEqual(['only']);
    const iterator = inbox.iterate();
    inbox.receive('next');
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'next' });
    inbox.end();
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('throws the end error after the buffered messages, also in loops started later', async () => {
    const inbox = new Inbox<string>(false);
    const iterator = inbox.iterate();
    inbox.receive('last');
    const error = new Error('gave up');
    inbox.end(error);
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'last' });
    await expect(iterator.next()).rejects.toBe(error);
    await expect(inbox.iterate().next()).rejects.toBe(error);
    await expect(new Inbox<string>(false).iterate().return()).resolves.toEqual({ done: true, value: undefined });
  });
});
