/**
 * A frame encoder for raw peers, written apart from @rfc6455/frame on purpose: a test peer must be
 * able to build what the codec refuses to build (reserved bits and opcodes, fragmented or oversized
 * control frames, non-minimal or lying lengths, bad close payloads), and it must not share a bug
 * with the code it judges.
 */
import { randomBytes } from 'node:crypto';
import { toBytes } from './bytes.ts';

/** RSV1 in the 3-bit `rsv` field of {@link RawFrame} (RFC 6455 §5.2; permessage-deflate's bit, RFC 7692 §6). */
export const RSV1 = 0b100;
/** RSV2 in the 3-bit `rsv` field of {@link RawFrame}. */
export const RSV2 = 0b010;
/** RSV3 in the 3-bit `rsv` field of {@link RawFrame}. */
export const RSV3 = 0b001;

/** The masking key of RFC 6455 §5.7's examples (0x37fa213d): fixed, so expected bytes are reproducible. */
export const EXAMPLE_MASK_KEY: Uint8Array = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

/** One frame exactly as it should appear on the wire, valid or not. */
export interface RawFrame {
  /** Any 4-bit value, reserved ones included. */
  opcode: number;
  /** Text (as UTF-8) or bytes; empty when left out. */
  payload?: string | Uint8Array;
  /** FIN bit; `true` when left out. */
  fin?: boolean;
  /** RSV1–RSV3 as a 3-bit number: {@link RSV1} is 4, {@link RSV2} 2, {@link RSV3} 1. */
  rsv?: number;
  /** `true`: masked with a fresh random key (RFC 6455 §5.3); a 4-byte key: masked with it; else unmasked. */
  mask?: boolean | Uint8Array;
  /** How the length is written (RFC 6455 §5.2 asks for the minimal form; a peer may test the others). */
  lengthForm?: 'minimal' | '16-bit' | '64-bit';
  /** The length the header announces instead of the payload's own (a lie on purpose, up to 2^64 - 1). */
  announcedLength?: number | bigint;
}

/** Encode one frame as asked, checking only that each field fits its bits. */
export function encodeFrame(frame: RawFrame): Buffer {
  const { opcode, fin = true, rsv = 0, mask = false, lengthForm = 'minimal' } = frame;
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xf) throw new RangeError(`opcode must be 0–15, got ${opcode}`);
  if (!Number.isInteger(rsv) || rsv < 0 || rsv > 7) throw new RangeError(`rsv must be 0–7, got ${rsv}`);
  const payload = toBytes(frame.payload);
  const key = mask === true ? randomBytes(4) : mask === false ? undefined : mask;
  if (key !== undefined && key.length !== 4) throw new RangeError(`a masking key has 4 bytes, got ${key.length}`);
  const announced = BigInt(frame.announcedLength ?? payload.length);
  if (announced < 0n || announced > 0xffff_ffff_ffff_ffffn) throw new RangeError(`a frame length is 0 to 2^64 - 1, got ${announced}`);
  const form = lengthForm !== 'minimal' ? lengthForm : announced < 126n ? '7-bit' : announced <= 0xffffn ? '16-bit' : '64-bit';
  if (form === '16-bit' && announced > 0xffffn) throw new RangeError(`${announced} does not fit the 16-bit length form`);
  const lengthBytes = form === '7-bit' ? 0 : form === '16-bit' ? 2 : 8;
  const keyAt = 2 + lengthBytes;
  const payloadAt = keyAt + (key === undefined ? 0 : 4);
  const out = Buffer.alloc(payloadAt + payload.length);
  // RFC 6455 §5.2: FIN, RSV1–3 and the opcode in the first byte; MASK and the 7-bit length in the second.
  out[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  out[1] = (key === undefined ? 0 : 0x80) | (form === '7-bit' ? Number(announced) : form === '16-bit' ? 126 : 127);
  if (form === '16-bit') out.writeUInt16BE(Number(announced), 2);
  else if (form === '64-bit') out.writeBigUInt64BE(announced, 2);
  if (key === undefined) {
    out.set(payload, payloadAt);
  } else {
    out.set(key, keyAt);
    for (let i = 0; i < payload.length; i++) out[payloadAt + i] = payload[i]! ^ key[i & 3]!;
  }
  return out;
}

/**
 * A close frame's payload (RFC 6455 §5.5.1): the 2-byte code, then the reason; nothing when `code`
 * is left out. Any 16-bit code is written, valid or not.
 */
export function closePayload(code?: number, reason: string | Uint8Array = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) throw new RangeError(`a close code is 0–65535, got ${code}`);
  const text = toBytes(reason);
  const out = Buffer.alloc(2 + text.length);
  out.writeUInt16BE(code, 0);
  out.set(text, 2);
  return out;
}
