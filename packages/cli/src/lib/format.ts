/**
 * How the `websocket` command prints a message: the text as it came (as wscat does), a binary
 * message as hex with its length, or with `--json` the text's JSON value indented. The terminal
 * adds wscat's `< ` in front when the output is a terminal.
 */

/** Printing choices from the command line. */
export interface FormatOptions {
  /** Print text payloads as hex too (`--binary`). */
  hex?: boolean | undefined;
  /** Pretty-print text that parses as JSON (`--json`). */
  json?: boolean | undefined;
}

/** Lower-case hex of the bytes, no separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Format one data message: `hello`, `binary (5 bytes): 68656c6c6f`, with `hex` also
 * `text (5 bytes): 68656c6c6f`, or with `json` the text's JSON value indented by two spaces.
 */
export function formatMessage(data: Uint8Array, isBinary: boolean, options: FormatOptions = {}): string {
  if (isBinary || options.hex === true) {
    return `${isBinary ? 'binary' : 'text'} (${data.byteLength} bytes): ${toHex(data)}`;
  }
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (options.json === true) {
    try {
      return JSON.stringify(JSON.parse(text) as unknown, null, 2);
    } catch {
      // Not JSON: printed as it came.
    }
  }
  return text;
}

/** A ping or pong received, in wscat's words: `Received ping (data: "abc")`. */
export function formatControl(type: 'ping' | 'pong', data: Uint8Array): string {
  return `Received ${type} (data: "${Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')}")`;
}
