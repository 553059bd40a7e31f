/** Test helper: run pieces of bytes through a FrameParser and collect what it reports. */
import type { Frame, Role } from '../src/lib/frame.ts';
import type { FrameError } from '../src/lib/frame-error.ts';
import { FrameParser } from '../src/lib/frame-parser.ts';
import type { FrameParserOptions } from '../src/lib/parser-options.ts';

/** The frames a parser delivered, the error it returned last (if any), and the parser itself. */
export interface Parsed {
  frames: Frame[];
  error: FrameError | undefined;
  parser: FrameParser;
}

/** Push each piece (copies, so in-place unmasking never touches the test's own arrays). */
export function parse(pieces: readonly Uint8Array[], options: Partial<FrameParserOptions> & { role: Role }): Parsed {
  const frames: Frame[] = [];
  const parser = new FrameParser({ onFrame: (f) => frames.push(f), ...options });
  let error: FrameError | undefined;
  for (const piece of pieces) error = parser.push(piece.slice()) ?? error;
  return { frames, error, parser };
}
