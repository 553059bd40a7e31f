/**
 * Frame encoding (RFC 6455 §5.2): the header in its three length forms, optional masking, and
 * header-only writes for callers that assemble frames in their own buffers.
 */
import { allocateFrame } from './allocate.ts';
import { maskCopy } from './mask.ts';

/** Options of {@link encodeFrame} and {@link writeFrameHeader}. */
export interface EncodeFrameOptions {
  /** FIN bit: true for the last (or only) frame of a message. Default true. */
  fin?: boolean;
  /** RSV1 bit, for an extension that owns it (permessage-deflate). Default false. */
  rsv1?: boolean;
  /** RSV2 bit. Default false. */
  rsv2?: boolean;
  /** RSV3 bit. Default false. */
  rsv3?: boolean;
  /** A 4-byte mask key: the frame is masked with it (client → server). Absent: unmasked. */
  maskKey?: Uint8Array;
}

/** Largest payload length a frame header can carry here: 2^53 − 1, the largest exact JS integer. */
const MAX_LENGTH = Number.MAX_SAFE_INTEGER;

function checkPayloadLength(payloadLength: number): void {
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) {
    throw new RangeError(`payloadLength must be an integer from 0 to ${MAX_LENGTH}, got ${String(payloadLength)}`);
  }
}

/** Validate opcode, control-frame rules and the key; return the first header byte. */
function firstByte(opcode: number, payloadLength: number, options: EncodeFrameOptions | undefined): number {
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15) {
    throw new RangeError(`opcode must be an integer from 0 to 15, got ${String(opcode)}`);
  }
  const fin = options?.fin ?? true;
  if (opcode >= 8) {
    // RFC 6455 §5.5: control frames carry at most 125 bytes and are never fragmented.
    if (payloadLength > 125) {
      throw new RangeError(`A control frame (opcode ${opcode}) carries at most 125 payload bytes, got ${payloadLength}`);
    }
    if (!fin) throw new RangeError(`A control frame (opcode ${opcode}) cannot be fragmented: fin must be true`);
  }
  const maskKey = options?.maskKey;
  if (maskKey !== undefined) {
    if (!(maskKey instanceof Uint8Array)) throw new TypeError('maskKey must be a Uint8Array of 4 bytes');
    if (maskKey.length !== 4) throw new RangeError(`maskKey must be exactly 4 bytes, got ${maskKey.length}`);
  }
  return (
    (fin ? 0x80 : 0) |
    (options?.rsv1 === true ? 0x40 : 0) |
    (options?.rsv2 === true ? 0x20 : 0) |
    (options?.rsv3 === true ? 0x10 : 0) |
    opcode
  );
}

/**
 * Header length in bytes for a payload length and masking: 2, 4 or 10 (RFC 6455 §5.2's 7-bit,
 * 16-bit and 64-bit length forms, always the shortest that fits), plus 4 for the mask key.
 */
export function frameHeaderLength(payloadLength: number, masked: boolean): number {
  checkPayloadLength(payloadLength);
  return (payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/** Write a validated header; `headerLength` is frameHeaderLength's answer. Returns the end offset. */
function putHeader(
  target: Uint8Array,
  offset: number,
  byte0: number,
  payloadLength: number,
  maskKey: Uint8Array | undefined,
): number {
  const maskBit = maskKey === undefined ? 0 : 0x80;
  target[offset] = byte0;
  let at = offset + 2;
  if (payloadLength < 126) {
    target[offset + 1] = maskBit | payloadLength;
  } else if (payloadLength < 65536) {
    target[offset + 1] = maskBit | 126;
    target[offset + 2] = payloadLength >>> 8;
    target[offset + 3] = payloadLength & 0xff;
    at = offset + 4;
  } else {
    target[offset + 1] = maskBit | 127;
    // 64-bit big-endian; the high word is below 2^21 because the length is a safe integer.
    const high = Math.floor(payloadLength / 0x1_0000_0000);
    const low = payloadLength >>> 0;
    target[offset + 2] = high >>> 24;
    target[offset + 3] = (high >>> 16) & 0xff;
    target[offset + 4] = (high >>> 8) & 0xff;
    target[offset + 5] = high & 0xff;
    target[offset + 6] = low >>> 24;
    target[offset + 7] = (low >>> 16) & 0xff;
    target[offset + 8] = (low >>> 8) & 0xff;
    target[offset + 9] = low & 0xff;
    at = offset + 10;
  }
  if (maskKey !== undefined) {
    target[at] = maskKey[0]!;
    target[at + 1] = maskKey[1]!;
    target[at + 2] = maskKey[2]!;
    target[at + 3] = maskKey[3]!;
    at += 4;
  }
  return at;
}

/**
 * Write a frame header into `target` at `offset` and return the offset just after it, for corked
 * writes (several frames in one buffer) and for encoding a broadcast frame once. With a `maskKey`
 * the key is written into the header, but the payload is the caller's: mask it with `maskInto`.
 * Throws RangeError/TypeError on misuse (bad opcode or length, control frame over 125 bytes or not
 * final, key not 4 bytes, no room in `target`).
 */
export function writeFrameHeader(
  target: Uint8Array,
  offset: number,
  opcode: number,
  payloadLength: number,
  options?: EncodeFrameOptions,
): number {
  if (!(target instanceof Uint8Array)) throw new TypeError('target must be a Uint8Array');
  checkPayloadLength(payloadLength);
  const byte0 = firstByte(opcode, payloadLength, options);
  const maskKey = options?.maskKey;
  const headerLength = frameHeaderLength(payloadLength, maskKey !== undefined);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + headerLength > target.length) {
    throw new RangeError(
      `target has no room for a ${headerLength}-byte header at offset ${String(offset)} (length ${target.length})`,
    );
  }
  return putHeader(target, offset, byte0, payloadLength, maskKey);
}

/**
 * Encode a whole frame into one new buffer: header, then the payload, masked with
 * `options.maskKey` when given (a client's frames, RFC 6455 §5.3). Never changes `payload`: masking
 * works on the copy. Throws TypeError/RangeError on misuse: opcode not 0–15, control payload over
 * 125 bytes, control frame with `fin: false`, mask key not 4 bytes.
 */
export function encodeFrame(opcode: number, payload: Uint8Array, options?: EncodeFrameOptions): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
  const length = payload.length;
  const byte0 = firstByte(opcode, length, options);
  const maskKey = options?.maskKey;
  const frame = allocateFrame(frameHeaderLength(length, maskKey !== undefined) + length);
  const start = putHeader(frame, 0, byte0, length, maskKey);
  if (maskKey === undefined) frame.set(payload, start);
  else maskCopy(payload, frame, start, maskKey, 0);
  return frame;
}
