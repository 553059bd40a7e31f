/**
 * The permessage-deflate codec (RFC 7692 §6, §7.2) on node:zlib, as a protocol extension: whole
 * messages in, RSV1 and the compressed payload out, and back.
 *
 * Where the work runs (measured, see README "Performance"):
 * - Inflate is stateless between messages. With context takeover the peer's LZ77 window is kept
 *   as plain bytes ({@link SlidingWindow}) and handed to a one-shot zlib call as its preset
 *   dictionary, which is exactly the context RFC 7692 §7.1.1 describes. Up to
 *   {@link SYNC_INFLATE_MAX_LENGTH} compressed bytes inflate synchronously (3–4× faster than a
 *   thread-pool round trip at every size measured); larger payloads go to the thread pool.
 * - Deflate with context takeover needs a live zlib stream (Node offers no synchronous call that
 *   keeps one), so it runs on the thread pool. Without context takeover each message goes through
 *   {@link deflateMessage} (payloads up to its `SYNC_DEFLATE_MAX_LENGTH` synchronously, larger
 *   ones on the thread pool), the function a server's shared broadcast frames use too.
 * - Every thread-pool job goes through a global {@link ZlibLimiter}.
 */
import { constants as bufferConstants } from 'node:buffer';
import zlib from 'node:zlib';
import { RSV1 } from '@rfc6455/frame';
import type { EncodedMessage, Extension } from '@rfc6455/protocol';
import { DeflateError, DeflateErrorCode } from './deflate-error.ts';
import { deflateMessage, deflateZlibOptions, stripSyncFlushTail } from './deflate-message.ts';
import type { DeflateMessageOptions } from './deflate-message.ts';
import { PERMESSAGE_DEFLATE, type DeflateConfig } from './negotiation.ts';
import { SlidingWindow } from './sliding-window.ts';
import { defaultZlibLimiter, type ZlibLimiter } from './zlib-limiter.ts';

/** Compressed payloads up to this many bytes are inflated on the calling thread. */
export const SYNC_INFLATE_MAX_LENGTH = 64 * 1024;

/** The default {@link PerMessageDeflateOptions.compressionThreshold}, in bytes. */
export const DEFAULT_COMPRESSION_THRESHOLD = 1024;

// RFC 7692 §7.2.1: a sync flush ends with an empty stored block, 00 00 ff ff, which the sender
// removes and the receiver puts back (§7.2.2).
const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
const BUFFER_MAX = bufferConstants.MAX_LENGTH;

/** Options of {@link PerMessageDeflate}. */
export interface PerMessageDeflateOptions {
  /** Which end of the connection we are: it decides which half of `config` applies to us. */
  role: 'client' | 'server';
  /** The negotiated parameters (from `acceptDeflateOffer` or `acceptDeflateResponse`). */
  config: DeflateConfig;
  /**
   * Messages shorter than this many bytes are sent uncompressed (RSV1 clear). Default 1024. `0`
   * compresses everything, `Infinity` nothing (we still inflate what the peer compresses).
   */
  compressionThreshold?: number | undefined;
  /** zlib compression level, 0–9 or -1 (zlib's default, 6). Default -1. */
  level?: number | undefined;
  /** zlib memLevel, 1–9: memory for the compressor's hash tables (see README table). Default 8. */
  memLevel?: number | undefined;
  /** The cap on concurrent thread-pool zlib jobs. Default: one shared limiter of 10 jobs. */
  limiter?: ZlibLimiter | undefined;
}


/** Per-message options of {@link PerMessageDeflate.encode}. */
export interface EncodeOptions {
  /** `false` sends this message uncompressed whatever its size (a `send(data, { compress: false })`). */
  compress?: boolean | undefined;
}

function concat(parts: ReadonlyArray<Uint8Array>, extra?: Uint8Array): Uint8Array {
  if (parts.length === 1 && extra === undefined) return parts[0] as Uint8Array;
  let length = extra?.length ?? 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  if (extra !== undefined) out.set(extra, offset);
  return out;
}

function checkWindowBits(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 8 || value > 15) {
    throw new RangeError(`PerMessageDeflate: config.${what} must be an integer from 8 to 15, got ${String(value)}.`);
  }
  return value;
}

function checkInteger(value: number | undefined, min: number, max: number, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`PerMessageDeflate: ${what} must be an integer from ${min} to ${max}, got ${String(value)}.`);
  }
  return value;
}

/** Turn a zlib failure while inflating into the typed error for the peer. */
function inflateError(err: unknown, limit: number): DeflateError {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return new DeflateError(DeflateErrorCode.UnsupportedMessageLength, `The decompressed message is larger than ${limit} bytes.`, { cause: err });
  }
  return new DeflateError(DeflateErrorCode.InvalidCompressedData, 'The compressed message is not valid DEFLATE data.', { cause: err });
}

/**
 * permessage-deflate for one connection, implementing @rfc6455/protocol's `Extension` contract:
 * `encode` and `decode` return their result directly when the work ran synchronously and nothing
 * of the same direction was pending, and a Promise otherwise; results of one direction always
 * settle in call order (context takeover depends on it).
 *
 * The only zlib state that outlives a message is the compressor when our side keeps its context
 * (created on the first compressed message), and the peer's window bytes when the peer keeps its
 * context (created on the first compressed message it sends). `close()` releases both.
 */
export class PerMessageDeflate implements Extension {
  /** `permessage-deflate`. */
  readonly name = PERMESSAGE_DEFLATE;
  /** The reserved bits this extension owns: RSV1 (RFC 7692 §6). */
  readonly rsvBits = RSV1;
  /** The negotiated parameters. */
  readonly config: DeflateConfig;
  /** Messages shorter than this are sent uncompressed. */
  readonly compressionThreshold: number;

  readonly #limiter: ZlibLimiter;
  /** Our side without context takeover: each message is compressed on its own. */
  readonly #messageOptions: DeflateMessageOptions;
  /** Our side with context takeover: the options of the long-lived compressor. */
  readonly #streamOptions: zlib.ZlibOptions;
  readonly #inflateWindowBits: number;
  readonly #localTakeover: boolean;
  readonly #remoteWindow: SlidingWindow | undefined;
  #deflater: zlib.DeflateRaw | undefined;
  #deflateChunks: Buffer[] = [];
  #deflateReject: ((err: Error) => void) | undefined;
  #encodeTail: Promise<unknown> | undefined;
  #decodeTail: Promise<unknown> | undefined;
  #closed = false;

  /** @throws {RangeError} / {TypeError} for invalid options (caller misuse). */
  constructor(options: PerMessageDeflateOptions) {
    const { role, config } = options ?? ({} as PerMessageDeflateOptions);
    if (role !== 'client' && role !== 'server') {
      throw new TypeError(`PerMessageDeflate: role must be 'client' or 'server', got ${String(role)}.`);
    }
    if (config === null || typeof config !== 'object') {
      throw new TypeError('PerMessageDeflate: pass the negotiated config (from acceptDeflateOffer or acceptDeflateResponse).');
    }
    const serverBits = checkWindowBits(config.serverMaxWindowBits, 'serverMaxWindowBits');
    const clientBits = checkWindowBits(config.clientMaxWindowBits, 'clientMaxWindowBits');
    const threshold = options.compressionThreshold ?? DEFAULT_COMPRESSION_THRESHOLD;
    if (typeof threshold !== 'number' || Number.isNaN(threshold) || threshold < 0) {
      throw new RangeError(`PerMessageDeflate: compressionThreshold must be a number ≥ 0, got ${String(threshold)}.`);
    }
    this.config = { ...config };
    this.compressionThreshold = threshold;
    const level = checkInteger(options.level, -1, 9, -1, 'level');
    const memLevel = checkInteger(options.memLevel, 1, 9, 8, 'memLevel');
    this.#limiter = options.limiter ?? defaultZlibLimiter;
    const isServer = role === 'server';
    const windowBits = isServer ? serverBits : clientBits;
    this.#messageOptions = { windowBits, level, memLevel, limiter: this.#limiter };
    this.#streamOptions = deflateZlibOptions('PerMessageDeflate', windowBits, level, memLevel);
    this.#inflateWindowBits = isServer ? clientBits : serverBits;
    this.#localTakeover = !(isServer ? config.serverNoContextTakeover : config.clientNoContextTakeover);
    const remoteTakeover = !(isServer ? config.clientNoContextTakeover : config.serverNoContextTakeover);
    this.#remoteWindow = remoteTakeover ? new SlidingWindow(1 << this.#inflateWindowBits) : undefined;
  }

  /**
   * Compress one whole outgoing message. Below `compressionThreshold`, or with
   * `{ compress: false }`, the payload is returned as is with `rsv: 0`; otherwise it is compressed
   * with the 00 00 ff ff tail removed and `rsv: RSV1`.
   */
  encode(payload: Uint8Array, _isBinary?: boolean, options?: EncodeOptions): EncodedMessage | Promise<EncodedMessage> {
    if (this.#closed) throw new DeflateError(DeflateErrorCode.DeflateClosed, 'PerMessageDeflate.encode after close().');
    if (payload.length < this.compressionThreshold || options?.compress === false) {
      const plain = { data: payload, rsv: 0 };
      return this.#encodeTail === undefined ? plain : this.#enqueue(true, async () => plain);
    }
    let job: () => Promise<Uint8Array>;
    if (this.#localTakeover) {
      job = () => this.#limiter.run(() => this.#deflateStream(payload));
    } else if (this.#encodeTail === undefined) {
      const data = deflateMessage(payload, this.#messageOptions);
      if (data instanceof Uint8Array) return { data, rsv: RSV1 };
      job = () => data;
    } else {
      job = async () => deflateMessage(payload, this.#messageOptions);
    }
    const done = this.#enqueue(true, job);
    return done.then((data) => ({ data, rsv: RSV1 }));
  }

  /**
   * Decompress one whole incoming message from its frames' payloads. Without RSV1 in `rsv` the
   * payloads are only joined. Inflation stops as soon as the output passes `maxLength` bytes
   * (`WS_ERR_UNSUPPORTED_MESSAGE_LENGTH`, close 1009); invalid data gives `WS_ERR_INVALID_COMPRESSED_DATA`
   * (close 1007). Errors are thrown, or the Promise rejects, with those DeflateErrors.
   */
  decode(fragments: Uint8Array[], rsv: number, maxLength: number): Uint8Array | Promise<Uint8Array> {
    if (this.#closed) throw new DeflateError(DeflateErrorCode.DeflateClosed, 'PerMessageDeflate.decode after close().');
    if ((rsv & RSV1) === 0) {
      return this.#decodeTail === undefined ? concat(fragments) : this.#enqueue(false, async () => concat(fragments));
    }
    const limit = Number.isFinite(maxLength) && maxLength >= 0 ? Math.floor(maxLength) : BUFFER_MAX;
    // RFC 7692 §7.2.2: append the tail the sender removed, then inflate.
    const input = concat(fragments, TAIL);
    const sync = input.length <= SYNC_INFLATE_MAX_LENGTH;
    if (sync && this.#decodeTail === undefined) return this.#inflateSync(input, limit);
    const job = sync
      ? async () => this.#inflateSync(input, limit)
      : () => this.#limiter.run(() => this.#inflateOneShot(input, limit));
    return this.#enqueue(false, job);
  }

  /** Release the zlib stream and the window; pending work fails with `WS_ERR_DEFLATE_CLOSED`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#deflateReject?.(new DeflateError(DeflateErrorCode.DeflateClosed, 'PerMessageDeflate was closed during compression.'));
    this.#deflateReject = undefined;
    this.#deflater?.close();
    this.#deflater = undefined;
    this.#deflateChunks = [];
    this.#remoteWindow?.clear();
  }

  /** Run `job` after every earlier job of the same direction, so results settle in call order. */
  #enqueue<T>(encode: boolean, job: () => Promise<T>): Promise<T> {
    const previous = encode ? this.#encodeTail : this.#decodeTail;
    const closedCheck = (): Promise<T> =>
      this.#closed ? Promise.reject(new DeflateError(DeflateErrorCode.DeflateClosed, 'PerMessageDeflate was closed.')) : job();
    const promise = previous === undefined ? job() : previous.then(closedCheck, closedCheck);
    const clear = (): void => {
      if (encode) {
        if (this.#encodeTail === promise) this.#encodeTail = undefined;
      } else if (this.#decodeTail === promise) {
        this.#decodeTail = undefined;
      }
    };
    if (encode) this.#encodeTail = promise;
    else this.#decodeTail = promise;
    promise.then(clear, clear);
    return promise;
  }

  /** Context takeover: one long-lived compressor, flushed (not finished) after each message. */
  #deflateStream(payload: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new DeflateError(DeflateErrorCode.DeflateClosed, 'PerMessageDeflate was closed.'));
        return;
      }
      let deflater = this.#deflater;
      if (deflater === undefined) {
        deflater = zlib.createDeflateRaw(this.#streamOptions);
        deflater.on('data', (chunk: Buffer) => this.#deflateChunks.push(chunk));
        deflater.on('error', (err) => {
          // A compressor error leaves no usable context: drop it, fail the message (1011 upstream).
          this.#deflater = undefined;
          this.#deflateChunks = [];
          this.#deflateReject?.(err);
          this.#deflateReject = undefined;
        });
        this.#deflater = deflater;
      }
      this.#deflateReject = reject;
      deflater.write(payload);
      deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (this.#deflateReject !== reject) return;
        this.#deflateReject = undefined;
        const chunks = this.#deflateChunks;
        this.#deflateChunks = [];
        try {
          resolve(stripSyncFlushTail(concat(chunks)));
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  #inflateOptions(limit: number): zlib.ZlibOptions {
    const options: zlib.ZlibOptions = {
      windowBits: this.#inflateWindowBits,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      // Node stops inflating once the output passes this, so a bomb costs at most `limit` bytes.
      maxOutputLength: Math.max(1, limit),
    };
    const history = this.#remoteWindow?.bytes;
    // No copy: zlib takes the dictionary in at creation, and this direction runs one job at a time.
    if (history !== undefined && history.length > 0) options.dictionary = history;
    return options;
  }

  #inflated(output: Uint8Array, limit: number): Uint8Array {
    if (this.#closed) throw new DeflateError(DeflateErrorCode.DeflateClosed, 'PerMessageDeflate was closed during decompression.');
    // maxOutputLength is at least 1, so a limit of 0 is checked here.
    if (output.length > limit) {
      throw new DeflateError(DeflateErrorCode.UnsupportedMessageLength, `The decompressed message is larger than ${limit} bytes.`);
    }
    this.#remoteWindow?.push(output);
    return output;
  }

  #inflateSync(input: Uint8Array, limit: number): Uint8Array {
    let output: Uint8Array;
    try {
      output = zlib.inflateRawSync(input, this.#inflateOptions(limit));
    } catch (err) {
      throw inflateError(err, limit);
    }
    return this.#inflated(output, limit);
  }

  #inflateOneShot(input: Uint8Array, limit: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      zlib.inflateRaw(input, this.#inflateOptions(limit), (err, output) => {
        if (err) {
          reject(inflateError(err, limit));
          return;
        }
        try {
          resolve(this.#inflated(output, limit));
        } catch (error) {
          reject(error);
        }
      });
    });
  }
}
