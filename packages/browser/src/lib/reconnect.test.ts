import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../../test/manual-timers.ts';
import { DEFAULT_BACKOFF } from './backoff.ts';
import { finalCodePredicate } from './options.ts';
import { Reconnector } from './reconnect.ts';
import type { ReconnectPolicy } from './reconnect.ts';

/**
 * A machine with a recording host on a manual clock. The log uses the socket's event names:
 * `connect` (an attempt starts), `close <code> <wasClean> <willReconnect>`, `reconnect <n> <ms>`,
 * `giveup <n> <code>`, `hangUp <reason>`. Random 0.5 makes the jitter exact.
 */
function setup(policy: Partial<ReconnectPolicy> = {}) {
  const timers = new ManualTimers();
  const log: string[] = [];
  const state = { offline: false, live: false, connects: 0, liveAfterHangUp: true };
  const machine = new Reconnector(
    { enabled: true, backoff: DEFAULT_BACKOFF, maxRetries: Infinity, isFinalCode: finalCodePredicate(undefined), random: () => 0.5, ...policy },
    {
      connect: () => {
        state.live = true;
        state.connects++;
        log.push('connect');
      },
      connected: () => state.live,
      hangUp: (reason) => {
        state.live &&= state.liveAfterHangUp;
        log.push(`hangUp ${reason}`);
      },
      isOffline: () => state.offline,
      connectionClosed: (code, _reason, wasClean) => log.push(`close ${code} ${wasClean} true`),
      scheduled: (attempt, delayMs) => log.push(`reconnect ${attempt} ${delayMs}`),
      gaveUp: (attempts, code) => log.push(`giveup ${attempts} ${code}`),
      finished: (code, _reason, wasClean) => log.push(`close ${code} ${wasClean} false`),
    },
    timers,
  );
  /** The live attempt or connection ends (a refused attempt by default). */
  const drop = (code = 1006, reason = '', wasClean = false): void => {
    state.live = false;
    machine.disconnected(code, reason, wasClean);
  };
  machine.start();
  return { machine, timers, log, state, drop };
}

describe('retry schedule', () => {
  it('waits exact full-jitter delays: floor(random × min(max, min × factor^(n−1)))', () => {
    const { timers, log, state, drop } = setup({ backoff: { minDelayMs: 1000, maxDelayMs: 5000, factor: 2 } });
    const expected = [500, 1000, 2000, 2500, 2500];
    for (const [i, delay] of expected.entries()) {
      drop();
      expect(log.at(-1)).toBe(`reconnect ${i + 1} ${delay}`);
      const count = state.connects;
      timers.advance(delay - 1);
      expect(state.connects).toBe(count);
      timers.advance(1);
      expect(state.connects).toBe(count + 1);
    }
  });

  it('uses the injected random for jitter', () => {
    const values = [0, 0.999, 0.25];
    const { timers, log, drop } = setup({ random: () => values.shift() ?? 0, backoff: { ...DEFAULT_BACKOFF, minDelayMs: 100, factor: 3 } });
    drop();
    timers.advance(0);
    drop();
    timers.advance(299);
    drop();
    expect(log.filter((line) => line.startsWith('reconnect'))).toEqual(['reconnect 1 0', 'reconnect 2 299', 'reconnect 3 225']);
  });

  it('reports how many retries an open took, and resets the count', () => {
    const { machine, timers, log, drop } = setup();
    expect(machine.opened()).toBe(0);
    drop(1001, 'restart', true);
    timers.advance(500);
    drop();
    expect(machine.retries).toBe(2);
    timers.advance(1000);
    expect(machine.opened()).toBe(2);
    expect(machine.retries).toBe(0);
    expect(machine.phase).toBe('open');
    expect(log).toEqual(['connect', 'close 1001 true true', 'reconnect 1 500', 'connect', 'close 1006 false true', 'reconnect 2 1000', 'connect']);
  });

  it('gives up after maxRetries with giveup, then a final close, and schedules nothing more', () => {
    const { machine, timers, log, state, drop } = setup({ maxRetries: 2 });
    drop();
    timers.advance(500);
    drop();
    timers.advance(1000);
    drop();
    expect(state.connects).toBe(3);
    expect(log.filter((line) => line.startsWith('reconnect'))).toHaveLength(2);
    expect(log.slice(-2)).toEqual(['giveup 2 1006', 'close 1006 false false']);
    expect(machine.phase).toBe('closed');
    timers.advance(60_000);
    expect(state.connects).toBe(3);
    expect(timers.pending).toBe(0);
  });
});

describe('closing for good', () => {
  it('does not reconnect after requestClose(), even while waiting for a retry', () => {
    const { machine, timers, log, state, drop } = setup();
    drop();
    expect(log.at(-1)).toBe('reconnect 1 500');
    expect(machine.requestClose()).toBe(true);
    expect(machine.ended).toBe(true);
    expect(machine.requestClose()).toBe(false);
    expect(timers.pending).toBe(0);
    // The socket finishes a close without a connection itself, as a native close would.
    machine.disconnected(1005, '', true);
    timers.advance(60_000);
    expect(state.connects).toBe(1);
    expect(log.at(-1)).toBe('close 1005 true false');
    expect(machine.phase).toBe('closed');
  });

  it('treats 1008 and 4000–4999 as final by default, and honours finalCloseCodes', () => {
    const a = setup();
    a.machine.opened();
    a.drop(1008, 'expired', true);
    expect(a.machine.phase).toBe('closed');
    const b = setup();
    b.machine.opened();
    b.drop(4403, 'banned', true);
    expect(b.machine.phase).toBe('closed');
    const c = setup({ isFinalCode: finalCodePredicate([]) });
    c.machine.opened();
    c.drop(4403, 'banned', true);
    expect(c.machine.phase).toBe('waiting');
    const d = setup({ isFinalCode: finalCodePredicate((code, reason) => code === 1000 && reason === 'done') });
    d.machine.opened();
    d.drop(1000, 'done', true);
    expect(d.machine.phase).toBe('closed');
  });

  it('does not reconnect with reconnect: false', () => {
    const { machine, timers, log, state, drop } = setup({ enabled: false });
    machine.opened();
    drop(1001, '', true);
    timers.advance(60_000);
    expect(state.connects).toBe(1);
    expect(machine.phase).toBe('closed');
    expect(log).toEqual(['connect', 'close 1001 true false']);
  });

  it('ignores a disconnect once closed', () => {
    const { machine, log, drop } = setup({ enabled: false });
    drop();
    drop();
    expect(machine.phase).toBe('closed');
    expect(log).toEqual(['connect', 'close 1006 false false']);
  });
});

describe('online/offline', () => {
  it('does not burn retries while offline, and reconnects at once when back online', () => {
    const { machine, timers, log, state, drop } = setup();
    machine.opened();
    state.offline = true;
    machine.offline();
    drop();
    timers.advance(600_000);
    expect(state.connects).toBe(1);
    expect(machine.retries).toBe(0);
    expect(machine.phase).toBe('suspended');
    state.offline = false;
    machine.online();
    expect(state.connects).toBe(2);
    expect(log).toEqual(['connect', 'close 1006 false true', 'reconnect 1 0', 'connect']);
  });

  it('cancels a scheduled retry on offline and gives it back', () => {
    const { machine, timers, state, drop } = setup();
    drop();
    expect(machine.retries).toBe(1);
    state.offline = true;
    machine.offline();
    expect(machine.retries).toBe(0);
    timers.advance(60_000);
    expect(state.connects).toBe(1);
  });

  it('starts a scheduled retry at once on online', () => {
    const { machine, state, drop } = setup();
    drop();
    machine.online();
    expect(state.connects).toBe(2);
  });
});

describe('page lifecycle', () => {
  it('hangs up while hidden, attempts nothing, and reconnects at once when visible', () => {
    const { machine, timers, log, state, drop } = setup();
    machine.opened();
    machine.suspend('hidden');
    drop(1000, 'page hidden', true);
    timers.advance(600_000);
    expect(state.connects).toBe(1);
    expect(machine.phase).toBe('suspended');
    machine.resume('pagehide');
    expect(state.connects).toBe(1);
    machine.resume('hidden');
    expect(state.connects).toBe(2);
    expect(machine.opened()).toBe(1);
    expect(log).toEqual(['connect', 'hangUp hidden', 'close 1000 true true', 'reconnect 1 0', 'connect']);
  });

  it('reconnects as soon as a hang-up still in flight completes', () => {
    const { machine, log, state, drop } = setup();
    machine.opened();
    machine.suspend('pagehide');
    machine.resume('pagehide');
    expect(state.connects).toBe(1);
    drop(1000, 'page unloaded', true);
    expect(state.connects).toBe(2);
    expect(log).toEqual(['connect', 'hangUp pagehide', 'close 1000 true true', 'reconnect 1 0', 'connect']);
  });

  it('cancels a waiting retry when suspended and gives it back', () => {
    const { machine, timers, state, drop } = setup();
    drop();
    machine.suspend('hidden');
    expect(machine.retries).toBe(0);
    timers.advance(60_000);
    expect(state.connects).toBe(1);
  });

  it('stays suspended as offline when it resumes while the browser is offline', () => {
    const { machine, state, drop } = setup();
    state.liveAfterHangUp = false;
    machine.suspend('hidden');
    state.offline = true;
    machine.resume('hidden');
    expect(state.connects).toBe(1);
    state.offline = false;
    machine.online();
    expect(state.connects).toBe(2);
    drop();
    expect(machine.phase).toBe('waiting');
  });

  it('does nothing once closing for good', () => {
    const { machine, log } = setup();
    machine.requestClose();
    machine.suspend('hidden');
    machine.resume('hidden');
    machine.online();
    expect(log).toEqual(['connect']);
  });
});
