import { describe, expect, it } from 'vitest';
import { FLAGS, INSTEAD, flagByName, flagByShort, flagLabel } from './flags.ts';
import type { FlagSpec } from './flags.ts';

describe('the flag table', () => {
  it('every flag has a name of its own, help and an example that uses it', () => {
    const longs = FLAGS.map((flag) => flag.name);
    const shorts = FLAGS.flatMap((flag) => (flag.short === undefined ? [] : [flag.short]));
    expect(new Set(longs).size).toBe(longs.length);
    expect(new Set(shorts).size).toBe(shorts.length);
    for (const flag of FLAGS) {
      expect(flag.help.length, flag.name).toBeGreaterThan(10);
      expect(flag.example, flag.name).toMatch(new RegExp(`(?:^|\\s)(?:--${flag.name}|-${flag.short ?? '-'})\\b`));
    }
  });

  it("wscat's flags are all there, under wscat's names", () => {
    const wscat = ['c connect', 'l listen', 'H header', '- auth', 'o origin', '- host', 's subprotocol', 'p protocol', 'n no-check', '- ca', '- cert', '- key', '- passphrase', 'L location', '- max-redirects', 'P show-ping-pong', '- slash', 'x execute', 'w wait', '- no-color', '- proxy', 'V version', 'h help'];
    for (const entry of wscat) {
      const [short, name] = entry.split(' ') as [string, string];
      expect([name, flagByName(name)?.short ?? '-']).toEqual([name, short]);
      if (short !== '-') expect(flagByShort(short)?.name).toBe(name);
    }
  });

  it('a habit in INSTEAD is never a flag, and each advice names a flag that exists', () => {
    for (const [name, advice] of Object.entries(INSTEAD)) {
      expect(name.length === 1 ? flagByShort(name) : flagByName(name), name).toBe(undefined);
      for (const [, long] of advice.matchAll(/--([a-z-]+)/g)) expect(flagByName(long as string), `${name}: --${long}`).not.toBe(undefined);
    }
    expect(flagLabel(flagByName('connect') as FlagSpec)).toBe('-c/--connect');
    expect(flagLabel(flagByName('auth') as FlagSpec)).toBe('--auth');
  });
});
