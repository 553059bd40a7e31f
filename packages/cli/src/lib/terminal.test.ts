/**
 * The command in a real terminal (tmux): typing at the prompt, messages printed above a line being
 * typed, --slash's /close, Ctrl-C, -l's interactive server, and wscat's colours (and --no-color,
 * NO_COLOR).
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '@rfc6455/client';
import type { ServerWebSocket } from '@rfc6455/server';
import { cleanUp, onCleanUp } from '../../test/cli.ts';
import { ourServer } from '../../test/servers.ts';
import { TmuxSession } from '../../test/tmux.ts';

afterEach(cleanUp);

// The start of an SGR sequence (ECMA-48): how capture-pane -e shows colours.
const ESC = String.fromCharCode(0x1b);

/** A terminal running `websocket <args>`, killed after the test. */
function terminal(args: string[], env: Record<string, string> = {}): TmuxSession {
  const session = TmuxSession.start(args, { env });
  onCleanUp(() => session.kill());
  return session;
}

/** Our server; resolves with its URL and its next connection (the test decides what it does). */
async function server(): Promise<{ url: string; connection: Promise<ServerWebSocket> }> {
  let connected: (ws: ServerWebSocket) => void = () => {};
  const connection = new Promise<ServerWebSocket>((resolve) => (connected = resolve));
  const { url } = await ourServer({}, (ws) => connected(ws));
  return { url, connection };
}

describe('an interactive client', () => {
  it('sends what is typed, prints arrivals above the line being typed, and /close closes', async () => {
    const { url, connection } = await server();
    const tty = terminal(['-c', url, '--slash']);
    const ws = await connection;
    await tty.waitFor(new RegExp(`connected to ${url.replaceAll('.', '\\.')} — Ctrl\\+C to quit\\n> ?$`, 'm'));
    const received: string[] = [];
    ws.on('message', (data: Buffer) => {
      received.push(data.toString());
      ws.send(`echo: ${data.toString()}`);
    });

    tty.type('hello');
    tty.press('Enter');
    await tty.waitFor(/^< echo: hello\n> ?$/m);

    // A message arriving while a line is half typed goes above it; the line stays.
    tty.type('half a li');
    ws.send('news');
    await tty.waitFor(/^< news\n> half a li$/m);
    tty.type('ne');
    tty.press('Enter');
    await tty.waitFor(/^< echo: half a line\n> ?$/m);
    expect(received).toEqual(['hello', 'half a line']);

    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    tty.type('/close 4000 bye now');
    tty.press('Enter');
    const [code, reason] = await closed;
    expect([code, reason.toString()]).toEqual([4000, 'bye now']);
    await tty.waitFor(/^closed 4000: bye now$/m);
    // 4000 is not a clean close code for the exit status (see Exit codes).
    expect(await tty.exitCode()).toBe(3);
  });

  it('Ctrl-C closes with 1000 and exits 0', async () => {
    const { url, connection } = await server();
    const tty = terminal(['-c', url]);
    const ws = await connection;
    await tty.waitFor(/— Ctrl\+C to quit\n> ?$/m);
    const closed = once(ws, 'close') as Promise<[number]>;
    tty.press('C-c');
    expect((await closed)[0]).toBe(1000);
    await tty.waitFor(/^closed 1000 \(NormalClosure\)$/m);
    expect(await tty.exitCode()).toBe(0);
  });

  it("wscat's colours in a terminal: what arrives blue, status green; none with --no-color or NO_COLOR", async () => {
    const { url, connection } = await server();
    const colored = terminal(['-c', url]);
    const ws = await connection;
    ws.send('tinted');
    await colored.waitFor(new RegExp(`${ESC}\\[34m< tinted`), { escapes: true });
    await colored.waitFor(new RegExp(`${ESC}\\[32mconnected to `), { escapes: true });

    for (const [args, env] of [[['--no-color'], {}], [[], { NO_COLOR: '1' }]] as const) {
      const next = await server();
      const plain = terminal(['-c', next.url, ...args], env);
      (await next.connection).send('plain');
      await plain.waitFor(/^< plain$/m);
      expect(plain.screen({ escapes: true })).not.toMatch(new RegExp(`${ESC}\\[3[0-9]m`));
    }
  });
});

describe('the interactive server (-l) in a terminal', () => {
  it('prints what a client sends, sends what is typed, and Ctrl-C closes everyone with 1001', async () => {
    const tty = terminal(['-l', '0']);
    const port = Number((await tty.waitFor(/listening on ws:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    const ws = await WebSocket.connect(`ws://127.0.0.1:${port}/`);
    onCleanUp(() => ws.terminate());
    await tty.waitFor(/^#1 open 127\.0\.0\.1:\d+ \/\n> ?$/m);
    ws.send('hi server');
    await tty.waitFor(/^#1 < hi server\n> ?$/m);
    const arrived = once(ws, 'message') as Promise<[Buffer]>;
    tty.type('hi client');
    tty.press('Enter');
    expect((await arrived)[0].toString()).toBe('hi client');
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    tty.press('C-c');
    const [code, reason] = await closed;
    expect([code, reason.toString()]).toEqual([1001, 'server shutting down']);
    expect(await tty.exitCode()).toBe(0);
  });
});
