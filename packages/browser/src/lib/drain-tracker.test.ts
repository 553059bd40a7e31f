import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../../test/manual-timers.ts';
import { DrainTracker } from './drain-tracker.ts';

/** A tracker over a settable `bufferedAmount`, on a manual clock, recording what settles. */
function setup() {
  const timers = new ManualTimers();
  const state = { buffered: 0 };
  const tracker = new DrainTracker(() => state.buffered, timers);
  const settled: string[] = [];
  const send = (name: string, size: number): void =>
    tracker.handed(
      size,
      () => settled.push(name),
      (error) => settled.push(`${name} ${error.code} ${String(error.closeCode)}`),
    );
  return { timers, state, tracker, settled, send };
}

describe('DrainTracker', () => {
  it('resolves at once when bufferedAmount is 0, without a timer', () => {
    const { timers, settled, send } = setup();
    send('x', 1);
    expect(settled).toEqual(['x']);
    expect(timers.pending).toBe(0);
  });

  it('resolves when the bytes of its message have left, not when the buffer refills', () => {
    const { timers, state, settled, send } = setup();
    state.buffered = 100;
    send('first', 3);
    send('second', 4);
    state.buffered = 5;
    timers.advance(5);
    expect(settled).toEqual([]);
    state.buffered = 4;
    timers.advance(10);
    expect(settled).toEqual(['first']);
    state.buffered = 0;
    timers.advance(20);
    expect(settled).toEqual(['first', 'second']);
    expect(timers.pending).toBe(0);
  });

  it('polls 5 ms doubling to at most 100 ms while promises wait', () => {
    const { timers, state, send } = setup();
    state.buffered = 1;
    send('x', 1);
    timers.advance(2000);
    expect(timers.delays.slice(0, 7)).toEqual([5, 10, 20, 40, 80, 100, 100]);
  });

  it('rejects what is still buffered with WS_ERR_NOT_SENT and the close code on close', () => {
    const { timers, state, tracker, settled, send } = setup();
    state.buffered = 10;
    send('left', 0);
    send('stuck', 10);
    tracker.close(1006);
    expect(settled).toEqual(['left', 'stuck WS_ERR_NOT_SENT 1006']);
    expect(timers.pending).toBe(0);
  });

  it('counts handed bytes without callbacks', () => {
    const { timers, state, tracker, settled, send } = setup();
    state.buffered = 8;
    tracker.handed(5);
    send('mine', 3);
    state.buffered = 3;
    timers.advance(5);
    expect(settled).toEqual([]);
    state.buffered = 0;
    timers.advance(10);
    expect(settled).toEqual(['mine']);
  });
});
