/**
 * The command-line parser: flags from the table in flags.ts (long, short, bundled short switches,
 * `--name=value`, optional values, repeats), the mode they select, and checked numbers. Every
 * mistake is a {@link UsageError} that says what to type instead.
 */
import { INSTEAD, flagByName, flagByShort, flagLabel } from './flags.ts';
import type { FlagSpec, Mode } from './flags.ts';
import { UsageError } from './usage.ts';
import type { HelpTopic } from './usage.ts';

/** A flag's value: a string, `true` for a switch (or an optional value left out), a list for a repeatable one. */
export type FlagValue = string | true | string[];

/** The command line, parsed. */
export interface CommandLine {
  /** What to run; `undefined` when only `--help`, `--version` or nothing was given. */
  readonly mode: Mode | undefined;
  /** The help topic a usage error points at. */
  readonly topic: HelpTopic | undefined;
  /** The flags given, by long name. */
  readonly values: ReadonlyMap<string, FlagValue>;
  /** The arguments that are not flags. */
  readonly positionals: readonly string[];
}

const MODE_NAMES: Readonly<Record<Mode, string>> = { connect: 'a client (-c)', listen: 'the interactive server (-l)', serve: 'serve' };

/** The help topic of a mode. */
export function topicOf(mode: Mode | undefined): HelpTopic | undefined {
  return mode === undefined ? undefined : mode === 'connect' ? 'connect' : 'serve';
}

function unknown(token: string, name: string, topic: HelpTopic | undefined): UsageError {
  const instead = INSTEAD[name];
  return new UsageError(`unknown option '${token}'${instead === undefined ? '' : `; ${instead}`}`, topic);
}

/**
 * Parse `argv` (without `node` and the script). A first word `connect` or `serve` picks that
 * command (`help` means `--help`); otherwise `-c`, a URL, or `-l` picks the mode, as in wscat.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let command: Mode | undefined;
  let args = argv;
  if (argv[0] === 'connect' || argv[0] === 'serve') {
    command = argv[0];
    args = argv.slice(1);
  } else if (argv[0] === 'help') {
    return { mode: undefined, topic: argv[1] === 'connect' || argv[1] === 'serve' ? argv[1] : undefined, values: new Map([['help', true]]), positionals: [] };
  }
  const values = new Map<string, FlagValue>();
  // The help a mistake points at: the command's, or the side the flags so far have chosen.
  const topic = (): HelpTopic | undefined => topicOf(command) ?? (values.has('connect') ? 'connect' : values.has('listen') ? 'serve' : undefined);
  const positionals: string[] = [];
  const given = new Set<FlagSpec>();

  const store = (flag: FlagSpec, value: string | true): void => {
    given.add(flag);
    if (flag.repeatable === true) {
      const list = (values.get(flag.name) as string[] | undefined) ?? [];
      values.set(flag.name, [...list, value as string]);
      return;
    }
    if (values.has(flag.name)) throw new UsageError(`${flagLabel(flag)} is given twice; give it once`, topic());
    values.set(flag.name, value);
  };

  for (let i = 0; i < args.length; i++) {
    const token = args[i] as string;
    const next = (flag: FlagSpec, as: string): string => {
      if (i + 1 >= args.length) throw new UsageError(`${as} needs a value: ${flag.value} (e.g. ${flag.example})`, topic());
      i++;
      return args[i] as string;
    };
    if (token === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (token.startsWith('--')) {
      const equals = token.indexOf('=');
      const name = token.slice(2, equals === -1 ? undefined : equals);
      const flag = flagByName(name);
      if (flag === undefined) throw unknown(token, name, topic());
      if (flag.value === undefined) {
        if (equals !== -1) throw new UsageError(`--${name} takes no value, got '${token}'`, topic());
        store(flag, true);
      } else if (equals !== -1) {
        store(flag, token.slice(equals + 1));
      } else if (flag.optionalValue === true) {
        const following = args[i + 1];
        store(flag, following === undefined || following.startsWith('-') ? true : next(flag, token));
      } else {
        store(flag, next(flag, token));
      }
      continue;
    }
    if (token.startsWith('-') && token.length > 1) {
      // Bundled short switches (-nL), the last of which may take a value (-nLc url, -cws://…).
      for (let j = 1; j < token.length; j++) {
        const letter = token[j] as string;
        const flag = flagByShort(letter);
        if (flag === undefined) throw unknown(`-${letter}`, letter, topic());
        if (flag.value === undefined) {
          store(flag, true);
          continue;
        }
        store(flag, j + 1 < token.length ? token.slice(j + 1) : next(flag, `-${letter}`));
        break;
      }
      continue;
    }
    positionals.push(token);
  }

  let mode = command;
  if (mode === undefined) {
    if (values.has('connect') && values.has('listen')) throw new UsageError('use either -l/--listen or -c/--connect, not both', undefined);
    // A URL alone connects, as in python -m websockets; any other word is not a command.
    const first = positionals[0];
    if (first !== undefined && !values.has('connect') && !/^(?:wss?|https?):\/\//i.test(first)) {
      throw new UsageError(`unknown command '${first}': use -c <url> (or connect <url>), -l <port>, or serve`, undefined);
    }
    if (values.has('connect') || first !== undefined) mode = 'connect';
    else if (values.has('listen')) mode = 'listen';
  }
  if (mode !== undefined) {
    for (const flag of given) {
      if (!flag.modes.includes(mode)) {
        const where = flag.modes.map((m) => MODE_NAMES[m]).join(' and ');
        throw new UsageError(flag.elsewhere ?? `${flagLabel(flag)} applies to ${where} only`, topicOf(mode));
      }
    }
  }
  return { mode, topic: topicOf(mode), values, positionals };
}

/** A flag's value as a string, or `undefined` when it was not given (or was a switch). */
export function stringValue(line: CommandLine, name: string): string | undefined {
  const value = line.values.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable flag's values, in order. */
export function listValue(line: CommandLine, name: string): string[] {
  const value = line.values.get(name);
  return Array.isArray(value) ? value : [];
}

/** Whether a flag was given. */
export function has(line: CommandLine, name: string): boolean {
  return line.values.has(name);
}

/** A whole number within [min, max], or a UsageError naming the option. */
export function integer(command: HelpTopic | undefined, name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${value}'`, command);
  }
  return number;
}

// Node timers hold at most 2^31-1 ms.
const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * A duration given in seconds (`2`, `0.5`), returned in whole milliseconds; `positive` refuses 0.
 * The unit is seconds for every duration, as wscat's `-w`.
 */
export function seconds(command: HelpTopic | undefined, label: string, value: string | undefined, fallbackMs: number, positive: boolean): number {
  if (value === undefined) return fallbackMs;
  const number = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(value) ? Number(value) : Number.NaN;
  const ms = Math.round(number * 1000);
  if (Number.isNaN(number) || number > MAX_SECONDS || (positive && ms < 1)) {
    throw new UsageError(`${label} takes seconds, a number from ${positive ? '0.001' : '0'} to ${MAX_SECONDS} (e.g. 2 or 0.5), got '${value}'`, command);
  }
  return ms;
}

/** Parse repeated `--header 'Name: value'` options into a header object (repeats become lists). */
export function parseHeaders(command: HelpTopic | undefined, lines: readonly string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim();
    // RFC 9110 §5.1: a field name is a token.
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new UsageError(`--header must look like 'Name: value', got '${line}'`, command);
    }
    const value = line.slice(colon + 1).trim();
    const key = name.toLowerCase();
    const previous = headers[key];
    headers[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return headers;
}
