/**
 * What `send`, `ping` and `pong` accept, and the small conversions between those inputs and the
 * bytes the protocol takes. Kept free of state so the send path can call them per message without
 * allocating anything but the view it must make.
 */
import { utf8ByteLength } from '@rfc6455/codes';

/** What `send` accepts. */
export type SendData = string | ArrayBuffer | ArrayBufferView | Blob;

/** What ws's `send` and `ping`/`pong` also take (see {@link fromWsData}): numbers, byte arrays, objects `Buffer.from()` converts. */
export type WsSendData =
  | number
  | readonly number[]
  | { valueOf(): ArrayBuffer | SharedArrayBuffer | string | readonly number[] | Uint8Array }
  | { [Symbol.toPrimitive](hint: 'string'): string }
  | null
  | undefined;

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
  /**
   * ws's option: whether to mask. Only the value RFC 6455 §5.1 allows is accepted — `true` (or
   * absent) on a client, `false` (or absent) on a server-role socket; the other throws a TypeError.
   */
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
export function toControlPayload(data: unknown): Uint8Array | string | undefined {
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'number') return String(data);
  if (typeof data === 'string') return data;
  if (data instanceof Blob) throw new TypeError('ping/pong payload must be a string, ArrayBuffer or ArrayBufferView, not a Blob');
  if (isSendData(data)) return toBytes(data as ArrayBuffer | ArrayBufferView);
  if (typeof data === 'object') return toBytes(fromWsData(data) as Uint8Array<ArrayBuffer>);
  throw new TypeError('ping/pong payload must be a string, number, ArrayBuffer, ArrayBufferView or a value Buffer.from() accepts');
}

/**
 * What ws's `send` and `ping`/`pong` accept beyond {@link SendData}, turned into it as ws does: a
 * number becomes its decimal text, `undefined` or `null` an empty binary message, and any other
 * object (an array of byte values, an object whose `valueOf` gives bytes or a string …) the bytes
 * `Buffer.from()` makes of it.
 *
 * @throws {TypeError} for a value `Buffer.from()` cannot convert (ws's rule).
 */
export function fromWsData(data: unknown): SendData {
  if (isSendData(data)) return data;
  if (typeof data === 'number') return String(data);
  if (data === undefined || data === null) return EMPTY;
  if (typeof data === 'object') {
    try {
      return Buffer.from(data as ArrayLike<number>);
    } catch (err) {
      throw new TypeError('send(data): data must be a string, number, ArrayBuffer, ArrayBufferView, Blob, or a value Buffer.from() accepts', { cause: err });
    }
  }
  throw new TypeError('send(data): data must be a string, number, ArrayBuffer, ArrayBufferView, Blob, or a value Buffer.from() accepts');
}

const EMPTY = new Uint8Array(0);

/**
 * ws's `mask` argument (of `send` options, `ping`, `pong`) checked against this end's role: RFC
 * 6455 §5.1 says a client masks every frame and a server none, so the other value cannot be honoured.
 *
 * @throws {TypeError} for a non-boolean, or the value the role forbids.
 */
export function checkMask(mask: unknown, isServer: boolean, where: string): void {
  if (mask === undefined) return;
  if (typeof mask !== 'boolean') throw new TypeError(`${where}: mask must be a boolean`);
  if (mask === isServer) {
    throw new TypeError(
      isServer
        ? `${where}: mask: true on a server-role socket; RFC 6455 §5.1 forbids a server to mask (leave it out)`
        : `${where}: mask: false on a client; RFC 6455 §5.1 requires a client to mask every frame (leave it out)`,
    );
  }
}

/**
 * ws's `ping([data[, mask]][, cb])` / `pong(…)` arguments: the callback may come in any place
 * after the data; `mask` is checked against the role; the payload is made as {@link toControlPayload} does.
 *
 * @throws {TypeError} for a `mask` the role forbids, a callback that is not a function, or a bad payload.
 */
export function controlArguments(
  isPing: boolean,
  isServer: boolean,
  data: unknown,
  mask: unknown,
  cb: unknown,
): { payload: Uint8Array | string | undefined; cb: SendCallback | undefined } {
  const name = isPing ? 'ping' : 'pong';
  if (typeof data === 'function') {
    cb = data;
    data = undefined;
  } else if (typeof mask === 'function') {
    cb = mask;
  } else {
    checkMask(mask, isServer, `${name}(data, mask)`);
  }
  if (cb !== undefined && typeof cb !== 'function') throw new TypeError(`${name}(data, mask, cb): cb must be a function`);
  return { payload: toControlPayload(data), cb: cb as SendCallback | undefined };
}
