/**
 * Command-line parsing shared by the commands: node:util parseArgs with its errors turned into
 * {@link UsageError}s, and checked numbers.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './usage.ts';

/** parseArgs in strict mode with positionals; a bad option becomes a UsageError for `command`. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: T,
): { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: values as Record<string, string | boolean | string[] | boolean[] | undefined>, positionals };
  } catch (err) {
    // parseArgs's own messages name the option ("Unknown option '--x'"); keep them.
    throw new UsageError(err instanceof Error ? err.message : String(err), command);
  }
}

/** A whole number of milliseconds (or a port) within [min, max], or a UsageError naming the option. */
export function integer(command: string, name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${value}'`, command);
  }
  return number;
}

/** Parse repeated `--header 'Name: value'` options into a header object (repeats become lists). */
export function parseHeaders(command: string, lines: readonly string[]): Record<string, string | string[]> {
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
