/**
 * Reads back what an endpoint under test wrote, independently of @rfc6455/frame (a check must not be
 * built on the code it checks). It unmasks, keeps each frame's exact bytes, and names what RFC 6455
 * forbids a conforming sender to write, so a misbehaving peer shows up as a `violation`.
 */
import { RSV1 } from './encode-frame.ts';

/** A frame as read from the wire. */
export interface ReadFrame {
  fin: boolean;
  /** RSV1–RSV3 as a 3-bit number (RSV1 is 4). */
  rsv: number;
  opcode: number;
  masked: boolean;
  /** The payload, unmasked (a copy). */
  payload: Buffer;
  /** The frame's bytes exactly as they were on the wire. */
  raw: Buffer;
  /** What RFC 6455 forbids in this frame, when something is; the frame is still returned. */
  violation?: string;
}

/** What the reader expects of the sender. */
export interface FrameReaderOptions {
  /**
   * `true` when reading a client (its frames must be masked), `false` when reading a server (they
   * must not be), RFC 6455 §5.1; left out, masking is not judged.
   */
  expectMasked?: boolean;
  /** RSV1 may be set on the first frame of a data message (permessage-deflate was negotiated, RFC 7692 §6). */
  allowRsv1?: boolean;
}

const KNOWN_OPCODES = new Set([0x0, 0x1, 0x2, 0x8, 0x9, 0xa]);

/** An incremental reader: feed it chunks as they arrive, get the frames they complete. */
export class FrameReader {
  readonly #expectMasked: boolean | undefined;
  readonly #allowRsv1: boolean;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(options: FrameReaderOptions = {}) {
    this.#expectMasked = options.expectMasked;
    this.#allowRsv1 = options.allowRsv1 ?? false;
  }

  /** Bytes received and not yet part of a complete frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Feed bytes; returns the frames now complete, in order (a frame cut short waits for more). */
  push(chunk: Uint8Array): ReadFrame[] {
    if (chunk.length > 0) {
      this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#buffered += chunk.length;
    }
    const frames: ReadFrame[] = [];
    for (let frame = this.#next(); frame !== undefined; frame = this.#next()) frames.push(frame);
    return frames;
  }

  #next(): ReadFrame | undefined {
    if (this.#buffered < 2) return undefined;
    const head = this.#peek(Math.min(this.#buffered, 14));
    const b0 = head[0]!;
    const b1 = head[1]!;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    let offset = 2;
    // RFC 6455 §5.2: 126 → a 16-bit length follows, 127 → a 64-bit one.
    if (length === 126) {
      if (head.length < 4) return undefined;
      length = head.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (head.length < 10) return undefined;
      length = Number(head.readBigUInt64BE(2));
      offset = 10;
    }
    const keyAt = offset;
    if (masked) offset += 4;
    if (this.#buffered < offset + length) return undefined;
    const raw = Buffer.from(this.#take(offset + length));
    const payload = Buffer.from(raw.subarray(offset));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ raw[keyAt + (i & 3)]!;
    const frame: ReadFrame = { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload, raw };
    const violation = this.#judge(frame);
    if (violation !== undefined) frame.violation = violation;
    return frame;
  }

  #judge({ fin, rsv, opcode, masked, payload }: ReadFrame): string | undefined {
    if (this.#expectMasked !== undefined && masked !== this.#expectMasked) return masked ? 'masked frame from a server' : 'unmasked frame from a client';
    const allowed = this.#allowRsv1 && opcode !== 0 && opcode < 8 ? RSV1 : 0;
    if ((rsv & ~allowed) !== 0) return `reserved bits ${rsv} set`;
    if (!KNOWN_OPCODES.has(opcode)) return `reserved opcode ${opcode}`;
    // RFC 6455 §5.5: control frames are final and carry at most 125 bytes.
    if (opcode >= 8 && (!fin || payload.length > 125)) return 'fragmented or oversized control frame';
    return undefined;
  }

  #peek(n: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.alloc(n);
    let at = 0;
    for (const c of this.#chunks) {
      at += c.copy(out, at, 0, Math.min(c.length, n - at));
      if (at === n) break;
    }
    return out;
  }

  #take(n: number): Buffer {
    const joined = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const rest = joined.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return joined.subarray(0, n);
  }
}

/** The complete frames in `bytes` (a frame cut short at the end is left out). */
export function readFrames(bytes: Uint8Array, options: FrameReaderOptions = {}): ReadFrame[] {
  return new FrameReader(options).push(bytes);
}
