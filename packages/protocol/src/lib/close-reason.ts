/**
 * Close reasons as they go on the wire. RFC 6455 §5.5: a control frame carries at most 125 bytes,
 * and a close frame spends 2 of them on the code (§5.5.1), so a reason is at most 123 UTF-8 bytes.
 */
import { MAX_CLOSE_REASON_BYTES } from '@rfc6455/codes';

/** Wire reason for a 1011 caused by an extension: the details stay in the error's `cause`. */
export const WITHHELD_REASON = 'Internal error';

/** `message` cut to at most 123 UTF-8 bytes on a character boundary, for a close reason. */
export function truncateCloseReason(message: string): string {
  let cut = '';
  let used = 0;
  for (const char of message) {
    const point = char.codePointAt(0)!;
    // UTF-8 length of the code point; a lone surrogate is encoded as U+FFFD, 3 bytes.
    const size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
    if (used + size > MAX_CLOSE_REASON_BYTES) break;
    cut += char;
    used += size;
  }
  return cut;
}
