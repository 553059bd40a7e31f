/**
 * The frames of one broadcast or publish, encoded at most once per distinct need: the plain frame
 * for connections without permessage-deflate (or below the threshold), and one compressed frame
 * per window size for connections whose server side has no context takeover. A connection whose
 * compressor keeps context (RFC 7692 §7.1.1) must compress each message with its own history, so
 * it never gets a shared compressed frame: it sends the message through its own extension.
 *
 * The shared frame is compressed by @rfc6455/deflate's `deflateMessage`, the function each
 * connection's codec uses, but always on the calling thread (`sync: true`). On the thread pool the
 * frame would be ready only later, while every receiver must still get it before anything sent to
 * it after the broadcast call: each connection would have to hold a place in its outgoing queue,
 * and the queue takes finished bytes only (`sendFrame`), so the frame would have to go through
 * each connection's own send path, framing and checking the message once per receiver. A
 * broadcast reaches many connections, so that per-receiver cost outweighs compressing once here
 * (measured: about 0.7 ms for 64 KiB of JSON, 12 ms for 1 MiB, once per window size).
 */
import { Opcode } from '@rfc6455/codes';
import type { DeflateConfig } from '@rfc6455/deflate';
import { deflateMessage } from '@rfc6455/deflate/node';
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
      // compression serves every such connection.
      const { level, memLevel } = this.#settings;
      const deflated = deflateMessage(this.#payload, { windowBits, level, memLevel, sync: true });
      frame = encodeFrame(this.#binary ? Opcode.Binary : Opcode.Text, deflated, { rsv1: true });
      this.#compressed.set(windowBits, frame);
    }
    return frame;
  }
}
