/**
 * wscat's `--slash` commands typed at the prompt: `/ping [data]`, `/pong [data]` and
 * `/close [code [reason]]` (RFC 6455 §5.5: control frames; §7.4: close codes).
 */
import type { WebSocket } from '@rfc6455/client';

/** A slash command, parsed. */
export type SlashCommand = { readonly kind: 'ping' | 'pong'; readonly data: string } | { readonly kind: 'close'; readonly code: number; readonly reason: string };

/**
 * Parse a line typed with `--slash`: a command, `undefined` when the line is not one (it does not
 * start with `/`), or an error message for a `/…` line that is not a command.
 */
export function parseSlashCommand(line: string): SlashCommand | { readonly error: string } | undefined {
  if (!line.startsWith('/')) return undefined;
  const [word = '', ...rest] = line.slice(1).split(/\s+/);
  const tail = line.slice(1 + word.length).trim();
  switch (word) {
    case 'ping':
    case 'pong':
      return { kind: word, data: tail };
    case 'close': {
      if (rest.length === 0 || rest[0] === '') return { kind: 'close', code: 1000, reason: '' };
      const codeText = rest[0] as string;
      if (!/^\d+$/.test(codeText)) return { error: `/close takes a close code first (e.g. /close 1000 done), got '${codeText}'` };
      return { kind: 'close', code: Number(codeText), reason: tail.slice(codeText.length).trim() };
    }
    default:
      return { error: `unrecognized slash command '/${word}': use /ping [data], /pong [data] or /close [code [reason]]` };
  }
}

/**
 * Run `command` on every socket in `sockets`; returns an error message when a socket refused it
 * (a close code or reason the client does not allow), else `undefined`.
 */
export function runSlashCommand(command: SlashCommand, sockets: Iterable<WebSocket>): string | undefined {
  try {
    for (const ws of sockets) {
      if (command.kind === 'close') ws.close(command.code, command.reason);
      else if (command.kind === 'ping') ws.ping(command.data);
      else ws.pong(command.data);
    }
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return undefined;
}
