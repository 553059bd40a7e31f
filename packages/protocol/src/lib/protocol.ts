/**
 * The sans-I/O WebSocket connection (RFC 6455 §5–§7): bytes from the peer in, events out; send
 * calls in, bytes to write out. No sockets, timers or promises of its own: the I/O layer feeds it
 * and owns every timeout. The model is Python websockets' `Protocol`, in a callback shape.
 *
 * Why callbacks rather than a pull API (`eventsReceived()` / `dataToSend()`): a callback hands each
 * event over as it is found, with no array per chunk, and it fits extension transforms that finish
 * later (permessage-deflate through zlib), whose results must reach the I/O layer without a poll.
 */
import {
  Opcode,
  WS_CLOSED_ABNORMALLY,
  WS_NO_STATUS,
  isValidCloseCode,
} from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import {
  DEFAULT_MAX_PAYLOAD_LENGTH,
  FrameError,
  FrameParser,
  Utf8Validator,
  encodeClosePayload,
  generateMaskKey,
  isValidUtf8,
  parseClosePayload,
} from '@rfc6455/frame';
import type { CloseInfo, Frame, FrameHeader, Role } from '@rfc6455/frame';
import type { EncodedMessage, Extension } from './extension.ts';
import { checkExtensions, decodeMessage, encodeMessage, extensionError, isThenable } from './extension.ts';
import { encodeDataFrame, encodeHeader, encodeTextFrame } from './frame-writer.ts';
import { ProtocolError, ProtocolErrorCode } from './protocol-error.ts';
import { encodeUtf8 } from './runtime.ts';

/** The connection states of RFC 6455 §4–§7 (and of the WHATWG `readyState`). */
export type ProtocolState = 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

/**
 * What the protocol reports to the I/O layer. Every callback is required. Payloads handed to
 * callbacks may be views into a chunk given to `receiveData` (unmasked in place); they stay valid
 * as long as the caller does not reuse that chunk's memory.
 */
export interface ProtocolHandler {
  /** Bytes to send to the peer, in order. Write them as they come; never reorder. */
  onWrite(data: Uint8Array): void;
  /** A whole message. Text arrives as validated UTF-8 bytes (`isBinary` false); decode when a string is needed. */
  onMessage(data: Uint8Array, isBinary: boolean): void;
  /** A ping arrived (after the automatic pong, when `autoPong` is on). */
  onPing(payload: Uint8Array): void;
  /** A pong arrived. */
  onPong(payload: Uint8Array): void;
  /**
   * The closing handshake began: the peer's close frame arrived (its code, 1005 when it had none)
   * or we sent ours (our code). Start the close timer now. Fires at most once.
   */
  onClosing(code: number, reason: string): void;
  /**
   * The connection is over at the protocol level; end the TCP connection (a server at once, a
   * client after waiting, with a timeout, for the server to close first: RFC 6455 §7.1.1). `code`
   * and `reason` are the peer's close frame's, 1005 when it had no code, 1006 when none arrived.
   * `wasClean` is true when close frames went both ways without failure. Fires exactly once.
   */
  onClose(code: number, reason: string, wasClean: boolean): void;
  /** The peer broke the protocol (or an extension failed); a close frame with `err.closeCode` and onClose follow. */
  onError(err: WebSocketError): void;
}

/** Options of {@link Protocol}. */
export interface ProtocolOptions {
  /** This endpoint's role: a client masks what it sends and expects unmasked frames; a server the reverse. */
  role: Role;
  /** The callbacks that receive events and bytes to write. */
  handler: ProtocolHandler;
  /** Largest payload of one incoming frame, in bytes. Default 64 MiB. Over it: WS_ERR_MESSAGE_TOO_BIG (1009). */
  maxPayloadLength?: number;
  /**
   * Largest incoming message, in bytes: the sum of its frames on the wire and, for a message an
   * extension decodes, its decoded size. Default 64 MiB. Over it: WS_ERR_MESSAGE_TOO_BIG (1009).
   */
  maxMessageLength?: number;
  /** Most frames one incoming message may span. Default 131072. Over it: WS_ERR_TOO_MANY_FRAGMENTS (1009). */
  maxFragments?: number;
  /** Answer each ping with a pong carrying the same payload (RFC 6455 §5.5.2). Default true. */
  autoPong?: boolean;
  /** Negotiated extensions, in the order of the handshake's `Sec-WebSocket-Extensions`. Default none. */
  extensions?: readonly Extension[];
  /** Source of a client's 4-byte mask keys (RFC 6455 §5.3). Default: @rfc6455/frame's `generateMaskKey` (CSPRNG). */
  randomMaskKey?: () => Uint8Array;
  /** Initial state: 'OPEN' (default) once the I/O layer has done the handshake, or 'CONNECTING' and call `open()` later. */
  state?: 'CONNECTING' | 'OPEN';
}

/** Options of `sendText` and `sendBinary`. */
export interface SendOptions {
  /** False to send a fragment of a larger message; the next call continues it. Default true. */
  fin?: boolean | undefined;
  /**
   * Handed to each extension's `encode` (e.g. `false` sends this message uncompressed under
   * permessage-deflate). Ignored for manual fragments, which extensions never transform.
   */
  compress?: boolean | undefined;
  /**
   * Completion hook for this one send: called with `true` right after the last byte of its frame
   * was handed to `onWrite` (inside the `send` call when nothing waits before it, later when the
   * message waits behind an asynchronous extension encode), or with `false` when a send that
   * returned true will never be written (the connection failed or ended first, or the encode
   * failed). Called at most once; not called when the send returns false.
   */
  onWritten?: ((written: boolean) => void) | undefined;
}

/** Default `maxMessageLength`: 64 MiB, as the frame parser's default payload limit. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;

/**
 * Default `maxFragments`: 131072. Empty continuation frames cost no bytes, so without a count a
 * peer could grow a message's fragment list forever; 2^17 leaves room for Autobahn's 4 MiB messages
 * in 64-byte frames (65536 fragments) while bounding the list.
 */
export const DEFAULT_MAX_FRAGMENTS = 131_072;

/**
 * Unmasked payloads up to this many bytes are copied behind their header into one buffer (one
 * write); larger ones go out as two writes, header then the caller's own buffer, to skip the copy.
 * Masked (client) frames are always one buffer: masking needs a copy anyway.
 */
export const SINGLE_WRITE_MAX = 16 * 1024;

/** Largest close reason in UTF-8 bytes: 125 control payload bytes less the 2-byte code (§5.5.1). */
const MAX_REASON_BYTES = 123;

/** Wire reason for a 1011 caused by an extension: the details stay in the error's `cause`. */
const WITHHELD_REASON = 'Internal error';

/** A deferred step of one of the two ordered queues: `run` is set once `pending` turns false. */
interface QueueItem {
  pending: boolean;
  run: (() => void) | undefined;
  /** The send's completion hook (outgoing queue only), told `false` if the item is dropped. */
  onWritten?: ((written: boolean) => void) | undefined;
}

function checkLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`${name} must be a non-negative integer or Infinity, got ${String(value)}`);
  }
  return value;
}

/** `message` cut to at most 123 UTF-8 bytes on a character boundary, for a close reason. */
function closeReason(message: string): string {
  let cut = '';
  let used = 0;
  for (const char of message) {
    const point = char.codePointAt(0)!;
    // UTF-8 length of the code point; a lone surrogate is encoded as U+FFFD, 3 bytes.
    const size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
    if (used + size > MAX_REASON_BYTES) break;
    cut += char;
    used += size;
  }
  return cut;
}

function rsvOf(header: FrameHeader): number {
  return (header.rsv1 ? 4 : 0) | (header.rsv2 ? 2 : 0) | (header.rsv3 ? 1 : 0);
}

function invalidState(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.INVALID_STATE, message);
}

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

  readonly #handler: ProtocolHandler;
  readonly #parser: FrameParser;
  readonly #isClient: boolean;
  readonly #maxMessageLength: number;
  readonly #maxFragments: number;
  readonly #autoPong: boolean;
  readonly #extensions: readonly Extension[];
  readonly #encoders: readonly Extension[];
  readonly #extensionNames: string;
  readonly #randomMaskKey: () => Uint8Array;

  #state: ProtocolState;

  // The incoming message in progress: its opcode (0 when none), RSV bits, size, frames.
  #receiving = 0;
  #messageRsv = 0;
  #messageLength = 0;
  #fragmentCount = 0;
  #fragments: Uint8Array[] = [];
  #validating = false;
  // Bytes of the current incomplete frame already checked by onPayloadChunk (never checked twice).
  #validatedInFrame = 0;
  readonly #utf8 = new Utf8Validator();

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

  // Ordered queues, used only while an asynchronous transform is pending; the epochs invalidate
  // transform results that settle after the queue was dropped (failure, end of stream).
  #inbox: QueueItem[] = [];
  #outbox: QueueItem[] = [];
  #inEpoch = 0;
  #outEpoch = 0;

  constructor(options: ProtocolOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('Protocol needs an options object');
    const { role, handler } = options;
    if (role !== 'client' && role !== 'server') throw new TypeError(`role must be 'client' or 'server', got ${String(role)}`);
    if (handler === null || typeof handler !== 'object') throw new TypeError('handler must be an object of callbacks');
    for (const name of ['onWrite', 'onMessage', 'onPing', 'onPong', 'onClosing', 'onClose', 'onError'] as const) {
      if (typeof handler[name] !== 'function') throw new TypeError(`handler.${name} must be a function`);
    }
    const state = options.state ?? 'OPEN';
    if (state !== 'OPEN' && state !== 'CONNECTING') throw new TypeError(`state must be 'CONNECTING' or 'OPEN', got ${String(state)}`);
    const extensions = options.extensions ?? [];
    const ownedRsv = checkExtensions(extensions);
    if (options.randomMaskKey !== undefined && typeof options.randomMaskKey !== 'function') {
      throw new TypeError('randomMaskKey must be a function returning a 4-byte Uint8Array');
    }
    this.role = role;
    this.#handler = handler;
    this.#isClient = role === 'client';
    this.#state = state;
    this.#maxMessageLength = checkLimit('maxMessageLength', options.maxMessageLength, DEFAULT_MAX_MESSAGE_LENGTH);
    this.#maxFragments = checkLimit('maxFragments', options.maxFragments, DEFAULT_MAX_FRAGMENTS);
    this.#autoPong = options.autoPong ?? true;
    this.#extensions = [...extensions];
    this.#encoders = extensions.filter((extension) => extension.encode !== undefined);
    this.#extensionNames = extensions.map((extension) => extension.name).join(', ');
    this.#randomMaskKey = options.randomMaskKey ?? (() => generateMaskKey());
    // The parser receives the PEER's frames: a server's parser expects masked frames.
    this.#parser = new FrameParser({
      role,
      maxPayloadLength: checkLimit('maxPayloadLength', options.maxPayloadLength, DEFAULT_MAX_PAYLOAD_LENGTH),
      allowedRsvBits: ownedRsv,
      onFrame: (frame) => this.#onFrame(frame),
      onPayloadChunk: (header, chunk, offset) => this.#onPayloadChunk(header, chunk, offset),
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
    const cut = closeReason(reason);
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
    const epoch = this.#outEpoch;
    encoded.then(
      (result) => {
        if (epoch !== this.#outEpoch) return;
        item.run = () => {
          this.#writeFrame(opcode, result.data, true, result.rsv);
          item.onWritten?.(true);
        };
        item.pending = false;
        this.#drainOutbox();
      },
      (err: unknown) => {
        if (epoch !== this.#outEpoch) return;
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
    const outbox = this.#outbox;
    while (outbox.length > 0 && !outbox[0]!.pending) {
      const item = outbox.shift()!;
      item.run!();
      if (this.#outbox !== outbox) return;
    }
    this.#maybeFinish();
  }

  #dropOutbox(): void {
    const dropped = this.#outbox;
    this.#outbox = [];
    this.#outEpoch++;
    // Sends that were accepted but will never be written: their hooks learn it (nothing is lost silently).
    for (const item of dropped) item.onWritten?.(false);
  }

  /** Deliver now, or behind messages still being decoded (message order is kept, RFC 6455 §5.4). */
  #emit(run: () => void): void {
    if (this.#inbox.length === 0) run();
    else this.#inbox.push({ pending: false, run });
  }

  #drainInbox(): void {
    const inbox = this.#inbox;
    while (inbox.length > 0 && !inbox[0]!.pending) {
      const item = inbox.shift()!;
      item.run!();
      if (this.#inbox !== inbox) return;
    }
    this.#maybeFinish();
  }

  #onPayloadChunk(header: FrameHeader, chunk: Uint8Array, offset: number): void {
    // Fail fast on a frame that is still arriving: message size and UTF-8 (RFC 6455 §5.6, §8.1).
    if (this.#closing) return;
    const opcode = header.opcode;
    let validating: boolean;
    let before: number;
    // Checks run in the same order as in #onFrame, so that how the bytes were chunked never changes
    // which error is reported; the ones only #onFrame makes are left to it.
    if (opcode === Opcode.Continuation) {
      if (this.#receiving === 0 || rsvOf(header) !== 0 || this.#fragmentCount >= this.#maxFragments) return;
      validating = this.#validating;
      before = this.#messageLength;
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (this.#receiving !== 0) return;
      validating = opcode === Opcode.Text && rsvOf(header) === 0;
      before = 0;
    } else {
      return;
    }
    if (offset === 0 && before + header.payloadLength > this.#maxMessageLength) {
      this.#tooBig(before + header.payloadLength);
      return;
    }
    if (validating) {
      if (!this.#utf8.push(chunk)) {
        this.#invalidUtf8();
        return;
      }
      this.#validatedInFrame = offset + chunk.length;
    }
  }

  #onFrame(frame: Frame): void {
    const opcode = frame.opcode;
    if (opcode >= 8) {
      // RFC 6455 §5.2 / RFC 7692 §6: an extension's RSV bits belong to data messages, never control frames.
      if (frame.rsv1 || frame.rsv2 || frame.rsv3) {
        this.#unexpectedRsv(frame, 'a control frame');
        return;
      }
      if (opcode === Opcode.Ping) this.#onPing(frame.payload);
      else if (opcode === Opcode.Pong) this.#onPong(frame.payload);
      else this.#onCloseFrame(frame.payload);
      return;
    }
    const validatedInFrame = this.#validatedInFrame;
    this.#validatedInFrame = 0;
    // RFC 6455 §5.5.1: after sending a close frame, data frames are no longer processed.
    if (this.#closing) return;
    const payload = frame.payload;
    if (opcode === Opcode.Continuation) {
      if (this.#receiving === 0) {
        this.#failWith(
          new ProtocolError(ProtocolErrorCode.UNEXPECTED_CONTINUATION, 'Continuation frame with no message in progress (RFC 6455 §5.4)'),
        );
        return;
      }
      if (frame.rsv1 || frame.rsv2 || frame.rsv3) {
        this.#unexpectedRsv(frame, 'a continuation frame');
        return;
      }
      if (++this.#fragmentCount > this.#maxFragments) {
        this.#failWith(
          new ProtocolError(
            ProtocolErrorCode.TOO_MANY_FRAGMENTS,
            `Message in more than maxFragments ${this.#maxFragments} frames`,
          ),
        );
        return;
      }
    } else {
      if (this.#receiving !== 0) {
        this.#failWith(
          new ProtocolError(
            ProtocolErrorCode.EXPECTED_CONTINUATION,
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
      this.#validating = opcode === Opcode.Text && rsv === 0;
    }
    const length = this.#messageLength + payload.length;
    if (length > this.#maxMessageLength) {
      this.#tooBig(length);
      return;
    }
    this.#messageLength = length;
    if (this.#validating && !this.#pushUtf8(payload, validatedInFrame, frame.fin)) return;
    if (payload.length > 0) this.#fragments.push(payload);
    if (!frame.fin) return;
    const fragments = this.#fragments;
    const messageOpcode = this.#receiving;
    const rsv = this.#messageRsv;
    this.#fragments = [];
    this.#receiving = 0;
    if (rsv !== 0) {
      this.#decode(messageOpcode, rsv, fragments);
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
    this.#deliver(data, messageOpcode === Opcode.Binary);
  }

  /** A single-frame message: the common case, kept free of the fragment bookkeeping. */
  #onWholeMessage(opcode: number, rsv: number, payload: Uint8Array, validatedInFrame: number): void {
    if (payload.length > this.#maxMessageLength) {
      this.#tooBig(payload.length);
      return;
    }
    if (rsv !== 0) {
      this.#decode(opcode, rsv, [payload]);
      return;
    }
    if (opcode === Opcode.Text) {
      if (validatedInFrame === 0) {
        if (!isValidUtf8(payload)) {
          this.#invalidUtf8();
          return;
        }
      } else if (!this.#pushUtf8(payload, validatedInFrame, true)) {
        return;
      }
    }
    this.#deliver(payload, opcode === Opcode.Binary);
  }

  /** Validate the part of a text frame not yet checked; at the message's end, check it ends on a character. */
  #pushUtf8(payload: Uint8Array, validatedInFrame: number, fin: boolean): boolean {
    const utf8 = this.#utf8;
    const rest = validatedInFrame === 0 ? payload : payload.subarray(validatedInFrame);
    if (!utf8.push(rest) || (fin && !utf8.end())) {
      this.#invalidUtf8();
      return false;
    }
    if (fin) utf8.reset();
    return true;
  }

  #deliver(data: Uint8Array, isBinary: boolean): void {
    if (this.#inbox.length === 0) this.#handler.onMessage(data, isBinary);
    else this.#inbox.push({ pending: false, run: () => this.#handler.onMessage(data, isBinary) });
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
      const error = this.#checkDecoded(opcode, decoded, max);
      if (error === undefined) this.#deliver(decoded, opcode === Opcode.Binary);
      else this.#failWith(error);
      return;
    }
    const item: QueueItem = { pending: true, run: undefined };
    this.#inbox.push(item);
    const epoch = this.#inEpoch;
    decoded.then(
      (data) => {
        if (epoch !== this.#inEpoch) return;
        const error = this.#checkDecoded(opcode, data, max);
        item.run =
          error === undefined ? () => this.#handler.onMessage(data, opcode === Opcode.Binary) : () => this.#failWith(error);
        item.pending = false;
        this.#drainInbox();
      },
      (err: unknown) => {
        if (epoch !== this.#inEpoch) return;
        item.run = () => this.#failExtension(err);
        item.pending = false;
        this.#drainInbox();
      },
    );
  }

  /** The checks a decoded message still needs: the size cap (in case an extension ignored it) and UTF-8 for text. */
  #checkDecoded(opcode: number, data: Uint8Array, max: number): WebSocketError | undefined {
    if (data.length > max) {
      return new ProtocolError(
        ProtocolErrorCode.MESSAGE_TOO_BIG,
        `Decoded message of ${data.length} bytes exceeds maxMessageLength ${max}`,
      );
    }
    if (opcode === Opcode.Text && !isValidUtf8(data)) {
      return new ProtocolError(ProtocolErrorCode.INVALID_UTF8, 'Invalid UTF-8 in a text message (RFC 6455 §8.1)');
    }
    return undefined;
  }

  #failExtension(err: unknown): void {
    const error = extensionError(err, 'decode', this.#extensionNames);
    // Whatever an extension said stays off the wire: a generic reason for 1011, the stable code otherwise.
    this.#failWith(error, error.code === ProtocolErrorCode.EXTENSION_FAILED ? WITHHELD_REASON : error.code);
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
    const info = parseClosePayload(payload);
    if (info instanceof FrameError) {
      this.#failWith(info);
      return;
    }
    // Nothing after the peer's close frame is processed (RFC 6455 §5.5.1); a partial message is dropped.
    this.#parser.stop();
    this.#closeReceived = info;
    this.#receiving = 0;
    this.#fragments = [];
    if (!this.#closing) {
      this.#closing = true;
      this.#state = 'CLOSING';
      this.#emit(() => this.#handler.onClosing(info.code, info.reason));
      // RFC 6455 §5.5.1: echo the peer's status code; an empty close answers an empty close.
      const code = info.code === WS_NO_STATUS ? undefined : info.code;
      this.#queueClose(encodeClosePayload(code), { code: info.code, reason: '' });
      return;
    }
    this.#maybeFinish();
  }

  #tooBig(length: number): void {
    this.#failWith(
      new ProtocolError(
        ProtocolErrorCode.MESSAGE_TOO_BIG,
        `Message of at least ${length} bytes exceeds maxMessageLength ${this.#maxMessageLength}`,
      ),
    );
  }

  #invalidUtf8(): void {
    this.#failWith(new ProtocolError(ProtocolErrorCode.INVALID_UTF8, 'Invalid UTF-8 in a text message (RFC 6455 §8.1)'));
  }

  #unexpectedRsv(frame: Frame, where: string): void {
    const bit = frame.rsv1 ? 1 : frame.rsv2 ? 2 : 3;
    const code =
      bit === 1
        ? ProtocolErrorCode.UNEXPECTED_RSV_1
        : bit === 2
          ? ProtocolErrorCode.UNEXPECTED_RSV_2
          : ProtocolErrorCode.UNEXPECTED_RSV_3;
    this.#failWith(new ProtocolError(code, `RSV${bit} set on ${where}: extensions mark only a message's first frame`));
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
    const reason = wireReason ?? closeReason(error.message);
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
    this.#inbox = [];
    this.#inEpoch++;
    this.#fragments = [];
    this.#receiving = 0;
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
