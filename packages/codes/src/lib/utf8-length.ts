/**
 * The UTF-8 length of a string without encoding it: for close reasons (≤ 123 bytes, RFC 6455
 * §5.5.1), `Content-Length`, and `bufferedAmount`. A lone surrogate counts 3 bytes, because it is
 * sent as U+FFFD (what `TextEncoder` and the WHATWG USVString conversion do).
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
