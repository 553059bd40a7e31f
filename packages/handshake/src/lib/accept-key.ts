/**
 * `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.1, §4.2.2).
 */
import { HANDSHAKE_GUID } from '@rfc6455/codes';
import { encodeBase64 } from './base64.ts';
import { sha1 as defaultSha1 } from './sha1.ts';
import type { Sha1 } from './sha1.ts';
import { encodeUtf8 } from './utf8.ts';
import { fillRandom, subtleSha1 } from './web.ts';

/** A source of random bytes: fills `bytes` and returns it, like `crypto.getRandomValues`. */
export type RandomSource = (bytes: Uint8Array) => Uint8Array;

function checkKey(key: string, caller: string): void {
  if (typeof key !== 'string') throw new TypeError(`${caller}(key): key must be the Sec-WebSocket-Key string.`);
}

/**
 * The `Sec-WebSocket-Accept` value for `key`: base64 of the SHA-1 of `key` followed by the GUID
 * `258EAFA5-E914-47DA-95CA-C5AB0DC85B11` (RFC 6455 §4.2.2 step 5.4). The RFC's sample key
 * `dGhlIHNhbXBsZSBub25jZQ==` gives `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`.
 *
 * `sha1` defaults to this package's pure-JavaScript SHA-1; Node callers may pass
 * `(data) => createHash('sha1').update(data).digest()`.
 */
export function createAcceptKey(key: string, sha1: Sha1 = defaultSha1): string {
  checkKey(key, 'createAcceptKey');
  if (typeof sha1 !== 'function') throw new TypeError('createAcceptKey(key, sha1): sha1 must be a function (data: Uint8Array) => Uint8Array.');
  const digest = sha1(encodeUtf8(key + HANDSHAKE_GUID));
  if (!(digest instanceof Uint8Array) || digest.length !== 20) {
    throw new TypeError('createAcceptKey: the sha1 function must return the 20-byte digest as a Uint8Array.');
  }
  return encodeBase64(digest);
}

/**
 * {@link createAcceptKey} with the runtime's Web Crypto SHA-1 (`crypto.subtle.digest`). Same
 * result; useful where a native hash is wanted and no synchronous one is available.
 */
export async function createAcceptKeyAsync(key: string): Promise<string> {
  checkKey(key, 'createAcceptKeyAsync');
  return encodeBase64(await subtleSha1(encodeUtf8(key + HANDSHAKE_GUID)));
}

/**
 * A fresh `Sec-WebSocket-Key`: base64 of 16 random bytes (RFC 6455 §4.1 step 7). `random`
 * defaults to `crypto.getRandomValues`; tests inject a fixed source.
 */
export function generateKey(random: RandomSource = fillRandom): string {
  if (typeof random !== 'function') throw new TypeError('generateKey(random): random must fill and return a Uint8Array.');
  const bytes = random(new Uint8Array(16));
  if (!(bytes instanceof Uint8Array) || bytes.length !== 16) {
    throw new TypeError('generateKey: the random source must return the 16-byte array it was given.');
  }
  return encodeBase64(bytes);
}
