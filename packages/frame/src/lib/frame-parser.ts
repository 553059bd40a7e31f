/**
 * The incremental frame parser (RFC 6455 §5.2): bytes in, frames out, in any chunking.
 *
 * Ownership: `push(chunk)` takes the chunk. The parser unmasks payload bytes in place inside it,
 * hands out frames whose payload is a view into it, and keeps views of it while a frame that
 * spans chunks is incomplete. Do not reuse or overwrite a chunk's memory after pushing it (Node
 * socket chunks are fresh buffers, so passing them straight through is fine; a caller that reads
 * into one recycled buffer must push a copy).
 *
 * Copies: none when a frame lies wholly in one chunk. A frame that spans chunks is kept as views of
 * its pieces and copied once, when complete, into a buffer of its exact size, unmasked during that
 * copy (or piece by piece as it arrives when `onPayloadChunk` wants the bytes early). Pieces are
 * never re-concatenated on every push, and nothing is allocated up front for a length the peer
 * merely announces.
 *
 * Checks are frame-local only; message-level rules (continuation order, RSV1 on control frames
 * under permessage-deflate, UTF-8 of text) belong to the protocol layer. What a header's bytes
 * decide is in frame-header.ts, the options and their checks in parser-options.ts; this file holds
 * the part that is about chunks: gathering a split header, and a payload in one chunk or many.
 */
import type { Frame, FrameHeader } from './frame.ts';
import { FrameError, FrameErrorCode } from './frame-error.ts';
import { checkFirstBytes, headerLengthOf, readPayloadLength } from './frame-header.ts';
import { allocateUninitialized } from './allocate.ts';
import { maskCopy, maskRange } from './mask.ts';
import { checkAllowedRsvBits, checkMaxPayloadLength, resolveParserOptions } from './parser-options.ts';
import type { FrameParserOptions } from './parser-options.ts';

/**
 * The mask key of the frame being unmasked, as bytes for the masking functions. One array serves
 * every parser: the key is stored per parser as a 32-bit number and written here right before
 * each (synchronous) masking call, so an idle connection carries no key array of its own.
 */
const keyScratch = new Uint8Array(4);

function keyBytes(word: number): Uint8Array {
  keyScratch[0] = word >>> 24;
  keyScratch[1] = (word >>> 16) & 0xff;
  keyScratch[2] = (word >>> 8) & 0xff;
  keyScratch[3] = word & 0xff;
  return keyScratch;
}

/**
 * Incremental WebSocket frame parser. Feed it the bytes from the peer with `push()`; it calls
 * `onFrame` for each complete frame. Bad input never throws: the first violation stops the parser,
 * is stored in `error` and returned from `push()`, with the close code to fail the connection with.
 * Read the module notes above on chunk ownership: the parser unmasks chunks in place and frames
 * may be views into them.
 */
export class FrameParser {
  readonly #requireMask: boolean;
  readonly #allowNonMinimalLength: boolean;
  readonly #onFrame: (frame: Frame) => void;
  readonly #onPayloadChunk: ((header: FrameHeader, chunk: Uint8Array, offset: number) => void) | undefined;
  readonly #thisArg: unknown;
  #allowedRsvBits: number;
  #maxPayloadLength: number;
  readonly #maxBufferedChunks: number;

  #error: FrameError | undefined = undefined;
  #stopped = false;
  #inPush = false;

  // A header split across chunks is gathered here (at most 2 + 8 + 4 bytes); made on the first split.
  #headerBytes: Uint8Array | undefined = undefined;
  #headerHave = 0;

  // The current frame's header fields, valid from header parse to frame delivery.
  // Its first byte (FIN, RSV1–3, opcode: RFC 6455 §5.2), one field rather than three.
  #byte0 = 0;
  #masked = false;
  #payloadLength = 0;
  // The mask key's four bytes, big-endian in one number (see keyBytes).
  #maskKey = 0;

  // A frame whose payload spans chunks: the unmasked pieces received so far. An array exactly while
  // such a frame is being collected (the "collecting" state is `#pieces !== undefined`).
  #pieces: Uint8Array[] | undefined = undefined;
  #received = 0;
  #header: FrameHeader | undefined = undefined;

  /** A parser for the frames one endpoint receives. TypeError for a missing or mistyped option, RangeError for a limit out of range. */
  constructor(options: FrameParserOptions) {
    const resolved = resolveParserOptions(options);
    this.#requireMask = resolved.requireMask;
    this.#allowNonMinimalLength = resolved.allowNonMinimalLength;
    this.#onFrame = resolved.onFrame;
    this.#onPayloadChunk = resolved.onPayloadChunk;
    this.#thisArg = resolved.thisArg;
    this.#maxPayloadLength = resolved.maxPayloadLength;
    this.#maxBufferedChunks = resolved.maxBufferedChunks;
    this.#allowedRsvBits = resolved.allowedRsvBits;
  }

  /** RSV bits that negotiated extensions own (RSV1 | RSV2 | RSV3); set after extension negotiation. */
  get allowedRsvBits(): number {
    return this.#allowedRsvBits;
  }
  set allowedRsvBits(value: number) {
    checkAllowedRsvBits(value);
    this.#allowedRsvBits = value;
  }

  /** Largest payload of one frame; checked for each frame header that arrives after a change. */
  get maxPayloadLength(): number {
    return this.#maxPayloadLength;
  }
  set maxPayloadLength(value: number) {
    checkMaxPayloadLength(value);
    this.#maxPayloadLength = value;
  }

  /** The violation that stopped the parser, if any. */
  get error(): FrameError | undefined {
    return this.#error;
  }

  /** True after stop() or a violation: later pushes are ignored. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Bytes held while waiting for the rest of a frame (header bytes plus payload pieces). */
  get bufferedLength(): number {
    return this.#headerHave + this.#received;
  }

  /**
   * Stop processing now (e.g. from inside onFrame after a close frame): the rest of the current
   * chunk and all later chunks are ignored, and held bytes are released.
   */
  stop(): void {
    this.#stopped = true;
    this.#release();
  }

  /**
   * Parse as much of `chunk` as possible, calling onFrame for every frame it completes. Never throws
   * for bad input: on a violation it stops, remembers and returns the FrameError; returns undefined
   * when fine. After stop() or a failure further pushes are ignored (they return the stored error
   * or undefined). An exception thrown by a callback propagates and stops the parser. Throws
   * TypeError if `chunk` is not a Uint8Array, and Error if called from inside a callback.
   */
  push(chunk: Uint8Array): FrameError | undefined {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('chunk must be a Uint8Array');
    if (this.#stopped) return this.#error;
    if (this.#inPush) throw new Error('FrameParser.push() was called from inside onFrame/onPayloadChunk');
    this.#inPush = true;
    try {
      this.#parse(chunk);
    } catch (err) {
      this.stop();
      throw err;
    } finally {
      this.#inPush = false;
    }
    return this.#error;
  }

  #parse(chunk: Uint8Array): void {
    const end = chunk.length;
    let pos = 0;
    if (this.#pieces !== undefined) {
      pos = this.#continuePayload(chunk);
      if (this.#pieces !== undefined || this.#stopped) return;
    }
    while (pos < end) {
      if (this.#headerHave > 0 || end - pos < 2) {
        // Header bytes split across chunks: gather them, then resume from the gathered copy.
        pos = this.#gatherHeader(chunk, pos);
        if (this.#headerHave === 0 && !this.#stopped) pos = this.#startPayload(chunk, pos);
        if (this.#stopped || this.#pieces !== undefined) return;
        continue;
      }
      const byte1 = chunk[pos + 1]!;
      if (!this.#checkFirstBytes(chunk[pos]!, byte1)) return;
      const headerLength = headerLengthOf(byte1);
      if (end - pos < headerLength) {
        pos = this.#gatherHeader(chunk, pos);
        continue;
      }
      if (!this.#readHeader(chunk, pos, headerLength)) return;
      pos = this.#startPayload(chunk, pos + headerLength);
      if (this.#stopped || this.#pieces !== undefined) return;
    }
  }

  /** Check what the first two bytes alone decide (frame-header.ts); fail and return false on a violation. */
  #checkFirstBytes(byte0: number, byte1: number): boolean {
    const error = checkFirstBytes(byte0, byte1, this.#allowedRsvBits, this.#requireMask);
    return error === undefined || this.#failWith(error);
  }

  /**
   * Read a whole header at bytes[at..at+headerLength) into the current-frame fields, checking the
   * extended length; fail and return false on a violation.
   */
  #readHeader(bytes: Uint8Array, at: number, headerLength: number): boolean {
    const byte0 = bytes[at]!;
    const byte1 = bytes[at + 1]!;
    const length = readPayloadLength(bytes, at, this.#allowNonMinimalLength);
    if (typeof length !== 'number') return this.#failWith(length);
    if (length > this.#maxPayloadLength) {
      return this.#fail(
        FrameErrorCode.UnsupportedMessageLength,
        `Payload length ${length} exceeds maxPayloadLength ${this.#maxPayloadLength}`,
      );
    }
    this.#byte0 = byte0;
    this.#masked = byte1 >= 0x80;
    this.#payloadLength = length;
    if (this.#masked) {
      const key = at + headerLength - 4;
      this.#maskKey = ((bytes[key]! << 24) | (bytes[key + 1]! << 16) | (bytes[key + 2]! << 8) | bytes[key + 3]!) >>> 0;
    }
    return true;
  }

  /**
   * Copy header bytes from chunk[pos..) into the header buffer until the header is complete or the
   * chunk ends; check the first two bytes as soon as they are in (fail fast). When the header is
   * complete it is read and `#headerHave` drops back to 0. Returns the new position in chunk.
   */
  #gatherHeader(chunk: Uint8Array, pos: number): number {
    const buffer = (this.#headerBytes ??= new Uint8Array(14));
    const end = chunk.length;
    while (this.#headerHave < 2 && pos < end) buffer[this.#headerHave++] = chunk[pos++]!;
    if (this.#headerHave < 2) return pos;
    if (!this.#checkFirstBytes(buffer[0]!, buffer[1]!)) return end;
    const headerLength = headerLengthOf(buffer[1]!);
    while (this.#headerHave < headerLength && pos < end) buffer[this.#headerHave++] = chunk[pos++]!;
    if (this.#headerHave < headerLength) return pos;
    this.#headerHave = 0;
    if (!this.#readHeader(buffer, 0, headerLength)) return end;
    return pos;
  }

  /** Begin the current frame's payload at chunk[pos]: deliver it whole, or start collecting. Returns the new position. */
  #startPayload(chunk: Uint8Array, pos: number): number {
    const length = this.#payloadLength;
    const available = chunk.length - pos;
    if (available >= length) {
      // Fast path: the whole payload is here. Unmask in place and hand out a view, no copy.
      if (this.#masked && length > 0) maskRange(chunk, pos, pos + length, keyBytes(this.#maskKey), 0);
      this.#deliver(new Uint8Array(chunk.buffer, chunk.byteOffset + pos, length));
      return pos + length;
    }
    this.#pieces = [];
    this.#received = 0;
    const byte0 = this.#byte0;
    this.#header = {
      fin: byte0 >= 0x80,
      rsv1: (byte0 & 0x40) !== 0,
      rsv2: (byte0 & 0x20) !== 0,
      rsv3: (byte0 & 0x10) !== 0,
      opcode: byte0 & 0x0f,
      masked: this.#masked,
      payloadLength: length,
    };
    if (available > 0) this.#takePiece(chunk, pos, available);
    return chunk.length;
  }

  /** Continue a payload that spans chunks with the start of `chunk`. Returns the new position. */
  #continuePayload(chunk: Uint8Array): number {
    const take = Math.min(this.#payloadLength - this.#received, chunk.length);
    if (take > 0) this.#takePiece(chunk, 0, take);
    if (this.#stopped || this.#received < this.#payloadLength) return take;
    // Complete: one copy of every piece into a buffer of the exact payload size, unmasking on the
    // way when the pieces were left masked (no onPayloadChunk).
    const payload = allocateUninitialized(this.#payloadLength);
    const unmaskNow = this.#masked && this.#onPayloadChunk === undefined;
    let at = 0;
    for (const piece of this.#pieces!) {
      if (unmaskNow) maskCopy(piece, payload, at, keyBytes(this.#maskKey), at & 3);
      else payload.set(piece, at);
      at += piece.length;
    }
    this.#pieces = undefined;
    this.#received = 0;
    this.#header = undefined;
    this.#deliver(payload);
    return take;
  }

  /**
   * Keep a view of chunk[pos..pos+count). With onPayloadChunk the piece is unmasked in place now and
   * reported; without it, unmasking waits for the final copy, which then does both in one go.
   */
  #takePiece(chunk: Uint8Array, pos: number, count: number): void {
    const pieces = this.#pieces!;
    if (pieces.length >= this.#maxBufferedChunks) {
      this.#fail(FrameErrorCode.TooManyBufferedParts, `A frame arrived in more than maxBufferedChunks (${this.#maxBufferedChunks}) pieces`);
      return;
    }
    const offset = this.#received;
    const piece = new Uint8Array(chunk.buffer, chunk.byteOffset + pos, count);
    pieces.push(piece);
    this.#received = offset + count;
    if (this.#onPayloadChunk !== undefined) {
      // The key cycle continues where the previous piece stopped (RFC 6455 §5.3: byte i uses key[i mod 4]).
      if (this.#masked) maskRange(chunk, pos, pos + count, keyBytes(this.#maskKey), offset & 3);
      this.#onPayloadChunk.call(this.#thisArg, this.#header!, piece, offset);
    }
  }

  #deliver(payload: Uint8Array): void {
    const byte0 = this.#byte0;
    this.#onFrame.call(this.#thisArg, {
      fin: byte0 >= 0x80,
      rsv1: (byte0 & 0x40) !== 0,
      rsv2: (byte0 & 0x20) !== 0,
      rsv3: (byte0 & 0x10) !== 0,
      opcode: byte0 & 0x0f,
      masked: this.#masked,
      payloadLength: this.#payloadLength,
      payload,
    });
  }

  #fail(code: FrameErrorCode, message: string): false {
    return this.#failWith(new FrameError(code, message));
  }

  #failWith(error: FrameError): false {
    this.#error = error;
    this.stop();
    return false;
  }

  #release(): void {
    this.#headerHave = 0;
    this.#pieces = undefined;
    this.#received = 0;
    this.#header = undefined;
  }
}

