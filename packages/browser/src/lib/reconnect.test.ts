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
  const state = { offline: false, live: false, connects: 0, liveAfterHangUp: true, finalError: undefined as string | undefined };
  const machine = new Reconnector(
    { enabled: true, backoff: DEFAULT_BACKOFF, maxRetries: Infinity, minUptimeMs: 5000, isFinalCode: finalCodePredicate(undefined), random: () => 0.5, ...policy },
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
      finished: (code, _reason, wasClean, error) => {
        state.finalError = error === undefined ? 'none' : `${error.code} ${String(error.closeCode)}`;
        log.push(`close ${code} ${wasClean} false`);
      },
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
    expect(machine.phase).toBe('open');
    timers.advance(5000);
    expect(machine.retries).toBe(0);
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

  it('reconnects after any close by default (as reconnecting-websocket), and honours finalCloseCodes', () => {
    for (const code of [1000, 1008, 1011, 4000, 4403, 4999]) {
      const a = setup();
      a.machine.opened();
      a.drop(code, 'bye', true);
      expect([code, a.machine.phase]).toEqual([code, 'waiting']);
    }
    const c = setup({ isFinalCode: finalCodePredicate([4403]) });
    c.machine.opened();
    c.drop(4403, 'banned', true);
    expect(c.machine.phase).toBe('closed');
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

describe('minUptimeMs: no reconnect storm', () => {
  it('grows the delay for a server that accepts and closes at once', () => {
    const { machine, timers, log, drop } = setup({ maxRetries: 6 });
    const delays: number[] = [];
    machine.opened();
    for (let i = 0; i < 6; i++) {
      drop(1000, 'go away', true);
      const delay = Number(log.at(-1)?.split(' ')[2]);
      delays.push(delay);
      timers.advance(delay);
      machine.opened();
      timers.advance(100);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15_000]);
    drop(1000, 'go away', true);
    // Giving up is never a clean end, whatever the last close was.
    expect(log.slice(-2)).toEqual(['giveup 6 1000', 'close 1000 false false']);
  });

  it('starts the count over once a connection stayed open minUptimeMs, and only then', () => {
    const { machine, timers, log, drop } = setup();
    drop();
    timers.advance(500);
    expect(machine.opened()).toBe(1);
    timers.advance(4999);
    drop();
    expect(log.at(-1)).toBe('reconnect 2 1000');
    timers.advance(60_000);
    expect(machine.retries).toBe(2);
    expect(machine.opened()).toBe(2);
    timers.advance(5000);
    expect(machine.retries).toBe(0);
    drop();
    expect(log.at(-1)).toBe('reconnect 1 500');
  });

  it('with minUptimeMs 0, starts the count over at every open', () => {
    const { machine, timers, drop } = setup({ minUptimeMs: 0 });
    drop();
    timers.advance(500);
    expect(machine.opened()).toBe(1);
    expect(machine.retries).toBe(0);
    expect(timers.pending).toBe(0);
  });
});

describe('restart (reconnect())', () => {
  it('attempts at once from an open connection, with the count started over', () => {
    const { machine, timers, log, state, drop } = setup();
    drop();
    timers.advance(500);
    machine.opened();
    state.live = false;
    machine.restart();
    expect(log.slice(-3)).toEqual(['reconnect 1 500', 'connect', 'connect']);
    expect([machine.phase, machine.retries]).toEqual(['connecting', 0]);
    timers.advance(60_000);
    expect(state.connects).toBe(3);
  });

  it('cancels a waiting retry instead of adding one', () => {
    const { machine, timers, state, drop } = setup();
    drop();
    machine.restart();
    expect(state.connects).toBe(2);
    timers.advance(60_000);
    expect(state.connects).toBe(2);
  });

  it('reopens after close() and after giving up, and forgets a suspension', () => {
    const { machine, log, state, drop } = setup({ maxRetries: 0 });
    machine.requestClose();
    drop(1000, '', true);
    expect(machine.phase).toBe('closed');
    machine.restart();
    expect([machine.phase, machine.ended, state.connects]).toEqual(['connecting', false, 2]);
    drop();
    expect(log.slice(-2)).toEqual(['giveup 0 1006', 'close 1006 false false']);
    machine.restart();
    machine.suspend('hidden');
    machine.restart();
    expect([machine.phase, state.connects]).toEqual(['connecting', 4]);
  });

  it('startClosed() attempts nothing until restart()', () => {
    const timers = new ManualTimers();
    const connects: string[] = [];
    const host = { connect: () => connects.push('connect'), connected: () => false, hangUp: () => {}, isOffline: () => false };
    const events = { connectionClosed: () => {}, scheduled: () => {}, gaveUp: () => {}, finished: () => {} };
    const machine = new Reconnector({ enabled: true, backoff: DEFAULT_BACKOFF, maxRetries: Infinity, minUptimeMs: 5000, isFinalCode: () => false, random: () => 0.5 }, { ...host, ...events }, timers);
    machine.startClosed();
    timers.advance(60_000);
    expect([machine.phase, machine.ended, connects]).toEqual(['closed', true, []]);
    machine.restart();
    expect([machine.phase, connects]).toEqual(['connecting', ['connect']]);
  });
});

describe('why it closed for good', () => {
  it('says so in the error it finishes with', () => {
    const closed = setup();
    closed.machine.requestClose();
    closed.drop(1000, '', true);
    const neverOpened = setup({ enabled: false });
    neverOpened.drop(1006, '', false);
    const abnormal = setup({ enabled: false });
    abnormal.machine.opened();
    abnormal.drop(1006, '', false);
    const clean = setup({ enabled: false });
    clean.machine.opened();
    clean.drop(1000, 'bye', true);
    const gaveUp = setup({ maxRetries: 0 });
    gaveUp.drop(1006, '', false);
    expect([closed, neverOpened, abnormal, clean, gaveUp].map((run) => run.state.finalError)).toEqual([
      'WS_ERR_CLOSED 1000',
      'WS_ERR_CONNECTION_FAILED 1006',
      'WS_ERR_CLOSED_ABNORMALLY 1006',
      'none',
      'WS_ERR_GAVE_UP 1006',
    ]);
  });

  it('counts a reopened socket as never opened again', () => {
    const { machine, state, drop } = setup({ enabled: false });
    machine.opened();
    drop(1000, '', true);
    machine.restart();
    drop(1006, '', false);
    expect(state.finalError).toBe('WS_ERR_CONNECTION_FAILED 1006');
  });
});
