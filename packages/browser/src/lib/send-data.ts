/**
 * What `send()` accepts and how many bytes it puts on the wire, measured the way a browser counts
 * `bufferedAmount` (RFC 6455 §5.6: a text message is carried as UTF-8).
 */
import { utf8ByteLength } from '@rfc6455/codes';

/** Anything the native WebSocket `send()` accepts. */
export type SendData = string | ArrayBufferLike | ArrayBufferView | Blob;

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
