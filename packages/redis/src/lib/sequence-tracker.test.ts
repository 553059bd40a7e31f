import { describe, expect, it } from 'vitest';
import { SequenceTracker } from './sequence-tracker.ts';

describe('SequenceTracker', () => {
  it('tells the next number, a repeat and a gap apart, per publisher', () => {
    const t = new SequenceTracker();
    expect(t.observe('a', 7)).toEqual({ kind: 'first' });
    expect(t.observe('a', 8)).toEqual({ kind: 'next' });
    expect(t.observe('b', 1)).toEqual({ kind: 'first' });
    expect(t.observe('a', 8)).toEqual({ kind: 'duplicate' });
    expect(t.observe('a', 3)).toEqual({ kind: 'duplicate' });
    expect(t.observe('a', 12)).toEqual({ kind: 'gap', first: 9, last: 11 });
    expect(t.observe('b', 2)).toEqual({ kind: 'next' });
  });

  it('forgets the publisher heard least recently past its limit', () => {
    const t = new SequenceTracker(2);
    t.observe('a', 1);
    t.observe('b', 1);
    t.observe('a', 2);
    t.observe('c', 1);
    // b was heard least recently: forgotten, so it starts again; a is still known.
    expect(t.observe('b', 5)).toEqual({ kind: 'first' });
    expect(t.observe('c', 2)).toEqual({ kind: 'next' });
  });
});
