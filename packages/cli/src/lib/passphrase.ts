/**
 * `--passphrase` without a value: ask for the key's passphrase on the terminal, without echoing
 * it (wscat prompts the same way).
 */

/** A terminal stdin: raw mode lets us read keys without the terminal echoing them. */
export interface RawInput extends NodeJS.ReadableStream {
  setRawMode(mode: boolean): unknown;
}

/**
 * Print `prompt` on `output` and read one line from the terminal `input` without echo.
 * Backspace deletes; Enter ends; Ctrl-C or Ctrl-D rejects with an Error.
 */
export function askPassphrase(input: RawInput, output: NodeJS.WritableStream, prompt = 'Passphrase: '): Promise<string> {
  output.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error: Error | undefined): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return finish(undefined);
        if (char === '\u0003' || char === '\u0004') return finish(new Error('no passphrase given'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}
