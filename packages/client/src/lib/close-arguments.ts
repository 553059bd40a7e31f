/**
 * The checks `close(code, reason)` makes before anything is sent: which codes this end may send
 * and how long the reason may be. A bad argument is the caller's mistake and throws at once, as
 * the WHATWG API does.
 */
import { WS_OK, isValidCloseCode } from '@rfc6455/codes';
import { domError } from './client-error.ts';

/**
 * Check `close()`'s arguments and return the reason as text (undefined when none was given). A
 * client-role socket may send 1000 or 3000–4999 (WHATWG); a server-role socket any code an
 * endpoint may send (1000–1003, 1007–1014, 3000–4999).
 *
 * @throws {DOMException} InvalidAccessError for a code that may not be used, SyntaxError for a
 *   reason longer than 123 UTF-8 bytes.
 */
export function checkCloseArguments(code: number | undefined, reason: string | ArrayBufferView | undefined, isServer: boolean): string | undefined {
  if (code !== undefined) {
    const allowed = isServer ? isValidCloseCode(code) : code === WS_OK || (Number.isInteger(code) && code >= 3000 && code <= 4999);
    if (typeof code !== 'number' || !allowed) {
      throw domError(
        'InvalidAccessError',
        isServer
          ? `close(code): ${String(code)} may not be sent; use 1000–1003, 1007–1014 or 3000–4999`
          : `close(code): ${String(code)} is neither 1000 nor in 3000–4999`,
      );
    }
  }
  if (reason === undefined) return undefined;
  // Bytes (a Buffer, any typed array or DataView) are read through their own view, never the rest
  // of the buffer behind them, and must be UTF-8; anything else is converted as WHATWG does (USVString).
  const reasonText = typeof reason === 'string' ? reason : ArrayBuffer.isView(reason) ? utf8Reason(reason) : String(reason);
  // RFC 6455 §5.5: the close payload is ≤ 125 bytes, 2 of them the code.
  if (Buffer.byteLength(reasonText) > 123) throw domError('SyntaxError', 'close(code, reason): reason is longer than 123 UTF-8 bytes');
  return reasonText;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A close reason given as bytes: exactly the view's bytes, which must be UTF-8. */
function utf8Reason(view: ArrayBufferView): string {
  try {
    return strictUtf8.decode(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  } catch {
    throw domError('SyntaxError', 'close(code, reason): a reason given as bytes must be UTF-8');
  }
}
