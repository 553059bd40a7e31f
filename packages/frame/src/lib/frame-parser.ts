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
 * under permessage-deflate, UTF-8 of text) belong to the protocol layer.
 */
import type { Frame, FrameHeader, Role } from './frame.ts';
import { FrameError, FrameErrorCode } from './frame-error.ts';
import { allocateUninitialized } from './allocate.ts';
import { maskCopy, maskRange } from './mask.ts';

/** Options of {@link FrameParser}. */
export interface FrameParserOptions {
  /** Role of the endpoint that RECEIVES these frames: 'server' requires every frame masked, 'client' requires none masked. */
  role: Role;
  /** Largest payload of one frame; above it the parser fails with WS_ERR_UNSUPPORTED_MESSAGE_LENGTH (1009). Default 64 MiB. */
  maxPayloadLength?: number;
  /** RSV bits that negotiated extensions own (RSV1|RSV2|RSV3 mask). Default 0: any RSV bit fails with WS_ERR_UNEXPECTED_RSV_1 or WS_ERR_UNEXPECTED_RSV_2_3. */
  allowedRsvBits?: number;
  /**
   * Most pieces (socket chunks) one incomplete frame may be held in, ws's `maxBufferedChunks`: a
   * peer dribbling a large payload a few bytes per TCP segment would otherwise make the parser hold
   * one view object per segment. Default 262144 (ws's). Over it: WS_ERR_TOO_MANY_BUFFERED_PARTS (1008).
   */
  maxBufferedChunks?: number;
  /** Accept length fields that are not minimally encoded (RFC 6455 §5.2 says MUST be minimal). Default false → WS_ERR_INVALID_PAYLOAD_LENGTH (1002). */
  allowNonMinimalLength?: boolean;
  /** Called once per complete frame, in order. */
  onFrame: (frame: Frame) => void;
  /**
   * Optional: called as bytes of a frame's payload arrive while the frame is still incomplete
   * (only for frames that span chunks), with the newly arrived, already unmasked bytes and their
   * offset within the payload. Lets the protocol validate UTF-8 before the frame is whole (fail
   * fast). onFrame still delivers the whole payload later.
   */
  onPayloadChunk?: (header: FrameHeader, chunk: Uint8Array, offset: number) => void;
}

/** Default `maxPayloadLength`: 64 MiB, large enough for real messages, small enough to refuse a memory attack. */
export const DEFAULT_MAX_PAYLOAD_LENGTH = 64 * 1024 * 1024;

/** Default `maxBufferedChunks`: 262144, ws's. */
export const DEFAULT_MAX_BUFFERED_CHUNKS = 262_144;

/** 2^32, to assemble the 64-bit length form from two 32-bit halves. */
const TWO_POW_32 = 0x1_0000_0000;

function checkMaxPayloadLength(value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`maxPayloadLength must be a non-negative integer or Infinity, got ${String(value)}`);
  }
}

function checkMaxBufferedChunks(value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 1 || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`maxBufferedChunks must be a positive integer or Infinity, got ${String(value)}`);
  }
}

function checkAllowedRsvBits(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 7) {
    throw new RangeError(`allowedRsvBits must be an integer from 0 to 7 (RSV1 | RSV2 | RSV3), got ${String(value)}`);
  }
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
  #allowedRsvBits: number;
  #maxPayloadLength: number;
  readonly #maxBufferedChunks: number;

  #error: FrameError | undefined = undefined;
  #stopped = false;
  #inPush = false;

  // A header split across chunks is gathered here (at most 2 + 8 + 4 bytes).
  readonly #headerBytes = new Uint8Array(14);
  #headerHave = 0;

  // The current frame's header fields, valid from header parse to frame delivery.
  #fin = false;
  #rsv = 0;
  #opcode = 0;
  #masked = false;
  #payloadLength = 0;
  readonly #maskKey = new Uint8Array(4);

  // A frame whose payload spans chunks: the unmasked pieces received so far.
  #collecting = false;
  #pieces: Uint8Array[] = [];
  #received = 0;
  #header: FrameHeader | undefined = undefined;

  constructor(options: FrameParserOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('FrameParser needs an options object');
    if (options.role !== 'client' && options.role !== 'server') {
      throw new TypeError(`role must be 'client' or 'server', got ${String(options.role)}`);
    }
    if (typeof options.onFrame !== 'function') throw new TypeError('onFrame must be a function');
    if (options.onPayloadChunk !== undefined && typeof options.onPayloadChunk !== 'function') {
      throw new TypeError('onPayloadChunk must be a function when given');
    }
    const maxPayloadLength = options.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD_LENGTH;
    checkMaxPayloadLength(maxPayloadLength);
    const maxBufferedChunks = options.maxBufferedChunks ?? DEFAULT_MAX_BUFFERED_CHUNKS;
    checkMaxBufferedChunks(maxBufferedChunks);
    this.#maxBufferedChunks = maxBufferedChunks;
    const allowedRsvBits = options.allowedRsvBits ?? 0;
    checkAllowedRsvBits(allowedRsvBits);
    // RFC 6455 §5.1: a server MUST fail on an unmasked frame, a client on a masked one.
    this.#requireMask = options.role === 'server';
    this.#allowNonMinimalLength = options.allowNonMinimalLength === true;
    this.#onFrame = options.onFrame;
    this.#onPayloadChunk = options.onPayloadChunk;
    this.#maxPayloadLength = maxPayloadLength;
    this.#allowedRsvBits = allowedRsvBits;
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
    if (this.#collecting) {
      pos = this.#continuePayload(chunk);
      if (this.#collecting || this.#stopped) return;
    }
    while (pos < end) {
      if (this.#headerHave > 0 || end - pos < 2) {
        // Header bytes split across chunks: gather them, then resume from the gathered copy.
        pos = this.#gatherHeader(chunk, pos);
        if (this.#headerHave === 0 && !this.#stopped) pos = this.#startPayload(chunk, pos);
        if (this.#stopped || this.#collecting) return;
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
      if (this.#stopped || this.#collecting) return;
    }
  }

  /** Check what the first two bytes alone decide (RFC 6455 §5.2, §5.5, §5.1); fail and return false on a violation. */
  #checkFirstBytes(byte0: number, byte1: number): boolean {
    const opcode = byte0 & 0x0f;
    // RFC 6455 §5.2: 0x3–0x7 and 0xB–0xF are reserved; receiving one fails the connection.
    if ((opcode > 2 && opcode < 8) || opcode > 10) {
      return this.#fail(FrameErrorCode.InvalidOpcode, `Invalid opcode ${opcode} (reserved, RFC 6455 §5.2)`);
    }
    // RFC 6455 §5.2: a nonzero RSV bit no negotiated extension owns fails the connection.
    const unexpectedRsv = (byte0 >>> 4) & 0x7 & ~this.#allowedRsvBits;
    if (unexpectedRsv !== 0) {
      if (unexpectedRsv & 0x4) return this.#fail(FrameErrorCode.UnexpectedRsv1, 'RSV1 must be clear (no extension owns it)');
      if (unexpectedRsv & 0x2) return this.#fail(FrameErrorCode.UnexpectedRsv23, 'RSV2 must be clear (no extension owns it)');
      return this.#fail(FrameErrorCode.UnexpectedRsv23, 'RSV3 must be clear (no extension owns it)');
    }
    if (opcode >= 8) {
      // RFC 6455 §5.5: control frames are never fragmented and carry at most 125 bytes.
      if ((byte0 & 0x80) === 0) {
        return this.#fail(FrameErrorCode.ExpectedFin, `Control frame (opcode ${opcode}) without FIN (RFC 6455 §5.5)`);
      }
      if ((byte1 & 0x7f) > 125) {
        return this.#fail(
          FrameErrorCode.InvalidControlPayloadLength,
          `Control frame (opcode ${opcode}) payload over 125 bytes (RFC 6455 §5.5)`,
        );
      }
    }
    const masked = (byte1 & 0x80) !== 0;
    if (masked !== this.#requireMask) {
      // RFC 6455 §5.1: clients mask every frame, servers never do.
      return masked
        ? this.#fail(FrameErrorCode.UnexpectedMask, 'A client received a masked frame (RFC 6455 §5.1)')
        : this.#fail(FrameErrorCode.ExpectedMask, 'A server received an unmasked frame (RFC 6455 §5.1)');
    }
    return true;
  }

  /**
   * Read a whole header at bytes[at..at+headerLength) into the current-frame fields, checking the
   * extended length; fail and return false on a violation.
   */
  #readHeader(bytes: Uint8Array, at: number, headerLength: number): boolean {
    const byte0 = bytes[at]!;
    const byte1 = bytes[at + 1]!;
    const length7 = byte1 & 0x7f;
    let length = length7;
    if (length7 === 126) {
      length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
      if (length < 126 && !this.#allowNonMinimalLength) {
        return this.#fail(
          FrameErrorCode.InvalidPayloadLength,
          `Payload length ${length} sent in the 16-bit form; it must use the shortest form (RFC 6455 §5.2)`,
        );
      }
    } else if (length7 === 127) {
      const high = ((bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!) >>> 0;
      const low = ((bytes[at + 6]! << 24) | (bytes[at + 7]! << 16) | (bytes[at + 8]! << 8) | bytes[at + 9]!) >>> 0;
      // RFC 6455 §5.2: the most significant bit of the 64-bit length MUST be 0.
      if (high >= 0x8000_0000) {
        return this.#fail(
          FrameErrorCode.InvalidPayloadLength,
          'The 64-bit payload length has its most significant bit set (RFC 6455 §5.2)',
        );
      }
      if (high > 0x1f_ffff) {
        return this.#fail(FrameErrorCode.UnsupportedDataPayloadLength, 'Payload length over 2^53 - 1 bytes');
      }
      length = high * TWO_POW_32 + low;
      if (length < 65536 && !this.#allowNonMinimalLength) {
        return this.#fail(
          FrameErrorCode.InvalidPayloadLength,
          `Payload length ${length} sent in the 64-bit form; it must use the shortest form (RFC 6455 §5.2)`,
        );
      }
    }
    if (length > this.#maxPayloadLength) {
      return this.#fail(
        FrameErrorCode.UnsupportedMessageLength,
        `Payload length ${length} exceeds maxPayloadLength ${this.#maxPayloadLength}`,
      );
    }
    this.#fin = byte0 >= 0x80;
    this.#rsv = (byte0 >>> 4) & 0x7;
    this.#opcode = byte0 & 0x0f;
    this.#masked = byte1 >= 0x80;
    this.#payloadLength = length;
    if (this.#masked) {
      const key = at + headerLength - 4;
      const maskKey = this.#maskKey;
      maskKey[0] = bytes[key]!;
      maskKey[1] = bytes[key + 1]!;
      maskKey[2] = bytes[key + 2]!;
      maskKey[3] = bytes[key + 3]!;
    }
    return true;
  }

  /**
   * Copy header bytes from chunk[pos..) into the header buffer until the header is complete or the
   * chunk ends; check the first two bytes as soon as they are in (fail fast). When the header is
   * complete it is read and `#headerHave` drops back to 0. Returns the new position in chunk.
   */
  #gatherHeader(chunk: Uint8Array, pos: number): number {
    const buffer = this.#headerBytes;
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
      if (this.#masked && length > 0) maskRange(chunk, pos, pos + length, this.#maskKey, 0);
      this.#deliver(new Uint8Array(chunk.buffer, chunk.byteOffset + pos, length));
      return pos + length;
    }
    this.#collecting = true;
    this.#pieces = [];
    this.#received = 0;
    this.#header = {
      fin: this.#fin,
      rsv1: (this.#rsv & 0x4) !== 0,
      rsv2: (this.#rsv & 0x2) !== 0,
      rsv3: (this.#rsv & 0x1) !== 0,
      opcode: this.#opcode,
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
    for (const piece of this.#pieces) {
      if (unmaskNow) maskCopy(piece, payload, at, this.#maskKey, at & 3);
      else payload.set(piece, at);
      at += piece.length;
    }
    this.#collecting = false;
    this.#pieces = [];
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
    if (this.#pieces.length >= this.#maxBufferedChunks) {
      this.#fail(FrameErrorCode.TooManyBufferedParts, `A frame arrived in more than maxBufferedChunks (${this.#maxBufferedChunks}) pieces`);
      return;
    }
    const offset = this.#received;
    const piece = new Uint8Array(chunk.buffer, chunk.byteOffset + pos, count);
    this.#pieces.push(piece);
    this.#received = offset + count;
    if (this.#onPayloadChunk !== undefined) {
      // The key cycle continues where the previous piece stopped (RFC 6455 §5.3: byte i uses key[i mod 4]).
      if (this.#masked) maskRange(chunk, pos, pos + count, this.#maskKey, offset & 3);
      this.#onPayloadChunk(this.#header!, piece, offset);
    }
  }

  #deliver(payload: Uint8Array): void {
    const rsv = this.#rsv;
    this.#onFrame({
      fin: this.#fin,
      rsv1: (rsv & 0x4) !== 0,
      rsv2: (rsv & 0x2) !== 0,
      rsv3: (rsv & 0x1) !== 0,
      opcode: this.#opcode,
      masked: this.#masked,
      payloadLength: this.#payloadLength,
      payload,
    });
  }

  #fail(code: FrameErrorCode, message: string): false {
    this.#error = new FrameError(code, message);
    this.stop();
    return false;
  }

  #release(): void {
    this.#headerHave = 0;
    this.#collecting = false;
    this.#pieces = [];
    this.#received = 0;
    this.#header = undefined;
  }
}

/** Header length from the second header byte: 2, 4 or 10, plus 4 when the mask bit is set. */
function headerLengthOf(byte1: number): number {
  const length7 = byte1 & 0x7f;
  return (length7 < 126 ? 2 : length7 === 126 ? 4 : 10) + (byte1 >= 0x80 ? 4 : 0);
}
