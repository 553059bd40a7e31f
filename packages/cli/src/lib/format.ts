/**
 * How the `websocket connect` command prints messages: one line (or a pretty JSON block) per
 * message, with its direction (`<` received, `>` sent) and type.
 */

/** Printing choices from the command line. */
export interface FormatOptions {
  /** Print text payloads as hex too (`--binary`). */
  hex?: boolean | undefined;
  /** Pretty-print text that parses as JSON (`--json`). */
  json?: boolean | undefined;
}

/** `<` for what arrived, `>` for what we sent. */
export type Direction = '<' | '>';

/** Lower-case hex of the bytes, no separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Format one data message: `< text: hello`, `< binary (5 bytes): 68656c6c6f`, or with
 * `json`, the text's JSON value indented by two spaces on the lines after `< text:`.
 */
export function formatMessage(direction: Direction, data: Uint8Array, isBinary: boolean, options: FormatOptions = {}): string {
  if (isBinary || options.hex === true) {
    return `${direction} ${isBinary ? 'binary' : 'text'} (${data.byteLength} bytes): ${toHex(data)}`;
  }
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (options.json === true) {
    try {
      return `${direction} text: ${JSON.stringify(JSON.parse(text) as unknown, null, 2)}`;
    } catch {
      // Not JSON: printed as it came.
    }
  }
  return `${direction} text: ${text}`;
}

/** Format a ping or pong: `< ping`, or `< pong (4 bytes): 01020304` when it carries data. */
export function formatControl(direction: Direction, type: 'ping' | 'pong', data: Uint8Array): string {
  return data.byteLength === 0 ? `${direction} ${type}` : `${direction} ${type} (${data.byteLength} bytes): ${toHex(data)}`;
}
