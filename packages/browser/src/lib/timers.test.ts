import { afterEach, describe, expect, it, vi } from 'vitest';
import { globalTimers } from './timers.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('globalTimers', () => {
  it('uses the global setTimeout and clearTimeout of the moment they are called', () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    globalTimers.setTimeout(() => fired.push('kept'), 10);
    const cancelled = globalTimers.setTimeout(() => fired.push('cancelled'), 10);
    globalTimers.clearTimeout(cancelled);
    vi.advanceTimersByTime(9);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['kept']);
  });
});
