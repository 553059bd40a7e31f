/**
 * Incoming data frames into messages (RFC 6455 §5.4): the fragment list of the message in
 * progress, its size and fragment limits, and streaming UTF-8 validation of text (§5.6, §8.1),
 * which fails a bad message while its frames are still arriving. Control frames never come here:
 * they may arrive between fragments and are the state machine's.
 *
 * This is the per-frame hot path. The assembler is called straight from the frame parser's
 * callbacks and calls the state machine's outlets directly, so splitting it out of the state
 * machine added no call to a frame's path, and a single-frame message still allocates nothing here.
 */
import { Opcode } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import { Utf8Validator, isValidUtf8 } from '@rfc6455/frame';
import type { Frame, FrameHeader } from '@rfc6455/frame';
import { ProtocolError, ProtocolErrorCode } from './protocol-error.ts';
import { invalidUtf8, messageTooBig, unexpectedRsv } from './violations.ts';

function rsvOf(header: FrameHeader): number {
  return (header.rsv1 ? 4 : 0) | (header.rsv2 ? 2 : 0) | (header.rsv3 ? 1 : 0);
}

/**
 * Where a complete message goes: the state machine's functions, with the connection passed in.
 * One set serves every connection, so a connection pays for no closures here.
 */
export interface AssemblerOutlets<Owner> {
  /** A whole message without extension bits, ready for the application. */
  deliver(owner: Owner, data: Uint8Array, isBinary: boolean): void;
  /** A whole message with RSV bits set: the extensions decode it first. */
  decode(owner: Owner, opcode: number, rsv: number, fragments: Uint8Array[]): void;
  /** The peer broke the protocol: fail the connection with `error`'s close code. */
  fail(owner: Owner, error: WebSocketError): void;
}

/** Builds messages from one connection's incoming data frames. */
export class MessageAssembler<Owner> {
  readonly #maxMessageLength: number;
  readonly #maxFragments: number;
  // False under `skipUtf8Validation`: text is delivered unchecked (ws's option, for trusted peers).
  readonly #checkUtf8: boolean;
  readonly #owner: Owner;
  readonly #outlets: AssemblerOutlets<Owner>;
  // RFC 6455 §5.5.1: once the closing handshake begins, data frames are no longer processed.
  #stopped = false;

  // The incoming message in progress: its opcode (0 when none), RSV bits, size, frames.
  #receiving = 0;
  #messageRsv = 0;
  #messageLength = 0;
  #fragmentCount = 0;
  // The frames of a fragmented message, made by its first non-empty frame.
  #fragments: Uint8Array[] | undefined = undefined;
  #validating = false;
  // Bytes of the current incomplete frame already checked by onPayloadChunk (never checked twice).
  #validatedInFrame = 0;
  // Streaming UTF-8 state of a text message checked before it is whole, made on first use.
  #utf8: Utf8Validator | undefined = undefined;

  /**
   * An assembler for `owner`'s connection, enforcing `maxMessageLength` (bytes) and `maxFragments`
   * (frames per message); complete messages and violations go to `outlets`, with `owner`. With
   * `checkUtf8` false, text is not checked as UTF-8.
   */
  constructor(owner: Owner, outlets: AssemblerOutlets<Owner>, maxMessageLength: number, maxFragments: number, checkUtf8 = true) {
    this.#owner = owner;
    this.#outlets = outlets;
    this.#maxMessageLength = maxMessageLength;
    this.#maxFragments = maxFragments;
    this.#checkUtf8 = checkUtf8;
  }

  /** The closing handshake began: ignore data frames from now on (RFC 6455 §5.5.1). */
  stop(): void {
    this.#stopped = true;
  }

  /** Drop the message in progress (the peer's close frame arrived, or the connection failed). */
  reset(): void {
    this.#receiving = 0;
    this.#fragments = undefined;
  }

  /** The frame parser's `onPayloadChunk`: part of a frame that is still arriving. */
  onPayloadChunk(header: FrameHeader, chunk: Uint8Array, offset: number): void {
    // Fail fast on a frame that is still arriving: message size and UTF-8 (RFC 6455 §5.6, §8.1).
    if (this.#stopped) return;
    const opcode = header.opcode;
    let validating: boolean;
    let before: number;
    // Checks run in the same order as in onDataFrame, so that how the bytes were chunked never
    // changes which error is reported; the ones only onDataFrame makes are left to it.
    if (opcode === Opcode.Continuation) {
      if (this.#receiving === 0 || rsvOf(header) !== 0 || this.#fragmentCount >= this.#maxFragments) return;
      validating = this.#validating;
      before = this.#messageLength;
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (this.#receiving !== 0) return;
      validating = this.#checkUtf8 && opcode === Opcode.Text && rsvOf(header) === 0;
      before = 0;
    } else {
      return;
    }
    if (offset === 0 && before + header.payloadLength > this.#maxMessageLength) {
      this.#outlets.fail(this.#owner, messageTooBig(before + header.payloadLength, this.#maxMessageLength));
      return;
    }
    if (validating) {
      if (!(this.#utf8 ??= new Utf8Validator()).push(chunk)) {
        this.#outlets.fail(this.#owner, invalidUtf8());
        return;
      }
      this.#validatedInFrame = offset + chunk.length;
    }
  }

  /** A complete data frame (opcode 0–7; the parser has already refused reserved opcodes). */
  onDataFrame(frame: Frame): void {
    const opcode = frame.opcode;
    const validatedInFrame = this.#validatedInFrame;
    this.#validatedInFrame = 0;
    if (this.#stopped) return;
    const payload = frame.payload;
    if (opcode === Opcode.Continuation) {
      if (this.#receiving === 0) {
        this.#outlets.fail(this.#owner, 
          new ProtocolError(ProtocolErrorCode.InvalidOpcode, 'Continuation frame with no message in progress (RFC 6455 §5.4)'),
        );
        return;
      }
      if (frame.rsv1 || frame.rsv2 || frame.rsv3) {
        this.#outlets.fail(this.#owner, unexpectedRsv(frame, 'a continuation frame'));
        return;
      }
      if (++this.#fragmentCount > this.#maxFragments) {
        this.#outlets.fail(this.#owner, 
          new ProtocolError(
            ProtocolErrorCode.TooManyBufferedParts,
            `Message in more than maxFragments ${this.#maxFragments} frames`,
          ),
        );
        return;
      }
    } else {
      if (this.#receiving !== 0) {
        this.#outlets.fail(this.#owner, 
          new ProtocolError(
            ProtocolErrorCode.InvalidOpcode,
            'New data frame while a fragmented message is in progress (RFC 6455 §5.4)',
          ),
        );
        return;
      }
      const rsv = rsvOf(frame);
      if (frame.fin) {
        this.#onWholeMessage(opcode, rsv, payload, validatedInFrame);
        return;
      }
      this.#receiving = opcode;
      this.#messageRsv = rsv;
      this.#messageLength = 0;
      this.#fragmentCount = 1;
      this.#validating = this.#checkUtf8 && opcode === Opcode.Text && rsv === 0;
    }
    const length = this.#messageLength + payload.length;
    if (length > this.#maxMessageLength) {
      this.#outlets.fail(this.#owner, messageTooBig(length, this.#maxMessageLength));
      return;
    }
    this.#messageLength = length;
    if (this.#validating && !this.#pushUtf8(payload, validatedInFrame, frame.fin)) return;
    if (payload.length > 0) (this.#fragments ??= []).push(payload);
    if (!frame.fin) return;
    const fragments = this.#fragments ?? [];
    const messageOpcode = this.#receiving;
    const rsv = this.#messageRsv;
    this.#fragments = undefined;
    this.#receiving = 0;
    if (rsv !== 0) {
      this.#outlets.decode(this.#owner, messageOpcode, rsv, fragments);
      return;
    }
    // Concatenate once, at the end, with the total length known.
    let data: Uint8Array;
    if (fragments.length === 1) {
      data = fragments[0]!;
    } else {
      data = new Uint8Array(length);
      let at = 0;
      for (const fragment of fragments) {
        data.set(fragment, at);
        at += fragment.length;
      }
    }
    this.#outlets.deliver(this.#owner, data, messageOpcode === Opcode.Binary);
  }

  /** A single-frame message: the common case, kept free of the fragment bookkeeping. */
  #onWholeMessage(opcode: number, rsv: number, payload: Uint8Array, validatedInFrame: number): void {
    if (payload.length > this.#maxMessageLength) {
      this.#outlets.fail(this.#owner, messageTooBig(payload.length, this.#maxMessageLength));
      return;
    }
    if (rsv !== 0) {
      this.#outlets.decode(this.#owner, opcode, rsv, [payload]);
      return;
    }
    if (opcode === Opcode.Text && this.#checkUtf8) {
      if (validatedInFrame === 0) {
        if (!isValidUtf8(payload)) {
          this.#outlets.fail(this.#owner, invalidUtf8());
          return;
        }
      } else if (!this.#pushUtf8(payload, validatedInFrame, true)) {
        return;
      }
    }
    this.#outlets.deliver(this.#owner, payload, opcode === Opcode.Binary);
  }

  /** Validate the part of a text frame not yet checked; at the message's end, check it ends on a character. */
  #pushUtf8(payload: Uint8Array, validatedInFrame: number, fin: boolean): boolean {
    const utf8 = (this.#utf8 ??= new Utf8Validator());
    const rest = validatedInFrame === 0 ? payload : payload.subarray(validatedInFrame);
    if (!utf8.push(rest) || (fin && !utf8.end())) {
      this.#outlets.fail(this.#owner, invalidUtf8());
      return false;
    }
    if (fin) utf8.reset();
    return true;
  }
}
