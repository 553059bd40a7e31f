/**
 * How a received message is handed to the application: the ws-style value chosen by `binaryType`
 * and the WHATWG value (a string for text). The protocol delivers a Uint8Array; these functions
 * wrap it without copying where the type allows.
 */

/** How binary messages are handed out: Buffer (default, as ws), ArrayBuffer, Blob, or Buffer[] (ws's 'fragments'). */
export type BinaryType = 'nodebuffer' | 'arraybuffer' | 'blob' | 'fragments';

/** The ws-style message value: what the 'message' event's first argument can be. */
export type MessageData = Buffer | ArrayBuffer | Blob | Buffer[];

/** Whether `type` is a known binaryType (WHATWG: an unknown value is ignored, not thrown). */
export function isBinaryType(type: unknown): type is BinaryType {
  return type === 'nodebuffer' || type === 'arraybuffer' || type === 'blob' || type === 'fragments';
}

/** A Buffer over the same memory as `data` (no copy). */
export function toBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A message in the ws-style form for `binaryType` (text stays bytes: decode when wanted). */
export function toMessageData(data: Uint8Array, isBinary: boolean, binaryType: BinaryType): MessageData {
  switch (binaryType) {
    case 'arraybuffer':
      return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
        ? (data.buffer as ArrayBuffer)
        : (data.slice().buffer as ArrayBuffer);
    case 'blob':
      return isBinary ? new Blob([data as Uint8Array<ArrayBuffer>]) : toBuffer(data);
    case 'fragments':
      return [toBuffer(data)];
    default:
      return toBuffer(data);
  }
}

/** The value a WHATWG listener or the async iterator sees: a string for text, else per binaryType. */
export function toWhatwgData(data: unknown, isBinary: boolean): unknown {
  if (isBinary) return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8');
  return data;
}
