// Raw RFC 6455 wire helpers for the fuzzing peers. Deliberately independent of @rfc6455/frame:
// the fuzzer must be able to build frames the codec refuses to build (reserved bits, reserved
// opcodes, oversized or fragmented control frames, bad close payloads), and it must not share
// bugs with the implementation it is judging.
import { createHash, randomBytes } from 'node:crypto';

/** RFC 6455 §1.3: the GUID appended to Sec-WebSocket-Key before hashing. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept value for a key (RFC 6455 §4.2.2 step 5.4). */
export function acceptKey(key) {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** A fresh Sec-WebSocket-Key: 16 random bytes, base64 (RFC 6455 §4.1). */
export function newKey() {
  return randomBytes(16).toString('base64');
}

/** Coerce a string (UTF-8) or bytes into a Buffer. */
export function toBytes(data) {
  if (data === undefined || data === null) return Buffer.alloc(0);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Encode one frame exactly as asked, valid or not.
 * `payloadLength` lets a case announce a length other than the payload's (never used to lie on
 * the wire here, but kept so a case can pad a payload by repetition, as Autobahn's `payload_len`).
 */
export function encodeFrame({ opcode, payload, fin = true, rsv = 0, mask = false, payloadLength }) {
  let body = toBytes(payload);
  if (payloadLength !== undefined && payloadLength !== body.length) {
    // Autobahn's payload_len: repeat the pattern until the length is reached.
    const out = Buffer.alloc(payloadLength);
    for (let i = 0; i < payloadLength; i += body.length) body.copy(out, i, 0, Math.min(body.length, payloadLength - i));
    body = out;
  }
  const len = body.length;
  const headerLength = 2 + (len > 0xffff ? 8 : len > 125 ? 2 : 0) + (mask ? 4 : 0);
  const frame = Buffer.alloc(headerLength + len);
  // RFC 6455 §5.2: FIN, RSV1-3, opcode in the first byte; MASK and the 7-bit length in the second.
  frame[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  let offset = 2;
  if (len > 0xffff) {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
    offset = 10;
  } else if (len > 125) {
    frame[1] = 126;
    frame.writeUInt16BE(len, 2);
    offset = 4;
  } else {
    frame[1] = len;
  }
  if (mask) {
    frame[1] |= 0x80;
    const key = randomBytes(4);
    key.copy(frame, offset);
    offset += 4;
    for (let i = 0; i < len; i++) frame[offset + i] = body[i] ^ key[i & 3];
  } else {
    body.copy(frame, offset);
  }
  return frame;
}

/** A close payload: 2-byte code (RFC 6455 §5.5.1) then the reason bytes, or nothing. */
export function closePayload(code, reason) {
  if (code === undefined || code === null) return Buffer.alloc(0);
  const r = toBytes(reason ?? '');
  const out = Buffer.alloc(2 + r.length);
  out.writeUInt16BE(code & 0xffff, 0);
  r.copy(out, 2);
  return out;
}

/**
 * Incremental parser for what the system under test sends back. It checks what RFC 6455 requires
 * of a conforming sender (§5.1 masking direction, §5.2 reserved bits and opcodes, §5.5 control
 * frame rules, §5.6 UTF-8 text) so a misbehaving peer shows up as a `violation` event.
 */
export class FrameReader {
  /** @param {{ expectMasked: boolean, allowRsv1?: boolean }} options */
  constructor({ expectMasked, allowRsv1 = false }) {
    this.expectMasked = expectMasked;
    this.allowRsv1 = allowRsv1;
    this.chunks = [];
    this.buffered = 0;
  }

  /** Feed bytes; returns the complete frames now available (or a violation string). */
  push(chunk) {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames = [];
    for (;;) {
      const frame = this.next();
      if (frame === null) break;
      frames.push(frame);
      if (frame.violation) break;
    }
    return frames;
  }

  next() {
    if (this.buffered < 2) return null;
    const head = this.peek(Math.min(this.buffered, 14));
    const b0 = head[0];
    const b1 = head[1];
    const masked = (b1 & 0x80) !== 0;
    let len = b1 & 0x7f;
    let offset = 2;
    if (len === 126) {
      if (head.length < 4) return null;
      len = head.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      if (head.length < 10) return null;
      len = Number(head.readBigUInt64BE(2));
      offset = 10;
    }
    const keyOffset = offset;
    if (masked) offset += 4;
    if (this.buffered < offset + len) return null;
    const all = this.take(offset + len);
    const payload = Buffer.from(all.subarray(offset));
    if (masked) {
      const key = all.subarray(keyOffset, keyOffset + 4);
      for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
    }
    const frame = { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload };
    if (masked !== this.expectMasked) frame.violation = masked ? 'masked frame from a server' : 'unmasked frame from a client';
    else if ((frame.rsv & (this.allowRsv1 && frame.opcode !== 0 && frame.opcode < 8 ? 3 : 7)) !== 0) frame.violation = `reserved bits ${frame.rsv} set`;
    else if (![0, 1, 2, 8, 9, 10].includes(frame.opcode)) frame.violation = `reserved opcode ${frame.opcode}`;
    else if (frame.opcode >= 8 && (!frame.fin || len > 125)) frame.violation = 'fragmented or oversized control frame';
    return frame;
  }

  peek(n) {
    const first = this.chunks[0];
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.chunks).subarray(0, n);
  }

  take(n) {
    const joined = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}

/** True when the bytes are well-formed UTF-8 (RFC 3629), as RFC 6455 §8.1 requires of text. */
export function isValidUtf8(bytes) {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
