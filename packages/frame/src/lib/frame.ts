/**
 * The shapes shared by the parser and the encoder: roles, frame headers, frames, RSV bit masks.
 */

/** Which side this endpoint is: a 'server' receives masked frames and sends unmasked ones; a 'client' the reverse. */
export type Role = 'client' | 'server';

/** The header fields of one frame, as on the wire (RFC 6455 §5.2). */
export interface FrameHeader {
  /** FIN: the last frame of a message. */
  fin: boolean;
  /** RSV1: owned by an extension (permessage-deflate marks compressed messages with it). */
  rsv1: boolean;
  /** RSV2: owned by an extension. */
  rsv2: boolean;
  /** RSV3: owned by an extension. */
  rsv3: boolean;
  /** The opcode, 0–15 as on the wire (see `Opcode` in @rfc6455/codes). */
  opcode: number;
  /** Whether the frame was masked on the wire. */
  masked: boolean;
  /** Payload length in bytes (a safe integer). */
  payloadLength: number;
}

/** A complete frame. */
export interface Frame extends FrameHeader {
  /**
   * The payload, already unmasked; a plain Uint8Array. When the whole frame arrived in one chunk it
   * is a view into that chunk (no copy); when it spanned chunks it is a new buffer of exactly
   * `payloadLength` bytes.
   */
  payload: Uint8Array;
}

/** RSV1 in `allowedRsvBits` (same position as in the first header byte >> 4). */
export const RSV1 = 0x4;
/** RSV2 in `allowedRsvBits`. */
export const RSV2 = 0x2;
/** RSV3 in `allowedRsvBits`. */
export const RSV3 = 0x1;
