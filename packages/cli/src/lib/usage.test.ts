import { describe, expect, it } from 'vitest';
import { FLAGS } from './flags.ts';
import type { FlagSpec } from './flags.ts';
import { renderHelp } from './usage.ts';

const names = (flag: FlagSpec): string => `  ${flag.short === undefined ? '    ' : `-${flag.short}, `}--${flag.name}`;

describe('renderHelp', () => {
  it('shows every flag with an example', () => {
    const help = renderHelp();
    expect(help).toMatch(/^Usage: websocket -c <url> \[options\]/);
    expect(help).toContain('\n       websocket -l <port> [options]');
    expect(help).toContain('\n       websocket serve [options]');
    for (const flag of FLAGS) {
      expect(help).toContain(`${names(flag)}${flag.value === undefined ? '' : ` ${flag.value}`} `);
      expect(help).toContain(`e.g. ${flag.example}\n`);
    }
    expect(help).toContain("Connecting — wscat's flags, with wscat's meaning:");
    expect(help).toContain('Exit codes: 0 clean close');
  });

  it("one side: the client's flags, or the servers' (with those -l shares with a client)", () => {
    const client = renderHelp('connect');
    const servers = renderHelp('serve');
    expect(client).toMatch(/^Usage: websocket connect <url> \[options\]/);
    expect(servers).toMatch(/^Usage: websocket serve \[options\]/);
    for (const flag of FLAGS) {
      expect([flag.name, client.includes(names(flag))]).toEqual([flag.name, flag.modes.includes('connect')]);
      expect([flag.name, servers.includes(names(flag))]).toEqual([flag.name, flag.modes.includes('listen') || flag.modes.includes('serve')]);
    }
  });
});
