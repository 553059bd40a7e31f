import { describe, expect, it } from 'vitest';
import { parseSlashCommand } from './slash-commands.ts';

describe('parseSlashCommand', () => {
  it("wscat's commands: /ping [data], /pong [data], /close [code [reason]]", () => {
    expect(parseSlashCommand('/ping')).toEqual({ kind: 'ping', data: '' });
    expect(parseSlashCommand('/ping are you there')).toEqual({ kind: 'ping', data: 'are you there' });
    expect(parseSlashCommand('/pong  x ')).toEqual({ kind: 'pong', data: 'x' });
    expect(parseSlashCommand('/close')).toEqual({ kind: 'close', code: 1000, reason: '' });
    expect(parseSlashCommand('/close 4000')).toEqual({ kind: 'close', code: 4000, reason: '' });
    expect(parseSlashCommand('/close 1001 going  away now')).toEqual({ kind: 'close', code: 1001, reason: 'going  away now' });
  });

  it('a line without a leading slash is a message; a bad command says what exists', () => {
    expect(parseSlashCommand('hello /ping')).toBe(undefined);
    expect(parseSlashCommand('/frob')).toEqual({ error: "unrecognized slash command '/frob': use /ping [data], /pong [data] or /close [code [reason]]" });
    expect(parseSlashCommand('/close soon')).toEqual({ error: "/close takes a close code first (e.g. /close 1000 done), got 'soon'" });
  });
});
