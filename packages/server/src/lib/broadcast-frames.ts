/**
 * The frames of one broadcast or publish, encoded at most once per distinct need: the plain frame
 * for connections without permessage-deflate (or below the threshold), and one compressed frame
 * per window size for connections whose server side has no context takeover. A connection whose
 * compressor keeps context (RFC 7692 §7.1.1) must compress each message with its own history, so
 * it never gets a shared compressed frame: it sends the message through its own extension.
 */
import zlib from 'node:zlib';
import { Opcode } from '@rfc6455/codes';
import type { DeflateConfig } from '@rfc6455/deflate';
import { encodeFrame } from '@rfc6455/frame';

/** The zlib settings the server compresses with, shared by all its connections. */
export interface CompressionSettings {
  readonly threshold: number;
  readonly level: number;
  readonly memLevel: number;
}

/** What a connection needs from a broadcast. */
export type Delivery =
  | { readonly kind: 'frame'; readonly frame: Uint8Array }
  | { readonly kind: 'message'; readonly payload: Uint8Array | string; readonly binary: boolean };

// RFC 7692 §7.2.1: the sync-flush tail 00 00 ff ff is removed from each compressed message.
function stripTail(data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n < 4 || data[n - 4] !== 0 || data[n - 3] !== 0 || data[n - 2] !== 0xff || data[n - 1] !== 0xff) {
    throw new Error('permessage-deflate: zlib output does not end with a sync flush.');
  }
  // §7.2.3.6: an empty message compresses to the single byte 00.
  return n === 4 ? new Uint8Array([0x00]) : data.subarray(0, n - 4);
}

/** The encoded forms of one broadcast message, built lazily and cached for the call. */
export class BroadcastFrames {
  readonly #payload: Uint8Array;
  readonly #original: Uint8Array | string;
  readonly #binary: boolean;
  readonly #settings: CompressionSettings;
  #plain: Uint8Array | undefined;
  readonly #compressed = new Map<number, Uint8Array>();

  constructor(payload: Uint8Array, original: Uint8Array | string, binary: boolean, settings: CompressionSettings) {
    this.#payload = payload;
    this.#original = original;
    this.#binary = binary;
    this.#settings = settings;
  }

  /** What to send to a connection with this negotiated deflate config (undefined: none). */
  deliveryFor(config: DeflateConfig | undefined): Delivery {
    if (config === undefined || this.#payload.length < this.#settings.threshold) return { kind: 'frame', frame: this.plain() };
    if (!config.serverNoContextTakeover) return { kind: 'message', payload: this.#original, binary: this.#binary };
    return { kind: 'frame', frame: this.compressed(config.serverMaxWindowBits) };
  }

  /** The uncompressed frame, encoded once. */
  plain(): Uint8Array {
    this.#plain ??= encodeFrame(this.#binary ? Opcode.Binary : Opcode.Text, this.#payload);
    return this.#plain;
  }

  /** The compressed frame for a window of `windowBits`, encoded once per window size. */
  compressed(windowBits: number): Uint8Array {
    let frame = this.#compressed.get(windowBits);
    if (frame === undefined) {
      // Without context takeover the output depends only on the payload and these settings, so one
      // compression serves every such connection. zlib refuses a raw window of 8: 9 is what an
      // 8-bit inflater can read (its matches never reach past 250 bytes), as @rfc6455/deflate does.
      const deflated = zlib.deflateRawSync(this.#payload, {
        windowBits: Math.max(9, windowBits),
        level: this.#settings.level,
        memLevel: this.#settings.memLevel,
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
      });
      frame = encodeFrame(this.#binary ? Opcode.Binary : Opcode.Text, stripTail(deflated), { rsv1: true });
      this.#compressed.set(windowBits, frame);
    }
    return frame;
  }
}
