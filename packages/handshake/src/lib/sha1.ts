/**
 * A small, dependency-free SHA-1 (FIPS 180-4 §6.1) for the opening handshake.
 *
 * RFC 6455 §4.2.2 derives `Sec-WebSocket-Accept` from SHA-1 of a ~60-byte string. SHA-1 is not
 * used here for security (the accept value only proves the server understood the handshake), so a
 * compact implementation that works in every JavaScript runtime is the right default. Node callers
 * may pass a faster native one: `(data) => createHash('sha1').update(data).digest()`.
 */

/** A SHA-1 function: the 20-byte digest of `data`. Any runtime's implementation fits. */
export type Sha1 = (data: Uint8Array) => Uint8Array;

/**
 * The SHA-1 digest (20 bytes) of `data`, computed in plain JavaScript. Correct for any length, but
 * written for short inputs: it pads into one fresh buffer rather than streaming.
 */
export const sha1: Sha1 = (data) => {
  if (!(data instanceof Uint8Array)) throw new TypeError('sha1(data): data must be a Uint8Array.');
  const length = data.length;
  // FIPS 180-4 §5.1.1: append 0x80, zero-pad to 56 mod 64, then the bit length as 64-bit big-endian.
  const padded = new Uint8Array(((length + 8) >>> 6) * 64 + 64);
  padded.set(data);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  const bitLength = length * 8;
  view.setUint32(padded.length - 8, Math.floor(bitLength / 0x1_0000_0000));
  view.setUint32(padded.length - 4, bitLength >>> 0);

  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);

  for (let block = 0; block < padded.length; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + t * 4);
    for (let t = 16; t < 80; t++) {
      const x = (w[t - 3] as number) ^ (w[t - 8] as number) ^ (w[t - 14] as number) ^ (w[t - 16] as number);
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + (w[t] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }

  const digest = new Uint8Array(20);
  const out = new DataView(digest.buffer);
  out.setUint32(0, h0);
  out.setUint32(4, h1);
  out.setUint32(8, h2);
  out.setUint32(12, h3);
  out.setUint32(16, h4);
  return digest;
};
