import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from './heartbeat.ts';

describe('Heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(intervalMs: number, timeoutMs: number) {
    const pings: string[] = [];
    const expired: string[] = [];
    const hb: Heartbeat<string> = new Heartbeat<string>(
      { intervalMs, timeoutMs },
      { ping: (c) => pings.push(c), expire: (c) => { expired.push(c); hb.delete(c); } },
    );
    return { hb, pings, expired };
  }

  it('pings every connection once per interval and keeps those that answer', () => {
    const { hb, pings, expired } = setup(1000, 500);
    hb.add('a');
    hb.add('b');
    vi.advanceTimersByTime(999);
    expect(pings).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(pings).toEqual(['a', 'b']);
    hb.alive('a');
    hb.alive('b');
    vi.advanceTimersByTime(1000);
    expect(pings).toEqual(['a', 'b', 'a', 'b']);
    expect(expired).toEqual([]);
  });

  it('expires a connection that does not answer within timeoutMs of its ping', () => {
    const { hb, pings, expired } = setup(1000, 300);
    hb.add('dead');
    hb.add('live');
    vi.advanceTimersByTime(1000);
    hb.alive('live');
    vi.advanceTimersByTime(299);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['dead']);
    expect(hb.size).toBe(1);
    expect(pings).toEqual(['dead', 'live']);
  });

  it('with a timeout longer than the interval, does not ping again while a ping is outstanding', () => {
    const { hb, pings, expired } = setup(100, 250);
    hb.add('x');
    vi.advanceTimersByTime(300);
    expect(pings).toEqual(['x']);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(expired).toEqual(['x']);
  });

  it('uses one timer for many connections and stops when the last one leaves', () => {
    const { hb } = setup(1000, 1000);
    for (let i = 0; i < 1000; i++) hb.add(`c${i}`);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(vi.getTimerCount()).toBe(1);
    for (let i = 0; i < 1000; i++) hb.delete(`c${i}`);
    expect(vi.getTimerCount()).toBe(0);
  });
});
