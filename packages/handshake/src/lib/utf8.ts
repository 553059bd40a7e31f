/**
 * UTF-8 encoding of strings (RFC 3629) without relying on `TextEncoder` typings: the package
 * compiles against the plain ES2022 library so it cannot lean on DOM or Node globals by accident.
 * Lone surrogates become U+FFFD, as `TextEncoder` does.
 */
import { utf8ByteLength } from '@rfc6455/codes';

/** The UTF-8 bytes of `text`. */
export function encodeUtf8(text: string): Uint8Array {
  const out = new Uint8Array(utf8ByteLength(text));
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    if (cp < 0x80) {
      out[o++] = cp;
    } else if (cp < 0x800) {
      out[o++] = 0xc0 | (cp >>> 6);
      out[o++] = 0x80 | (cp & 63);
    } else if (cp < 0x10000) {
      out[o++] = 0xe0 | (cp >>> 12);
      out[o++] = 0x80 | ((cp >>> 6) & 63);
      out[o++] = 0x80 | (cp & 63);
    } else {
      out[o++] = 0xf0 | (cp >>> 18);
      out[o++] = 0x80 | ((cp >>> 12) & 63);
      out[o++] = 0x80 | ((cp >>> 6) & 63);
      out[o++] = 0x80 | (cp & 63);
    }
  }
  return out;
}
