/**
 * The sans-I/O WebSocket connection (RFC 6455 §5–§7): bytes from the peer in, events out; send
 * calls in, bytes to write out. No sockets, timers or promises of its own: the I/O layer feeds it
 * and owns every timeout. The model is Python websockets' `Protocol`, in a callback shape.
 *
 * Why callbacks rather than a pull API (`eventsReceived()` / `dataToSend()`): a callback hands each
 * event over as it is found, with no array per chunk, and it fits extension transforms that finish
 * later (permessage-deflate through zlib), whose results must reach the I/O layer without a poll.
 *
 * Split by concept: incoming data frames become messages in message-assembler.ts, the order behind
 * asynchronous transforms is kept by ordered-queue.ts, options and the handler contract are in
 * protocol-options.ts. What stays here is the state that every path reads: the connection state and
 * closing flag, the send path (sendText's fast path checks state, closing, the fragment in progress,
 * the encoders and the outbox in one place, with no call in between) and the close handshake
 * (RFC 6455 §7), which touches all of them.
 */
import { Opcode, WS_CLOSED_ABNORMALLY, WS_NO_STATUS, isValidCloseCode } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import { FrameError, FrameParser, Utf8Validator, encodeClosePayload, generateMaskKey, isValidUtf8, parseClosePayload } from '@rfc6455/frame';
import type { CloseInfo, Frame, Role } from '@rfc6455/frame';
import { WITHHELD_REASON, truncateCloseReason } from './close-reason.ts';
import type { EncodedMessage, Extension } from './extension.ts';
import { decodeMessage, encodeMessage, extensionError, isThenable } from './extension.ts';
import { SINGLE_WRITE_MAX, encodeDataFrame, encodeHeader, encodeTextFrame } from './frame-writer.ts';
import { MessageAssembler } from './message-assembler.ts';
import type { AssemblerOutlets } from './message-assembler.ts';
import { OrderedQueue } from './ordered-queue.ts';
import type { QueueItem } from './ordered-queue.ts';
import { resolveProtocolOptions } from './protocol-options.ts';
import type { ProtocolHandler, ProtocolOptions, ProtocolState, SendOptions } from './protocol-options.ts';
import { ProtocolErrorCode } from './protocol-error.ts';
import { encodeUtf8 } from './runtime.ts';
import { checkDecodedMessage, invalidState, unexpectedRsv } from './violations.ts';

export { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_LENGTH } from './protocol-options.ts';
export type { ProtocolHandler, ProtocolOptions, ProtocolState, SendOptions } from './protocol-options.ts';
export { SINGLE_WRITE_MAX } from './frame-writer.ts';

/** What every connection's MessageAssembler calls; set by the static block of {@link Protocol}. */
let assemblerOutlets: AssemblerOutlets<Protocol>;

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
        if (protocol.#inbox.length === 0) protocol.#handler.onMessage(data, isBinary);
        else protocol.#inbox.push({ pending: false, run: () => protocol.#handler.onMessage(data, isBinary) });
      },
      decode(protocol, opcode, rsv, fragments) {
        protocol.#decode(opcode, rsv, fragments);
      },
      fail(protocol, error) {
        protocol.#failWith(error);
      },
    };
  }

  readonly #handler: ProtocolHandler;
  readonly #parser: FrameParser;
  readonly #isClient: boolean;
  readonly #maxMessageLength: number;
  readonly #autoPong: boolean;
  readonly #checkUtf8: boolean;
  readonly #extensions: readonly Extension[];
  readonly #encoders: readonly Extension[];
  readonly #extensionNames: string;
  readonly #randomMaskKey: () => Uint8Array;

  #state: ProtocolState;

  // Incoming data frames into messages: the per-frame path (message-assembler.ts).
  readonly #assembler: MessageAssembler<Protocol>;

  // The outgoing manually fragmented message: its opcode, 0 when none.
  #sending = 0;
  readonly #sendUtf8 = new Utf8Validator();

  // The closing handshake.
  #closing = false;
  #closeSent: CloseInfo | undefined = undefined;
  #closeReceived: CloseInfo | undefined = undefined;
  #eof = false;
  #failed = false;
  #closeCode: number | undefined = undefined;
  #closeReason: string | undefined = undefined;

  // Ordered queues, used only while an asynchronous transform is pending (ordered-queue.ts). Their
  // arrays are kept here too: the per-message "anything queued?" check reads them directly.
  readonly #inQueue = new OrderedQueue();
  readonly #outQueue = new OrderedQueue();
  readonly #inbox: QueueItem[] = this.#inQueue.items;
  readonly #outbox: QueueItem[] = this.#outQueue.items;

  /**
   * A connection in `options.state` (OPEN by default).
   *
   * @throws {TypeError} for a missing or mistyped option, {RangeError} for a limit out of range.
   */
  constructor(options: ProtocolOptions) {
    const resolved = resolveProtocolOptions(options);
    const { role, extensions } = resolved;
    this.role = role;
    this.#handler = resolved.handler;
    this.#isClient = role === 'client';
    this.#state = resolved.state;
    this.#maxMessageLength = resolved.maxMessageLength;
    this.#autoPong = resolved.autoPong;
    this.#checkUtf8 = !resolved.skipUtf8Validation;
    this.#extensions = [...extensions];
    this.#encoders = extensions.filter((extension) => extension.encode !== undefined);
    this.#extensionNames = extensions.map((extension) => extension.name).join(', ');
    this.#randomMaskKey = resolved.randomMaskKey ?? (() => generateMaskKey());
    const assembler = new MessageAssembler(this, assemblerOutlets, resolved.maxMessageLength, resolved.maxFragments, this.#checkUtf8);
    this.#assembler = assembler;
    // The parser receives the PEER's frames: a server's parser expects masked frames. Data frames
    // go straight to the assembler (no extra call on the per-frame path); control frames stay here.
    this.#parser = new FrameParser({
      role,
      maxPayloadLength: resolved.maxPayloadLength,
      maxBufferedChunks: resolved.maxBufferedChunks,
      allowedRsvBits: resolved.ownedRsv,
      onFrame: (frame) => {
        if (frame.opcode >= 8) this.#onControlFrame(frame);
        else assembler.onDataFrame(frame);
      },
      onPayloadChunk: (header, chunk, offset) => assembler.onPayloadChunk(header, chunk, offset),
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
    this.#dropOutbox();
    this.#maybeFinish();
  }

  /**
   * Send a text message, or a fragment of one with `{ fin: false }`. A string is encoded to UTF-8;
   * bytes must be UTF-8 already (TypeError otherwise, checked across fragments). Returns true when
   * written or queued, false when discarded because the closing handshake has begun.
   */
  sendText(data: string | Uint8Array, options?: SendOptions): boolean {
    if (
      typeof data === 'string' &&
      options === undefined &&
      this.#state === 'OPEN' &&
      !this.#closing &&
      this.#sending === 0 &&
      this.#encoders.length === 0 &&
      this.#outbox.length === 0
    ) {
      // The common case (a whole string message, nothing queued): encode straight into the frame.
      const frame = encodeTextFrame(data, this.#isClient ? this.#randomMaskKey() : undefined);
      if (frame !== undefined) {
        this.#handler.onWrite(frame);
        return true;
      }
    }
    let bytes: Uint8Array;
    if (typeof data === 'string') bytes = encodeUtf8(data);
    else if (data instanceof Uint8Array) bytes = data;
    else throw new TypeError('sendText needs a string or UTF-8 bytes (Uint8Array)');
    return this.#send(Opcode.Text, bytes, options, typeof data !== 'string');
  }

  /**
   * Send a binary message, or a fragment of one with `{ fin: false }`. Returns true when written
   * or queued, false when discarded because the closing handshake has begun. The protocol may keep
   * `data` until it is written (and may hand it to onWrite itself): do not change it afterwards.
   */
  sendBinary(data: Uint8Array, options?: SendOptions): boolean {
    if (!(data instanceof Uint8Array)) throw new TypeError('sendBinary needs a Uint8Array');
    return this.#send(Opcode.Binary, data, options, false);
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
    if (this.#state === 'CONNECTING') throw invalidState('send while CONNECTING: finish the handshake, then open()');
    const onWritten = options?.onWritten;
    if (onWritten !== undefined && typeof onWritten !== 'function') throw new TypeError('options.onWritten must be a function');
    if (this.#closing || this.#state === 'CLOSED') return false;
    if (this.#outbox.length === 0) {
      this.#handler.onWrite(frames);
      onWritten?.(true);
    } else {
      this.#outbox.push({
        pending: false,
        run: () => {
          this.#handler.onWrite(frames);
          onWritten?.(true);
        },
        onWritten,
      });
    }
    return true;
  }

  /** Send a ping (payload ≤ 125 bytes, RangeError otherwise). False when discarded (closing or closed). */
  sendPing(payload?: Uint8Array | string): boolean {
    return this.#sendControl(Opcode.Ping, payload);
  }

  /** Send an unsolicited pong, e.g. a heartbeat (payload ≤ 125 bytes). False when discarded (closing or closed). */
  sendPong(payload?: Uint8Array | string): boolean {
    return this.#sendControl(Opcode.Pong, payload);
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

  #send(opcode: number, data: Uint8Array, options: SendOptions | undefined, checkUtf8: boolean): boolean {
    if (this.#state === 'CONNECTING') throw invalidState('send while CONNECTING: finish the handshake, then open()');
    const fin = options?.fin ?? true;
    if (typeof fin !== 'boolean') throw new TypeError('options.fin must be a boolean');
    const compress = options?.compress;
    if (compress !== undefined && typeof compress !== 'boolean') throw new TypeError('options.compress must be a boolean');
    const onWritten = options?.onWritten;
    if (onWritten !== undefined && typeof onWritten !== 'function') throw new TypeError('options.onWritten must be a function');
    if (this.#sending !== 0 || !fin) {
      if (this.#sending !== 0 && this.#sending !== opcode) {
        throw new TypeError(
          `a fragmented ${this.#sending === Opcode.Text ? 'text' : 'binary'} message is in progress: ` +
            `finish it with the same method and { fin: true } first`,
        );
      }
      if (opcode === Opcode.Text) {
        // Across fragments a string's bytes can still complete or break a sequence left open by bytes.
        if (!this.#sendUtf8.push(data) || (fin && !this.#sendUtf8.end())) {
          this.#sendUtf8.reset();
          throw new TypeError('text fragments must be UTF-8: this fragment makes the message invalid');
        }
        if (fin) this.#sendUtf8.reset();
      }
      if (this.#closing || this.#state === 'CLOSED') return false;
      const frameOpcode = this.#sending === 0 ? opcode : Opcode.Continuation;
      this.#sending = fin ? 0 : opcode;
      // Manual fragments go out as they are: extensions transform whole messages only.
      this.#queueFrame(frameOpcode, data, fin, 0, onWritten);
      return true;
    }
    if (checkUtf8 && !isValidUtf8(data)) throw new TypeError('sendText bytes must be UTF-8 (RFC 6455 §5.6)');
    if (this.#closing || this.#state === 'CLOSED') return false;
    if (this.#encoders.length === 0) {
      this.#queueFrame(opcode, data, true, 0, onWritten);
      return true;
    }
    let encoded: EncodedMessage | Promise<EncodedMessage>;
    try {
      encoded = encodeMessage(
        this.#encoders,
        data,
        opcode === Opcode.Binary,
        compress === undefined ? undefined : { compress },
      );
    } catch (err) {
      this.#failWith(extensionError(err, 'encode', this.#extensionNames), WITHHELD_REASON);
      return false;
    }
    if (!isThenable<EncodedMessage>(encoded)) {
      this.#queueFrame(opcode, encoded.data, true, encoded.rsv, onWritten);
      return true;
    }
    const item: QueueItem = { pending: true, run: undefined, onWritten };
    this.#outbox.push(item);
    const epoch = this.#outQueue.epoch;
    encoded.then(
      (result) => {
        if (epoch !== this.#outQueue.epoch) return;
        item.run = () => {
          this.#writeFrame(opcode, result.data, true, result.rsv);
          item.onWritten?.(true);
        };
        item.pending = false;
        this.#drainOutbox();
      },
      (err: unknown) => {
        if (epoch !== this.#outQueue.epoch) return;
        item.run = () => {
          item.onWritten?.(false);
          this.#failWith(extensionError(err, 'encode', this.#extensionNames), WITHHELD_REASON);
        };
        item.pending = false;
        this.#drainOutbox();
      },
    );
    return true;
  }

  #sendControl(opcode: number, payload: Uint8Array | string | undefined): boolean {
    if (this.#state === 'CONNECTING') throw invalidState('send while CONNECTING: finish the handshake, then open()');
    let bytes: Uint8Array;
    if (payload === undefined) bytes = new Uint8Array(0);
    else if (typeof payload === 'string') bytes = encodeUtf8(payload);
    else if (payload instanceof Uint8Array) bytes = payload;
    else throw new TypeError('a ping or pong payload must be a Uint8Array or a string');
    // RFC 6455 §5.5: control frames carry at most 125 bytes.
    if (bytes.length > 125) throw new RangeError(`a ping or pong payload is at most 125 bytes, got ${bytes.length}`);
    if (this.#closing || this.#state === 'CLOSED') return false;
    // Control frames may go between the frames of a message (§5.4): they skip the ordered queue.
    this.#writeFrame(opcode, bytes, true, 0);
    return true;
  }

  /** Write a data frame now, or behind messages still being encoded; then tell `onWritten`. */
  #queueFrame(
    opcode: number,
    data: Uint8Array,
    fin: boolean,
    rsv: number,
    onWritten: ((written: boolean) => void) | undefined,
  ): void {
    if (this.#outbox.length === 0) {
      this.#writeFrame(opcode, data, fin, rsv);
      onWritten?.(true);
    } else {
      this.#outbox.push({
        pending: false,
        run: () => {
          this.#writeFrame(opcode, data, fin, rsv);
          onWritten?.(true);
        },
        onWritten,
      });
    }
  }

  #queueClose(payload: Uint8Array, info: CloseInfo): void {
    if (this.#outbox.length === 0) this.#writeClose(payload, info);
    else this.#outbox.push({ pending: false, run: () => this.#writeClose(payload, info) });
  }

  #writeClose(payload: Uint8Array, info: CloseInfo): void {
    this.#closeSent = info;
    this.#writeFrame(Opcode.Close, payload, true, 0);
    this.#maybeFinish();
  }

  /** Frame `payload` and hand it to onWrite: one buffer, or header and payload as two writes (see SINGLE_WRITE_MAX). */
  #writeFrame(opcode: number, payload: Uint8Array, fin: boolean, rsv: number): void {
    if (this.#isClient) {
      // RFC 6455 §5.3: a fresh, unpredictable key for every frame a client sends.
      this.#handler.onWrite(encodeDataFrame(opcode, payload, fin, rsv, this.#randomMaskKey()));
    } else if (payload.length <= SINGLE_WRITE_MAX) {
      this.#handler.onWrite(encodeDataFrame(opcode, payload, fin, rsv, undefined));
    } else {
      this.#handler.onWrite(encodeHeader(opcode, payload.length, fin, rsv));
      this.#handler.onWrite(payload);
    }
  }

  #drainOutbox(): void {
    if (this.#outQueue.runReady()) this.#maybeFinish();
  }

  #dropOutbox(): void {
    const dropped = this.#outQueue.drop();
    // Sends that were accepted but will never be written: their hooks learn it (nothing is lost silently).
    for (const item of dropped) item.onWritten?.(false);
  }

  /** Deliver now, or behind messages still being decoded (message order is kept, RFC 6455 §5.4). */
  #emit(run: () => void): void {
    if (this.#inbox.length === 0) run();
    else this.#inbox.push({ pending: false, run });
  }

  #drainInbox(): void {
    if (this.#inQueue.runReady()) this.#maybeFinish();
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
    else if (opcode === Opcode.Pong) this.#onPong(frame.payload);
    else this.#onCloseFrame(frame.payload);
  }

  #decode(opcode: number, rsv: number, fragments: Uint8Array[]): void {
    const max = this.#maxMessageLength;
    let decoded: Uint8Array | Promise<Uint8Array>;
    try {
      decoded = decodeMessage(this.#extensions, fragments, rsv, max);
    } catch (err) {
      this.#failExtension(err);
      return;
    }
    if (!isThenable<Uint8Array>(decoded)) {
      const error = checkDecodedMessage(opcode, decoded, max, this.#checkUtf8);
      if (error === undefined) assemblerOutlets.deliver(this, decoded, opcode === Opcode.Binary);
      else this.#failWith(error);
      return;
    }
    const item: QueueItem = { pending: true, run: undefined };
    this.#inbox.push(item);
    const epoch = this.#inQueue.epoch;
    decoded.then(
      (data) => {
        if (epoch !== this.#inQueue.epoch) return;
        const error = checkDecodedMessage(opcode, data, max, this.#checkUtf8);
        item.run =
          error === undefined ? () => this.#handler.onMessage(data, opcode === Opcode.Binary) : () => this.#failWith(error);
        item.pending = false;
        this.#drainInbox();
      },
      (err: unknown) => {
        if (epoch !== this.#inQueue.epoch) return;
        item.run = () => this.#failExtension(err);
        item.pending = false;
        this.#drainInbox();
      },
    );
  }

  #failExtension(err: unknown): void {
    const error = extensionError(err, 'decode', this.#extensionNames);
    // Whatever an extension said stays off the wire: a generic reason for 1011, the stable code otherwise.
    this.#failWith(error, error.code === ProtocolErrorCode.ExtensionFailed ? WITHHELD_REASON : error.code);
  }

  #onPing(payload: Uint8Array): void {
    // RFC 6455 §5.5.2–§5.5.3: answer with a pong carrying the same payload, unless closing.
    if (this.#autoPong && !this.#closing) this.#writeFrame(Opcode.Pong, payload, true, 0);
    if (this.#inbox.length === 0) this.#handler.onPing(payload);
    else this.#emit(() => this.#handler.onPing(payload));
  }

  #onPong(payload: Uint8Array): void {
    if (this.#inbox.length === 0) this.#handler.onPong(payload);
    else this.#emit(() => this.#handler.onPong(payload));
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
      this.#emit(() => this.#handler.onClosing(info.code, info.reason));
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
    this.#dropOutbox();
    if (this.#state !== 'CONNECTING' && this.#closeSent === undefined && !this.#eof) {
      this.#closeSent = info;
      this.#writeFrame(Opcode.Close, payload, true, 0);
    }
    this.#finish();
  }

  #dropInbox(): void {
    this.#inQueue.drop();
    this.#assembler.reset();
  }

  /** Finish once the connection is over and both queues are empty. */
  #maybeFinish(): void {
    if (this.#state === 'CLOSED' || this.#inbox.length > 0 || this.#outbox.length > 0) return;
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
    for (const extension of this.#extensions) {
      try {
        extension.close?.();
      } catch {
        // An extension's cleanup failing must not keep the connection from closing; nothing to report it to.
      }
    }
    const wasClean = !this.#failed && this.#closeSent !== undefined && received !== undefined;
    this.#handler.onClose(code, reason, wasClean);
  }
}
