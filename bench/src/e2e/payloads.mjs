// What the load generator sends, built once: payloads, and a permessage-deflate frame (compressed
// with node:zlib, encoded by @rfc6455/testing). The servers under test do the real work.
import { deflateRawSync, constants } from 'node:zlib';
import { EXAMPLE_MASK_KEY, RSV1, encodeFrame } from '@rfc6455/testing';

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
  return encodeFrame({ opcode: 0x1, payload: deflated.subarray(0, deflated.length - 4), rsv: RSV1, mask: EXAMPLE_MASK_KEY });
}
