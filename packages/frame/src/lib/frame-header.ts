/**
 * Decoding a frame header (RFC 6455 §5.2): what its first two bytes alone decide — opcode, RSV
 * bits, the control-frame rules of §5.5, the masking direction of §5.1 — and the payload length in
 * its 7-bit, 16-bit or 64-bit form. Pure functions over bytes, so the incremental parser can apply
 * them to a header that lies in one chunk or to one it gathered across chunks alike.
 *
 * Each returns a {@link FrameError} instead of throwing: bad input from a peer is a value, which
 * the parser stores and returns with the close code to fail the connection with.
 */
import { FrameError, FrameErrorCode } from './frame-error.ts';

/** 2^32, to assemble the 64-bit length form from two 32-bit halves. */
const TWO_POW_32 = 0x1_0000_0000;

/** Header length from the second header byte: 2, 4 or 10, plus 4 when the mask bit is set. */
export function headerLengthOf(byte1: number): number {
  const length7 = byte1 & 0x7f;
  return (length7 < 126 ? 2 : length7 === 126 ? 4 : 10) + (byte1 >= 0x80 ? 4 : 0);
}

/**
 * Check what the first two bytes of a header decide, before the rest has arrived (fail fast):
 * a reserved opcode, an RSV bit outside `allowedRsvBits`, a fragmented or over-125-byte control
 * frame, a mask bit other than `requireMask`. Returns the violation, or undefined.
 */
export function checkFirstBytes(byte0: number, byte1: number, allowedRsvBits: number, requireMask: boolean): FrameError | undefined {
  const opcode = byte0 & 0x0f;
  // RFC 6455 §5.2: 0x3–0x7 and 0xB–0xF are reserved; receiving one fails the connection.
  if ((opcode > 2 && opcode < 8) || opcode > 10) {
    return new FrameError(FrameErrorCode.InvalidOpcode, `Invalid opcode ${opcode} (reserved, RFC 6455 §5.2)`);
  }
  // RFC 6455 §5.2: a nonzero RSV bit no negotiated extension owns fails the connection.
  const unexpectedRsv = (byte0 >>> 4) & 0x7 & ~allowedRsvBits;
  if (unexpectedRsv !== 0) {
    if (unexpectedRsv & 0x4) return new FrameError(FrameErrorCode.UnexpectedRsv1, 'RSV1 must be clear (no extension owns it)');
    if (unexpectedRsv & 0x2) return new FrameError(FrameErrorCode.UnexpectedRsv23, 'RSV2 must be clear (no extension owns it)');
    return new FrameError(FrameErrorCode.UnexpectedRsv23, 'RSV3 must be clear (no extension owns it)');
  }
  if (opcode >= 8) {
    // RFC 6455 §5.5: control frames are never fragmented and carry at most 125 bytes.
    if ((byte0 & 0x80) === 0) {
      return new FrameError(FrameErrorCode.ExpectedFin, `Control frame (opcode ${opcode}) without FIN (RFC 6455 §5.5)`);
    }
    if ((byte1 & 0x7f) > 125) {
      return new FrameError(
        FrameErrorCode.InvalidControlPayloadLength,
        `Control frame (opcode ${opcode}) payload over 125 bytes (RFC 6455 §5.5)`,
      );
    }
  }
  const masked = (byte1 & 0x80) !== 0;
  if (masked !== requireMask) {
    // RFC 6455 §5.1: clients mask every frame, servers never do.
    return masked
      ? new FrameError(FrameErrorCode.UnexpectedMask, 'A client received a masked frame (RFC 6455 §5.1)')
      : new FrameError(FrameErrorCode.ExpectedMask, 'A server received an unmasked frame (RFC 6455 §5.1)');
  }
  return undefined;
}

/**
 * The payload length of the header at `bytes[at..]`, whose extended length bytes (if any) have
 * arrived. RFC 6455 §5.2: the shortest form is required (unless `allowNonMinimalLength`), and the
 * top bit of the 64-bit form must be 0; lengths over 2^53 − 1 cannot be represented and fail too.
 */
export function readPayloadLength(bytes: Uint8Array, at: number, allowNonMinimalLength: boolean): number | FrameError {
  const length7 = bytes[at + 1]! & 0x7f;
  if (length7 < 126) return length7;
  if (length7 === 126) {
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 126 && !allowNonMinimalLength) {
      return new FrameError(
        FrameErrorCode.InvalidPayloadLength,
        `Payload length ${length} sent in the 16-bit form; it must use the shortest form (RFC 6455 §5.2)`,
      );
    }
    return length;
  }
  const high = ((bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!) >>> 0;
  const low = ((bytes[at + 6]! << 24) | (bytes[at + 7]! << 16) | (bytes[at + 8]! << 8) | bytes[at + 9]!) >>> 0;
  // RFC 6455 §5.2: the most significant bit of the 64-bit length MUST be 0.
  if (high >= 0x8000_0000) {
    return new FrameError(FrameErrorCode.InvalidPayloadLength, 'The 64-bit payload length has its most significant bit set (RFC 6455 §5.2)');
  }
  if (high > 0x1f_ffff) return new FrameError(FrameErrorCode.UnsupportedDataPayloadLength, 'Payload length over 2^53 - 1 bytes');
  const length = high * TWO_POW_32 + low;
  if (length < 65536 && !allowNonMinimalLength) {
    return new FrameError(
      FrameErrorCode.InvalidPayloadLength,
      `Payload length ${length} sent in the 64-bit form; it must use the shortest form (RFC 6455 §5.2)`,
    );
  }
  return length;
}
