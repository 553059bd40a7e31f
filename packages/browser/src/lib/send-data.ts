/**
 * What `send()` accepts and how many bytes it puts on the wire, measured the way a browser counts
 * `bufferedAmount` (RFC 6455 §5.6: a text message is carried as UTF-8).
 */

/** Anything the native WebSocket `send()` accepts. */
export type SendData = string | ArrayBufferLike | ArrayBufferView | Blob;

/**
 * The UTF-8 length of a string without encoding it. A lone surrogate counts 3 bytes, because the
 * browser sends it as U+FFFD.
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

/** The payload size of `data` in bytes; throws TypeError for anything `send()` does not accept. */
export function sendDataByteLength(data: SendData): number {
  if (typeof data === 'string') return utf8ByteLength(data);
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (isArrayBufferLike(data)) return data.byteLength;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data.size;
  throw new TypeError('send() takes a string, an ArrayBuffer, an ArrayBufferView (such as Uint8Array) or a Blob');
}

function isArrayBufferLike(data: unknown): data is ArrayBufferLike {
  if (data instanceof ArrayBuffer) return true;
  return typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer;
}
