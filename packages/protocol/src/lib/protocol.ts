/**
 * The sans-I/O WebSocket connection (RFC 6455 §5–§7): bytes from the peer in, events out; send
 * calls in, bytes to write out. No sockets, timers or promises of its own: the I/O layer feeds it
 * and owns every timeout. The model is Python websockets' `Protocol`, in a callback shape.
 *
 * Why callbacks rather than a pull API (`eventsReceived()` / `dataToSend()`): a callback hands each
 * event over as it is found, with no array per chunk, and it fits extension transforms that finish
 * later (permessage-deflate through zlib), whose results must reach the I/O layer without a poll.
 *
 * Split by concept: incoming data frames become messages in message-assembler.ts, decoded messages
 * and events reach the application in order through protocol-receive.ts, sends become frames in
 * order through protocol-send.ts, the order behind asynchronous transforms is kept by
 * ordered-queue.ts, options and the handler contract are in protocol-options.ts. What stays here is
 * the state every path reads — the connection state and the closing flag, which decide whether a
 * send is discarded — the control frames that change it, and the closing handshake (RFC 6455 §7),
 * which touches both directions.
 */
import { Opcode, WS_CLOSED_ABNORMALLY, WS_NO_STATUS, isValidCloseCode } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import { FrameError, FrameParser, encodeClosePayload, parseClosePayload } from '@rfc6455/frame';
import type { CloseInfo, Frame, FrameHeader, Role } from '@rfc6455/frame';
import { truncateCloseReason } from './close-reason.ts';
import type { Extension } from './extension.ts';
import { closeExtensions } from './extension.ts';
import { MessageAssembler } from './message-assembler.ts';
import type { AssemblerOutlets } from './message-assembler.ts';
import type { QueueOutlets } from './ordered-queue.ts';
import { resolveProtocolOptions } from './protocol-options.ts';
import type { ProtocolHandler, ProtocolOptions, ProtocolState, SendOptions } from './protocol-options.ts';
import { Receiver } from './protocol-receive.ts';
import { Sender } from './protocol-send.ts';
import { encodeUtf8 } from './runtime.ts';
import { invalidState, unexpectedRsv } from './violations.ts';

export { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_LENGTH } from './protocol-options.ts';
export type { ProtocolHandler, ProtocolOptions, ProtocolState, SendOptions } from './protocol-options.ts';
export { SINGLE_WRITE_MAX } from './frame-writer.ts';

/** What every connection's MessageAssembler calls; set by the static block of {@link Protocol}. */
let assemblerOutlets: AssemblerOutlets<Protocol>;
/** What every connection's Sender and Receiver call; set by the static block of {@link Protocol}. */
let queueOutlets: QueueOutlets<Protocol>;
/** Every connection's frame parser callbacks, called with the connection as `this` (the parser's `thisArg`). */
let onParsedFrame: (this: Protocol, frame: Frame) => void;
let onParsedChunk: (this: Protocol, header: FrameHeader, chunk: Uint8Array, offset: number) => void;

/** The extension pipeline of a connection without extensions, shared. */
const NO_EXTENSIONS: readonly Extension[] = Object.freeze([]);

/**
 * One WebSocket connection, either side, without I/O. Feed it the peer's bytes with `receiveData`
 * and the end of the stream with `receiveEof`; it calls the handler with events and with the bytes
 * to write. Send with `sendText`, `sendBinary`, `sendPing`, `sendPong`, `sendClose`, `fail`.
 *
 * Misuse: every send method throws a ProtocolError `WS_ERR_INVALID_STATE` while CONNECTING (the
 * handshake is the I/O layer's: finish it, then `open()`), and returns false — sending nothing —
 * once the closing handshake has begun or the connection is closed (as a browser silently discards
 * such sends; the I/O layer turns false into an error for its caller). Bad arguments throw
 * TypeError or RangeError at once. Peer misbehaviour never throws: it becomes onError, a close frame
 * and onClose. An exception thrown by a handler callback is the application's and propagates out
 * of the method that made the call; when it escapes from `receiveData` the parser has stopped, so
 * the I/O layer should end the connection (e.g. `fail(1011)`).
 */
export class Protocol {
  /** This endpoint's role. */
  readonly role: Role;

  static {
    // Defined inside the class body, these functions may use its private members; made once here,
    // they serve every connection's assembler with no closure per connection.
    assemblerOutlets = {
      deliver(protocol, data, isBinary) {
        // Now, or behind messages still being decoded (message order is kept, RFC 6455 §5.4).
        const receiver = protocol.#receiver;
        if (receiver === undefined) protocol.#handler.onMessage(data, isBinary);
        else receiver.deliver(data, isBinary);
      },
      decode(protocol, opcode, rsv, fragments) {
        (protocol.#receiver ??= protocol.#createReceiver()).decode(opcode, rsv, fragments);
      },
      fail(protocol, error) {
        protocol.#failWith(error);
      },
    };
    queueOutlets = {
      drained(protocol) {
        protocol.#maybeFinish();
      },
      fail(protocol, error, wireReason) {
        protocol.#failWith(error, wireReason);
      },
    };
    // The parser receives the PEER's frames. Data frames go straight to the assembler (no extra
    // call on the per-frame path); control frames stay here.
    onParsedFrame = function (frame) {
      if (frame.opcode >= 8) this.#onControlFrame(frame);
      else this.#assembler.onDataFrame(frame);
    };
    onParsedChunk = function (header, chunk, offset) {
      this.#assembler.onPayloadChunk(header, chunk, offset);
    };
  }

  readonly #handler: ProtocolHandler;
  readonly #parser: FrameParser;
  readonly #autoPong: boolean;
  readonly #checkUtf8: boolean;
  readonly #extensions: readonly Extension[];

  #state: ProtocolState;

  // Incoming data frames into messages: the per-frame path (message-assembler.ts).
  readonly #assembler: MessageAssembler<Protocol>;

  // Decoded messages and events to the application, in order (protocol-receive.ts).
  // Made by the first message an extension decodes: only a decode can make events wait, so until
  // then (and for good on a connection without extensions) events go straight to the handler.
  #receiver: Receiver<Protocol> | undefined = undefined;
  readonly #maxMessageLength: number;
  // Sends into frames written in order (protocol-send.ts).
  readonly #sender: Sender<Protocol>;

  // The closing handshake.
  #closing = false;
  #closeSent: CloseInfo | undefined = undefined;
  #closeReceived: CloseInfo | undefined = undefined;
  #eof = false;
  #failed = false;
  #closeCode: number | undefined = undefined;
  #closeReason: string | undefined = undefined;

  /**
   * A connection in `options.state` (OPEN by default).
   *
   * @throws {TypeError} for a missing or mistyped option, {RangeError} for a limit out of range.
   */
  constructor(options: ProtocolOptions) {
    const resolved = resolveProtocolOptions(options);
    const { role } = resolved;
    // A copy: the caller's array may change later; the pipeline may not.
    const extensions = resolved.extensions.length === 0 ? NO_EXTENSIONS : [...resolved.extensions];
    this.role = role;
    const handler = resolved.handler;
    this.#handler = handler;
    this.#state = resolved.state;
    this.#autoPong = resolved.autoPong;
    this.#checkUtf8 = !resolved.skipUtf8Validation;
    this.#extensions = extensions;
    const { maxMessageLength, randomMaskKey } = resolved;
    this.#maxMessageLength = maxMessageLength;
    this.#sender = new Sender(this, queueOutlets, { handler, isClient: role === 'client', extensions, randomMaskKey });
    this.#assembler = new MessageAssembler(this, assemblerOutlets, resolved.maxMessageLength, resolved.maxFragments, this.#checkUtf8);
    // The parser receives the PEER's frames: a server's parser expects masked frames. One pair of
    // callbacks serves every connection, with this one as `this` (no closures per connection).
    this.#parser = new FrameParser({
      role,
      maxPayloadLength: resolved.maxPayloadLength,
      maxBufferedChunks: resolved.maxBufferedChunks,
      allowedRsvBits: resolved.ownedRsv,
      onFrame: onParsedFrame,
      onPayloadChunk: onParsedChunk,
      thisArg: this,
    });
  }

  /** CONNECTING, OPEN, CLOSING (closing handshake begun) or CLOSED (onClose has fired). */
  get state(): ProtocolState {
    return this.#state;
  }

  /** The connection's close code once CLOSED: the peer's close code, 1005 if its close frame had none, 1006 if none arrived. */
  get closeCode(): number | undefined {
    return this.#closeCode;
  }

  /** The connection's close reason once CLOSED ('' when the peer gave none). */
  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /** The close frame we wrote (code 1005 when it had none), if any. */
  get closeSent(): CloseInfo | undefined {
    return this.#closeSent;
  }

  /** The close frame the peer sent (code 1005 when it had none), if one arrived. */
  get closeReceived(): CloseInfo | undefined {
    return this.#closeReceived;
  }

  /** CONNECTING → OPEN, once the I/O layer has completed the opening handshake. Throws WS_ERR_INVALID_STATE otherwise. */
  open(): void {
    if (this.#state !== 'CONNECTING') throw invalidState(`open() is only valid while CONNECTING, the state is ${this.#state}`);
    this.#state = 'OPEN';
  }

  /**
   * Bytes from the peer, in any chunking. Takes ownership of `data`: payloads are unmasked in place
   * and handed out as views into it, so do not reuse its memory afterwards. Never throws for bad
   * input; ignored once the peer's close frame arrived or the connection is CLOSED. Throws
   * TypeError for a non-Uint8Array, WS_ERR_INVALID_STATE while CONNECTING.
   */
  receiveData(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('receiveData needs a Uint8Array');
    if (this.#state === 'CONNECTING') throw invalidState('receiveData() before open(): finish the handshake first');
    if (this.#state === 'CLOSED') return;
    const error = this.#parser.push(data);
    if (error !== undefined && !this.#failed) this.#failWith(error);
  }

  /**
   * The peer ended the stream (TCP FIN). Without a completed closing handshake the connection ends
   * with 1006 and wasClean false (RFC 6455 §7.1.5); messages still being decoded are delivered
   * first. No close frame is written: the peer no longer reads.
   */
  receiveEof(): void {
    if (this.#state === 'CLOSED' || this.#eof) return;
    this.#eof = true;
    this.#parser.stop();
    this.#sender.drop();
    this.#maybeFinish();
  }

  /**
   * Send a text message, or a fragment of one with `{ fin: false }`. A string is encoded to UTF-8;
   * bytes must be UTF-8 already (TypeError otherwise, checked across fragments). Returns true when
   * written or queued, false when discarded because the closing handshake has begun.
   */
  sendText(data: string | Uint8Array, options?: SendOptions): boolean {
    // The common case (a whole string message, nothing queued): encode straight into the frame.
    if (typeof data === 'string' && options === undefined && this.#state === 'OPEN' && !this.#closing && this.#sender.writeTextNow(data)) {
      return true;
    }
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new TypeError('sendText needs a string or UTF-8 bytes (Uint8Array)');
    return this.#sender.send(Opcode.Text, typeof data === 'string' ? encodeUtf8(data) : data, options, typeof data !== 'string', this.#discards());
  }

  /**
   * Send a binary message, or a fragment of one with `{ fin: false }`. Returns true when written
   * or queued, false when discarded because the closing handshake has begun. The protocol may keep
   * `data` until it is written (and may hand it to onWrite itself): do not change it afterwards.
   */
  sendBinary(data: Uint8Array, options?: SendOptions): boolean {
    if (!(data instanceof Uint8Array)) throw new TypeError('sendBinary needs a Uint8Array');
    return this.#sender.send(Opcode.Binary, data, options, false, this.#discards());
  }

  /**
   * Advanced: write bytes that are already one or more complete frames for this end's role (e.g.
   * a broadcast frame encoded, and maybe compressed, once for many connections). They are written
   * in order with messages — behind any message still being encoded — and are not checked or
   * transformed. Do not call it while a fragmented message of your own is in progress (the frames
   * would land inside it). `options.onWritten` as in `sendText`. Returns false, writing nothing,
   * once the closing handshake has begun; throws WS_ERR_INVALID_STATE while CONNECTING.
   */
  sendRaw(frames: Uint8Array, options?: Pick<SendOptions, 'onWritten'>): boolean {
    if (!(frames instanceof Uint8Array)) throw new TypeError('sendRaw needs a Uint8Array of encoded frames');
    return this.#sender.sendRaw(frames, options, this.#discards());
  }

  /** Send a ping (payload ≤ 125 bytes, RangeError otherwise). False when discarded (closing or closed). */
  sendPing(payload?: Uint8Array | string): boolean {
    // Control frames may go between the frames of a message (§5.4): they skip the ordered queue.
    return this.#sender.sendControl(Opcode.Ping, payload, this.#discards());
  }

  /** Send an unsolicited pong, e.g. a heartbeat (payload ≤ 125 bytes). False when discarded (closing or closed). */
  sendPong(payload?: Uint8Array | string): boolean {
    return this.#sender.sendControl(Opcode.Pong, payload, this.#discards());
  }

  /**
   * Begin the closing handshake (RFC 6455 §7.1.2): write a close frame (after any message still
   * being encoded), fire onClosing, and wait for the peer's close frame. No code → an empty close
   * frame. RangeError for a code that may not be sent (not 1000–1003, 1007–1014, 3000–4999) or a
   * reason over 123 UTF-8 bytes; TypeError for a reason without a code. Returns false, doing
   * nothing, when the closing handshake has already begun or the connection is CLOSED.
   */
  sendClose(code?: number, reason?: string): boolean {
    if (this.#state === 'CONNECTING') throw invalidState('sendClose() while CONNECTING: abort the handshake in the I/O layer');
    if (reason !== undefined && typeof reason !== 'string') throw new TypeError('reason must be a string');
    const payload = encodeClosePayload(code, reason);
    if (this.#closing || this.#state === 'CLOSED') return false;
    const info: CloseInfo = { code: code ?? WS_NO_STATUS, reason: reason ?? '' };
    this.#closing = true;
    // The assembler keeps going: messages the peer sent before it saw our close still arrive
    // (RFC 6455 §1.4 discards only what follows the peer's close frame, which stops the parser).
    this.#state = 'CLOSING';
    this.#handler.onClosing(info.code, info.reason);
    this.#queueClose(payload, info);
    return true;
  }

  /**
   * Fail the connection now (RFC 6455 §7.1.7): write a close frame with `code` unless one was
   * already written, drop queued messages and messages still being decoded, stop reading, and fire
   * onClose (1006, or the peer's code if its close frame had arrived; wasClean false). No onError:
   * the caller chose this. RangeError for a code that may not be sent; a reason over 123 UTF-8 bytes
   * is cut on a character boundary (fail is often given an error message). While CONNECTING it closes
   * without writing anything; when CLOSED it does nothing.
   */
  fail(code: number, reason = ''): void {
    if (typeof reason !== 'string') throw new TypeError('reason must be a string');
    const cut = truncateCloseReason(reason);
    const payload = encodeClosePayload(code, cut);
    if (this.#state === 'CLOSED') return;
    this.#terminate(payload, { code, reason: cut });
  }

  /** Whether a send is discarded (the closing handshake has begun, or CLOSED); throws while CONNECTING. */
  #discards(): boolean {
    if (this.#state === 'CONNECTING') throw invalidState('send while CONNECTING: finish the handshake, then open()');
    return this.#closing || this.#state === 'CLOSED';
  }

  /** Our close frame, behind any message still being encoded (RFC 6455 §7.1.2). */
  #queueClose(payload: Uint8Array, info: CloseInfo): void {
    this.#sender.queueStep(() => {
      this.#closeSent = info;
      this.#sender.writeFrame(Opcode.Close, payload, true, 0);
      this.#maybeFinish();
    });
  }

  /** A ping, pong or close frame: they may arrive between a message's fragments (RFC 6455 §5.4). */
  #onControlFrame(frame: Frame): void {
    // RFC 6455 §5.2 / RFC 7692 §6: an extension's RSV bits belong to data messages, never control frames.
    if (frame.rsv1 || frame.rsv2 || frame.rsv3) {
      this.#failWith(unexpectedRsv(frame, 'a control frame'));
      return;
    }
    const opcode = frame.opcode;
    if (opcode === Opcode.Ping) this.#onPing(frame.payload);
    else if (opcode === Opcode.Pong) {
      if (this.#receiver === undefined) this.#handler.onPong(frame.payload);
      else this.#receiver.pong(frame.payload);
    }
    else this.#onCloseFrame(frame.payload);
  }

  #onPing(payload: Uint8Array): void {
    // RFC 6455 §5.5.2–§5.5.3: answer with a pong carrying the same payload, unless closing.
    if (this.#autoPong && !this.#closing) this.#sender.writeFrame(Opcode.Pong, payload, true, 0);
    if (this.#receiver === undefined) this.#handler.onPing(payload);
    else this.#receiver.ping(payload);
  }

  #onCloseFrame(payload: Uint8Array): void {
    const info = parseClosePayload(payload, this.#checkUtf8 ? undefined : { skipUtf8Validation: true });
    if (info instanceof FrameError) {
      this.#failWith(info);
      return;
    }
    // Nothing after the peer's close frame is processed (RFC 6455 §5.5.1); a partial message is dropped.
    this.#parser.stop();
    this.#closeReceived = info;
    this.#assembler.reset();
    if (!this.#closing) {
      this.#closing = true;
      this.#assembler.stop();
      this.#state = 'CLOSING';
      if (this.#receiver === undefined) this.#handler.onClosing(info.code, info.reason);
      else this.#receiver.emit(() => this.#handler.onClosing(info.code, info.reason));
      // RFC 6455 §5.5.1: echo the peer's status code; an empty close answers an empty close. The
      // reason goes back too, byte for byte, as ws, Chromium, Bun and Python websockets answer. A
      // copy: the payload is a view into the peer's chunk, and the echo may wait behind an encode.
      this.#queueClose(payload.slice(), info);
      return;
    }
    this.#maybeFinish();
  }

  /** Report a violation, then fail the connection with its close code (RFC 6455 §7.1.7). */
  #failWith(error: WebSocketError, wireReason?: string): void {
    if (this.#state === 'CLOSED') return;
    this.#failed = true;
    this.#parser.stop();
    this.#dropInbox();
    this.#handler.onError(error);
    // The handler may have called fail() itself.
    if ((this.#state as ProtocolState) === 'CLOSED') return;
    const code = error.closeCode !== undefined && isValidCloseCode(error.closeCode) ? error.closeCode : 1011;
    const reason = wireReason ?? truncateCloseReason(error.message);
    this.#terminate(encodeClosePayload(code, reason), { code, reason });
  }

  /** Write our close frame now unless one is written, drop both queues, and finish. */
  #terminate(payload: Uint8Array, info: CloseInfo): void {
    this.#failed = true;
    this.#parser.stop();
    this.#dropInbox();
    this.#sender.drop();
    if (this.#state !== 'CONNECTING' && this.#closeSent === undefined && !this.#eof) {
      this.#closeSent = info;
      this.#sender.writeFrame(Opcode.Close, payload, true, 0);
    }
    this.#finish();
  }

  #createReceiver(): Receiver<Protocol> {
    return new Receiver(this, queueOutlets, {
      handler: this.#handler,
      extensions: this.#extensions,
      maxMessageLength: this.#maxMessageLength,
      checkUtf8: this.#checkUtf8,
    });
  }

  #dropInbox(): void {
    this.#receiver?.drop();
    this.#assembler.reset();
  }

  /** Finish once the connection is over and both queues are empty. */
  #maybeFinish(): void {
    if (this.#state === 'CLOSED' || this.#receiver?.idle === false || this.#sender.queued.length > 0) return;
    if (this.#eof || (this.#closeSent !== undefined && this.#closeReceived !== undefined)) this.#finish();
  }

  #finish(): void {
    if (this.#state === 'CLOSED') return;
    this.#state = 'CLOSED';
    this.#parser.stop();
    const received = this.#closeReceived;
    const code = received?.code ?? WS_CLOSED_ABNORMALLY;
    const reason = received?.reason ?? '';
    this.#closeCode = code;
    this.#closeReason = reason;
    closeExtensions(this.#extensions);
    const wasClean = !this.#failed && this.#closeSent !== undefined && received !== undefined;
    this.#handler.onClose(code, reason, wasClean);
  }
}
