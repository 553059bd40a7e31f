// The few bytes the load generator and the ceiling server need: pre-masked client frames, a frame
// counter that reads only headers (never payloads), and the upgrade request. Nothing here parses
// or validates beyond what counting needs; the servers under test do the real work.
import { createHash } from 'node:crypto';
import { deflateRawSync, constants } from 'node:zlib';

const MASK_KEY = [0x37, 0xfa, 0x21, 0x3d];

/** RFC 6455 §5.2 header length for a payload of `size` bytes (`masked` adds the 4-byte key). */
export function headerLength(size, masked) {
  return (size < 126 ? 2 : size < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * One complete client frame (FIN set) carrying `payload`, masked with a fixed key: the generator
 * encodes it once and writes the same bytes again and again, so it spends nothing on masking.
 */
export function maskedFrame(payload, { opcode = 0x2, rsv1 = false } = {}) {
  const size = payload.length;
  const head = headerLength(size, true);
  const frame = Buffer.allocUnsafe(head + size);
  frame[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
  if (size < 126) {
    frame[1] = 0x80 | size;
  } else if (size < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(size, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(size, 6);
  }
  frame.set(MASK_KEY, head - 4);
  for (let i = 0; i < size; i++) frame[head + i] = payload[i] ^ MASK_KEY[i & 3];
  return frame;
}

/** `size` bytes of binary payload (a repeating byte ramp). */
export function binaryPayload(size) {
  const payload = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) payload[i] = i & 0xff;
  return payload;
}

/** About `size` bytes of JSON-like text that compresses the way chat or telemetry traffic does. */
export function textPayload(size) {
  let text = '';
  for (let i = 0; text.length < size; i++) {
    text += JSON.stringify({ id: i, user: `user-${i % 17}`, type: 'update', value: (i * 7919) % 1000, ok: i % 3 === 0 });
  }
  return Buffer.from(text.slice(0, size));
}

/**
 * A masked text frame compressed with permessage-deflate (RFC 7692 §7.2.1): a fresh raw-deflate
 * stream per message (valid whatever context takeover was negotiated, since it refers to nothing
 * earlier), sync-flushed, with the trailing 00 00 ff ff removed, and RSV1 set.
 */
export function compressedMaskedFrame(payload) {
  const deflated = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  return maskedFrame(deflated.subarray(0, deflated.length - 4), { opcode: 0x1, rsv1: true });
}

/**
 * Counts the complete data frames in a stream of unmasked server frames by reading headers and
 * skipping payloads. Control frames (a heartbeat ping, a close) are skipped and not counted.
 */
export class FrameCounter {
  /** Payload bytes of the current frame still to skip. */
  skip = 0;
  /** Whether the frame being skipped counts (a data frame with FIN). */
  counts = false;
  /** A header cut by a chunk boundary (at most 9 bytes). */
  partial = undefined;

  /** Feed one chunk; returns how many frames it completed. */
  push(chunk) {
    if (this.partial !== undefined) {
      chunk = Buffer.concat([this.partial, chunk]);
      this.partial = undefined;
    }
    let count = 0;
    let i = 0;
    const n = chunk.length;
    for (;;) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, n - i);
        this.skip -= take;
        i += take;
        if (this.skip > 0) return count;
        if (this.counts) count++;
      }
      if (i >= n) return count;
      if (n - i < 2) {
        this.partial = chunk.subarray(i);
        return count;
      }
      const b0 = chunk[i];
      const len7 = chunk[i + 1] & 0x7f;
      const head = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
      if (n - i < head) {
        this.partial = chunk.subarray(i);
        return count;
      }
      const size = len7 < 126 ? len7 : len7 === 126 ? chunk.readUInt16BE(i + 2) : chunk.readUInt32BE(i + 6);
      i += head;
      this.counts = (b0 & 0x80) !== 0 && (b0 & 0x0f) < 8;
      if (size === 0) {
        if (this.counts) count++;
        continue;
      }
      this.skip = size;
    }
  }
}

/** The opening handshake request (RFC 6455 §4.1), optionally offering permessage-deflate. */
export function upgradeRequest({ path = '/', deflate = false } = {}) {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
      (deflate ? 'Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n' : '') +
      '\r\n',
  );
}

/** RFC 6455 §4.2.2: the Sec-WebSocket-Accept value for a key. */
export function acceptKey(key) {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}
