/**
 * The checks a caller's `close(code, reason)` makes before anything is sent, shared by the Node
 * client, the server's connections and the browser client. A bad argument is the caller's mistake
 * and throws at once, with the `DOMException` names the WHATWG WebSockets standard uses.
 */
import { isApplicationCloseCode, isValidCloseCode } from './close-codes.ts';
import { utf8ByteLength } from './utf8-length.ts';

/**
 * Which codes the caller may pass: `'application'` only 1000 and 3000–4999 (the WHATWG `close()`
 * method), `'endpoint'` every code an endpoint may send (1000–1003, 1007–1014, 3000–4999).
 */
export type CloseCodePolicy = 'application' | 'endpoint';

/** RFC 6455 §5.5: a control frame carries at most 125 bytes, 2 of them the close code. */
export const MAX_CLOSE_REASON_BYTES = 123;

// Web APIs every target runtime has, reached through globalThis so this package type-checks
// against plain ES2022 (no DOM, no @types/node).
interface RuntimeGlobals {
  DOMException: new (message: string, name: string) => Error;
  TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(input: Uint8Array): string };
}
const { DOMException, TextDecoder } = globalThis as unknown as RuntimeGlobals;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Check `close()`'s arguments and return the reason as text (`undefined` when none was given).
 * A reason given as bytes (any typed array or `DataView`) is read through its own view only and
 * must be UTF-8; anything else is converted to a string, as WHATWG does for a USVString.
 *
 * @throws {DOMException} `InvalidAccessError` for a code the policy does not allow, `SyntaxError`
 *   for a reason longer than 123 UTF-8 bytes or bytes that are not UTF-8.
 */
export function checkCloseArguments(
  code: number | undefined,
  reason: string | ArrayBufferView | undefined,
  policy: CloseCodePolicy,
): string | undefined {
  if (code !== undefined) {
    const allowed = typeof code === 'number' && (policy === 'endpoint' ? isValidCloseCode(code) : isApplicationCloseCode(code));
    if (!allowed) {
      throw new DOMException(
        policy === 'endpoint'
          ? `close(code): ${String(code)} may not be sent; use 1000–1003, 1007–1014 or 3000–4999`
          : `close(code): ${String(code)} is neither 1000 nor in 3000–4999`,
        'InvalidAccessError',
      );
    }
  }
  if (reason === undefined) return undefined;
  const text = typeof reason === 'string' ? reason : ArrayBuffer.isView(reason) ? utf8Reason(reason) : String(reason);
  if (utf8ByteLength(text) > MAX_CLOSE_REASON_BYTES) {
    throw new DOMException(`close(code, reason): reason is longer than ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes`, 'SyntaxError');
  }
  return text;
}

function utf8Reason(view: ArrayBufferView): string {
  try {
    return strictUtf8.decode(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  } catch {
    throw new DOMException('close(code, reason): a reason given as bytes must be UTF-8', 'SyntaxError');
  }
}
