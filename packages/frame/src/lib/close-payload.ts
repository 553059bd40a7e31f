/**
 * Close frame payloads (RFC 6455 §5.5.1): empty, or a 2-byte big-endian status code followed by a
 * UTF-8 reason. Control frames carry at most 125 bytes, so the reason is at most 123 bytes.
 */
import { MAX_CLOSE_REASON_BYTES, WS_NO_STATUS, isValidCloseCode } from '@rfc6455/codes';
import { FrameError, FrameErrorCode } from './frame-error.ts';
import { textDecoder, textEncoder } from './runtime.ts';
import { isValidUtf8 } from './utf8.ts';

/** A parsed close frame payload. */
export interface CloseInfo {
  /** The status code; 1005 (no status) when the payload was empty. */
  code: number;
  /** The reason, decoded from UTF-8; '' when there was none. */
  reason: string;
}

/** Options of {@link parseClosePayload}. */
export interface ParseClosePayloadOptions {
  /** Accept a reason that is not UTF-8, decoding it with U+FFFD replacements (ws's `skipUTF8Validation`). Default false. */
  skipUtf8Validation?: boolean | undefined;
}

/**
 * Parse a close frame payload (RFC 6455 §5.5.1, §7.4). An empty payload means no status:
 * `{ code: 1005, reason: '' }`. Never throws on peer input; returns a FrameError instead:
 * one byte → `WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH` (1002, ws's code); a code that may not be sent (not
 * `isValidCloseCode`) → `WS_ERR_INVALID_CLOSE_CODE` (1002); a reason that is not UTF-8 →
 * `WS_ERR_INVALID_UTF8` (1007), unless `options.skipUtf8Validation`. A leading U+FEFF in the reason is kept.
 */
export function parseClosePayload(payload: Uint8Array, options?: ParseClosePayloadOptions): CloseInfo | FrameError {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
  if (payload.length === 0) return { code: WS_NO_STATUS, reason: '' };
  if (payload.length === 1) {
    return new FrameError(
      FrameErrorCode.InvalidControlPayloadLength,
      'Invalid close payload: 1 byte, but a status code takes 2 (RFC 6455 §5.5.1)',
    );
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) {
    return new FrameError(FrameErrorCode.InvalidCloseCode, `Invalid close code ${code} (RFC 6455 §7.4)`);
  }
  const reasonBytes = payload.subarray(2);
  if (options?.skipUtf8Validation !== true && !isValidUtf8(reasonBytes)) {
    return new FrameError(FrameErrorCode.InvalidUtf8, 'Invalid UTF-8 in the close reason (RFC 6455 §5.5.1)');
  }
  if (reasonBytes.length === 0) return { code, reason: '' };
  if (textDecoder === undefined) throw new TypeError('This runtime has no TextDecoder');
  return { code, reason: textDecoder.decode(reasonBytes) };
}

/**
 * Build a close frame payload. No code (and no reason) → an empty payload. Throws RangeError for a
 * code that may not be sent (not `isValidCloseCode`: 1004–1006, 1015, < 1000, 1016–2999, ≥ 5000)
 * or a reason over 123 UTF-8 bytes; TypeError for a non-empty reason without a code, and for a
 * `Uint8Array` reason that is not UTF-8 (the peer would fail the connection with 1007). A
 * `Uint8Array` reason is copied by its own view (`byteOffset`/`byteLength`), never the rest of its
 * buffer.
 */
export function encodeClosePayload(code?: number, reason?: string | Uint8Array): Uint8Array {
  let reasonBytes: Uint8Array;
  if (reason === undefined) {
    reasonBytes = new Uint8Array(0);
  } else if (typeof reason === 'string') {
    if (textEncoder === undefined) throw new TypeError('This runtime has no TextEncoder');
    reasonBytes = textEncoder.encode(reason);
  } else if (reason instanceof Uint8Array) {
    if (!isValidUtf8(reason)) throw new TypeError('The close reason bytes are not valid UTF-8');
    reasonBytes = reason;
  } else {
    throw new TypeError('reason must be a string or a Uint8Array');
  }
  if (code === undefined) {
    if (reasonBytes.length > 0) throw new TypeError('A close reason needs a close code: pass one (e.g. 1000)');
    return new Uint8Array(0);
  }
  if (typeof code !== 'number' || !isValidCloseCode(code)) {
    throw new RangeError(
      `Close code ${String(code)} may not be sent: use 1000–1003, 1007–1014 or 3000–4999 (RFC 6455 §7.4)`,
    );
  }
  if (reasonBytes.length > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(`The close reason is ${reasonBytes.length} UTF-8 bytes; at most 123 fit (RFC 6455 §5.5)`);
  }
  const payload = new Uint8Array(2 + reasonBytes.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  // set() reads exactly the view's bytes: byteOffset..byteOffset+byteLength of its buffer.
  payload.set(reasonBytes, 2);
  return payload;
}
