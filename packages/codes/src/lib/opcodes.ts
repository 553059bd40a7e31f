/**
 * Frame opcodes of RFC 6455 §5.2 and the handshake GUID of §1.3.
 *
 * Values 0x3–0x7 are reserved for further non-control frames and 0xB–0xF for further control
 * frames; an endpoint that receives one must fail the connection (§5.2).
 */
export const Opcode = {
  /** A continuation frame of a fragmented message (§5.4). */
  Continuation: 0x0,
  /** A text frame: the message payload is UTF-8 (§5.6). */
  Text: 0x1,
  /** A binary frame: the payload is opaque bytes (§5.6). */
  Binary: 0x2,
  /** A close frame (§5.5.1). */
  Close: 0x8,
  /** A ping frame (§5.5.2). */
  Ping: 0x9,
  /** A pong frame (§5.5.3). */
  Pong: 0xa,
} as const;

/** One of the opcodes RFC 6455 defines. */
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** The seed's names for the opcodes, kept for readers coming from the Perl distribution. */
export const WS_OPCODE_CONTINUATION = Opcode.Continuation;
/** Text frame opcode (0x1). */
export const WS_OPCODE_TEXT = Opcode.Text;
/** Binary frame opcode (0x2). */
export const WS_OPCODE_BINARY = Opcode.Binary;
/** Close frame opcode (0x8). */
export const WS_OPCODE_CLOSE = Opcode.Close;
/** Ping frame opcode (0x9). */
export const WS_OPCODE_PING = Opcode.Ping;
/** Pong frame opcode (0xA). */
export const WS_OPCODE_PONG = Opcode.Pong;

/**
 * The GUID a server appends to `Sec-WebSocket-Key` before hashing it into
 * `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.2.2).
 */
export const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The only protocol version this toolkit speaks (RFC 6455 §4.1, `Sec-WebSocket-Version: 13`). */
export const PROTOCOL_VERSION = 13;

/** True for the opcodes RFC 6455 defines; false for the reserved ones and out-of-range values. */
export function isKnownOpcode(opcode: number): opcode is Opcode {
  return opcode === 0x0 || opcode === 0x1 || opcode === 0x2 || opcode === 0x8 || opcode === 0x9 || opcode === 0xa;
}

/** True when the opcode has its high bit set (0x8–0xF): close, ping, pong and the reserved control range (§5.5). */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** True for a data opcode (text or binary) that can start a message. */
export function isDataOpcode(opcode: number): boolean {
  return opcode === 0x1 || opcode === 0x2;
}
