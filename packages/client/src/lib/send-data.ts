/**
 * What `send`, `ping` and `pong` accept, and the small conversions between those inputs and the
 * bytes the protocol takes. Kept free of state so the send path can call them per message without
 * allocating anything but the view it must make.
 */
import { utf8ByteLength } from '@rfc6455/codes';

/** What `send` accepts. */
export type SendData = string | ArrayBuffer | ArrayBufferView | Blob;

/** ws-style options of `send`. */
export interface SendOptions {
  /** Send as a binary message; default: true unless `data` is a string. */
  binary?: boolean | undefined;
  /** False to send a fragment; the next send continues the message. Default true. */
  fin?: boolean | undefined;
  /**
   * `false` sends this message uncompressed even when permessage-deflate was negotiated and the
   * message is at or above `compressionThreshold`. `true` or absent: the threshold decides.
   */
  compress?: boolean | undefined;
  /** Accepted for ws compatibility; ignored (a client always masks, a server never does: RFC 6455 §5.1). */
  mask?: boolean | undefined;
}

/** Completion callback of `send`, `ping`, `pong`, `sendFrame`: called once the data is flushed to the socket, or with the reason it was not sent. */
export type SendCallback = (err?: Error | null) => void;

/** The bytes `data` takes on the wire before framing (UTF-8 for a string), for `bufferedAmount`. */
export function byteLengthOf(data: SendData): number {
  if (typeof data === 'string') return utf8ByteLength(data);
  if (data instanceof Blob) return data.size;
  return data.byteLength;
}

/** Whether `data` is one of the types `send` accepts. */
export function isSendData(data: unknown): data is SendData {
  return typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data) || data instanceof Blob;
}

/** A Uint8Array over the same memory as `data` (no copy). */
export function toBytes(data: Exclude<SendData, string | Blob>): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * The payload of a ping or pong as the protocol takes it: a number becomes its decimal text (as
 * ws does), a Blob is refused because a control frame is written at once and a Blob reads later.
 *
 * @throws {TypeError} for a Blob or a value of another type.
 */
export function toControlPayload(data: SendData | number | undefined): Uint8Array | string | undefined {
  if (data === undefined) return undefined;
  if (typeof data === 'number') return String(data);
  if (typeof data === 'string') return data;
  if (data instanceof Blob) throw new TypeError('ping/pong payload must be a string, ArrayBuffer or ArrayBufferView, not a Blob');
  if (isSendData(data)) return toBytes(data);
  throw new TypeError('ping/pong payload must be a string, number, ArrayBuffer or ArrayBufferView');
}
