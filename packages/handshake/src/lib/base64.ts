/**
 * Base64 (RFC 4648 §4) without `Buffer`, `btoa` or `atob`, so the package needs nothing from its
 * runtime. Only the handshake's short values (keys, digests, Basic credentials) go through it.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of `bytes`, padded with `=`. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + '=';
  }
  return out;
}

/** Whether `code` (a UTF-16 code unit) is one of the 64 base64 alphabet characters. */
function isBase64Char(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2b || // +
    code === 0x2f // /
  );
}

/**
 * Whether `value` is the base64 encoding of exactly 16 bytes, as `Sec-WebSocket-Key` must be
 * (RFC 6455 §4.1 step 7, §11.3.1): 22 alphabet characters and `==`. Like ws and Python websockets,
 * non-zero unused bits in the 22nd character are tolerated; they still decode to 16 bytes.
 */
export function isBase64Of16Bytes(value: string): boolean {
  if (value.length !== 24 || value.charCodeAt(22) !== 0x3d || value.charCodeAt(23) !== 0x3d) return false;
  for (let i = 0; i < 22; i++) if (!isBase64Char(value.charCodeAt(i))) return false;
  return true;
}
