import { describe, expect, it } from 'vitest';
import { integer, listValue, parseCommandLine, parseHeaders, seconds, stringValue } from './args.ts';
import { UsageError } from './usage.ts';

/** The UsageError `argv` throws: its message and the help it points at. */
function usageError(argv: string[]): [string, string | undefined] {
  try {
    parseCommandLine(argv);
  } catch (err) {
    if (err instanceof UsageError) return [err.message, err.command];
    throw err;
  }
  throw new Error(`no usage error for ${JSON.stringify(argv)}`);
}

describe('parseCommandLine: the mode', () => {
  it("wscat's -c and -l, our connect and serve, a URL alone", () => {
    expect(parseCommandLine(['-c', 'ws://h/']).mode).toBe('connect');
    expect(parseCommandLine(['--connect=ws://h/']).mode).toBe('connect');
    expect(parseCommandLine(['connect', 'ws://h/']).mode).toBe('connect');
    expect(parseCommandLine(['wss://h/']).mode).toBe('connect');
    expect(parseCommandLine(['-l', '8080']).mode).toBe('listen');
    expect(parseCommandLine(['serve', '--port', '0']).mode).toBe('serve');
    expect(parseCommandLine(['--help']).mode).toBe(undefined);
    expect(parseCommandLine(['help', 'serve'])).toMatchObject({ mode: undefined, topic: 'serve' });
  });

  it('refuses both -c and -l, and a word that is neither a command nor a URL', () => {
    expect(usageError(['-c', 'ws://h/', '-l', '1'])).toEqual(['use either -l/--listen or -c/--connect, not both', undefined]);
    expect(usageError(['frobnicate'])[0]).toBe("unknown command 'frobnicate': use -c <url> (or connect <url>), -l <port>, or serve");
  });
});

describe('parseCommandLine: flags', () => {
  it('long, short, --name=value, bundled switches with a value last, repeats in order', () => {
    const line = parseCommandLine(['-nLc', 'ws://h/', '-H', 'A: 1', '--header=B: 2', '-s', 'x', '-sy', '-x', '-5', '--', '--not-a-flag']);
    expect([...line.values.keys()].sort()).toEqual(['connect', 'execute', 'header', 'location', 'no-check', 'subprotocol']);
    expect(stringValue(line, 'connect')).toBe('ws://h/');
    expect(listValue(line, 'header')).toEqual(['A: 1', 'B: 2']);
    expect(listValue(line, 'subprotocol')).toEqual(['x', 'y']);
    // A value is taken as it is, even when it starts with '-' (as commander does).
    expect(listValue(line, 'execute')).toEqual(['-5']);
    expect(line.positionals).toEqual(['--not-a-flag']);
  });

  it('--passphrase takes a value only when one follows', () => {
    expect(parseCommandLine(['-c', 'ws://h/', '--passphrase']).values.get('passphrase')).toBe(true);
    expect(parseCommandLine(['-c', 'ws://h/', '--passphrase', '-n']).values.get('passphrase')).toBe(true);
    expect(parseCommandLine(['-c', 'ws://h/', '--passphrase', 'secret']).values.get('passphrase')).toBe('secret');
    expect(parseCommandLine(['-c', 'ws://h/', '--passphrase=']).values.get('passphrase')).toBe('');
  });

  it('a missing value, a value given to a switch, a flag given twice', () => {
    expect(usageError(['-c'])[0]).toBe('-c needs a value: <url> (e.g. websocket -c ws://127.0.0.1:8080/chat)');
    expect(usageError(['-c', 'ws://h/', '--slash=yes'])[0]).toBe("--slash takes no value, got '--slash=yes'");
    expect(usageError(['-c', 'ws://h/', '-o', 'a', '-o', 'b'])[0]).toBe('-o/--origin is given twice; give it once');
  });

  it.each([
    [['-c', 'ws://h/', '--compress'], "unknown option '--compress'; permessage-deflate is on by default in a client (--no-deflate turns it off); a server accepts it with --deflate"],
    [['-c', 'ws://h/', '--send', 'x'], "unknown option '--send'; to send a message once connected, use -x/--execute <message> (repeatable)"],
    [['-c', 'ws://h/', '--ping', '10'], "unknown option '--ping'; for periodic pings use --ping-interval <seconds>; with --slash, /ping sends one"],
    [['-c', 'ws://h/', '-k'], "unknown option '-k'; to accept any certificate, use -n/--no-check"],
    [['-c', 'ws://h/', '--headers', 'A: 1'], "unknown option '--headers'; use -H/--header 'Name: value', once per header"],
    [['-v'], "unknown option '-v'; for the version, use -V (capital) or --version"],
    [['-c', 'ws://h/', '-j'], "unknown option '-j'; to pretty-print JSON, use --json"],
    [['-c', 'ws://h/', '--bogus'], "unknown option '--bogus'"],
  ])('what to type instead: %j', (argv, message) => {
    expect(usageError(argv)[0]).toBe(message);
  });

  it.each([
    [['serve', '-p', '8080'], "-p/--protocol is a client's WebSocket version (as in wscat); to choose the port, use -l <port> or serve --port <port>", 'serve'],
    [['serve', '--host', '0.0.0.0'], '--host is the Host header of a client (as in wscat); to choose the address a server listens on, use --bind <address>', 'serve'],
    [['-l', '8080', '--port', '9000'], '--port belongs to serve (websocket serve --port 8080); the interactive server takes the port as -l <port>', 'serve'],
    [['serve', '-l', '8080'], '-l/--listen starts the interactive server by itself (websocket -l 8080); serve takes --port <port>', 'serve'],
    [['-c', 'ws://h/', '--static', '.'], '-S/--static applies to the interactive server (-l) and serve only', 'connect'],
    [['serve', '-x', 'hi'], '-x/--execute applies to a client (-c) only', 'serve'],
    [['serve', '--json'], '--json applies to a client (-c) and the interactive server (-l) only', 'serve'],
    [['-c', 'ws://h/', '--deflate'], 'a client offers permessage-deflate by default (--no-deflate turns it off); --deflate is for servers', 'connect'],
    [['serve', '--no-deflate'], 'a server declines permessage-deflate by default (--deflate makes it accept)', 'serve'],
  ])('a flag in a mode it does not apply to: %j', (argv, message, topic) => {
    expect(usageError(argv)).toEqual([message, topic]);
  });
});

describe('parseHeaders', () => {
  it('names are lower-cased, values trimmed, repeats kept in order', () => {
    expect(parseHeaders('connect', ['X-A: 1', 'Authorization:Bearer t:k', 'x-a:  2 '])).toEqual({ 'x-a': ['1', '2'], authorization: 'Bearer t:k' });
  });

  it('a line without a token name is a usage error', () => {
    for (const bad of ['no colon', ': value', 'Bad Name: x']) {
      expect(() => parseHeaders('connect', [bad])).toThrow(UsageError);
    }
  });
});

describe('integer', () => {
  it('the fallback when absent, the number when in range', () => {
    expect(integer('serve', 'port', undefined, 8080, 0, 65535)).toBe(8080);
    expect(integer('serve', 'port', '0', 8080, 0, 65535)).toBe(0);
    expect(integer('serve', 'port', '65535', 8080, 0, 65535)).toBe(65535);
  });

  it('anything else is a usage error naming the option and the range', () => {
    for (const bad of ['65536', '-1', '1.5', '1e3', ' 1', '']) {
      expect(() => integer('serve', 'port', bad, 8080, 0, 65535)).toThrow(`--port must be a whole number from 0 to 65535, got '${bad}'`);
    }
  });
});

describe('seconds', () => {
  it('whole and decimal seconds to milliseconds, the fallback when absent', () => {
    expect(seconds('connect', '-w', undefined, 2000, false)).toBe(2000);
    expect(seconds('connect', '-w', '0', 2000, false)).toBe(0);
    expect(seconds('connect', '-w', '2', 2000, false)).toBe(2000);
    expect(seconds('connect', '-w', '0.25', 2000, false)).toBe(250);
    expect(seconds('connect', '-w', '.5', 2000, false)).toBe(500);
    expect(seconds('connect', '-w', '2147483', 2000, false)).toBe(2_147_483_000);
  });

  it('anything else is a usage error saying the unit', () => {
    for (const bad of ['soon', '-1', '1e3', '2147484', '']) {
      expect(() => seconds('connect', '-w/--wait', bad, 2000, false)).toThrow(`-w/--wait takes seconds, a number from 0 to 2147483 (e.g. 2 or 0.5), got '${bad}'`);
    }
    expect(() => seconds('connect', '--timeout', '0', 10_000, true)).toThrow("--timeout takes seconds, a number from 0.001 to 2147483 (e.g. 2 or 0.5), got '0'");
  });
});
