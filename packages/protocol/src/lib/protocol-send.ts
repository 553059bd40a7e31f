/**
 * The send path of a {@link Protocol} (RFC 6455 §5.2–§5.5): arguments of a send checked, a manually
 * fragmented message tracked (its opcode, and its UTF-8 across fragments, §5.6), whole messages
 * handed to the extensions' encoders, frames masked for a client (§5.3), and the outgoing ordered
 * queue that keeps message order while an encoder is asynchronous (RFC 7692 through zlib).
 *
 * The state machine keeps the connection state and tells each send whether it is discarded (the
 * closing handshake has begun); everything about turning an accepted send into written bytes is
 * here. Like the message assembler, a sender reports to its owner through one shared set of
 * outlets, so a connection pays for no closures.
 */
import { Opcode } from '@rfc6455/codes';
import { Utf8Validator, generateMaskKey, isValidUtf8 } from '@rfc6455/frame';
import { WITHHELD_REASON } from './close-reason.ts';
import type { EncodedMessage, Extension } from './extension.ts';
import { encodeMessage, extensionError, isThenable } from './extension.ts';
import { SINGLE_WRITE_MAX, encodeDataFrame, encodeHeader, encodeTextFrame } from './frame-writer.ts';
import { NO_ITEMS, OrderedQueue } from './ordered-queue.ts';
import type { QueueItem, QueueOutlets } from './ordered-queue.ts';
import type { ProtocolHandler, SendOptions } from './protocol-options.ts';
import { encodeUtf8 } from './runtime.ts';

/** No extension encodes: the encoder list of (almost) every connection, shared. */
const NO_ENCODERS: readonly Extension[] = Object.freeze([]);

/** The CSPRNG's mask keys, one function for every connection that was given none. */
function randomKey(): Uint8Array {
  return generateMaskKey();
}

/** What a {@link Sender} is built from. */
export interface SenderConfig {
  /** Where written bytes go (`onWrite`). */
  handler: ProtocolHandler;
  /** A client masks every frame (RFC 6455 §5.3). */
  isClient: boolean;
  /** The negotiated extensions, in order; those with an encoder transform whole messages. */
  extensions: readonly Extension[];
  /** Mask keys for a client's frames; the CSPRNG when undefined. */
  randomMaskKey?: (() => Uint8Array) | undefined;
}

/** Turns one connection's accepted sends into frames written in order. */
export class Sender<Owner> {
  readonly #handler: ProtocolHandler;
  readonly #isClient: boolean;
  readonly #encoders: readonly Extension[];
  readonly #extensionNames: string;
  readonly #randomMaskKey: () => Uint8Array;
  readonly #owner: Owner;
  readonly #outlets: QueueOutlets<Owner>;

  // The outgoing manually fragmented message: its opcode, 0 when none; its UTF-8 state, made by
  // the first text fragment (a connection that never fragments text never pays for it).
  #fragmenting = 0;
  #utf8: Utf8Validator | undefined = undefined;

  // Made by the first step that must wait behind an asynchronous encode.
  #queue: OrderedQueue | undefined = undefined;

  /** A sender for `owner`'s connection; an encoder's failure and a drained queue go to `outlets`. */
  constructor(owner: Owner, outlets: QueueOutlets<Owner>, config: SenderConfig) {
    this.#owner = owner;
    this.#outlets = outlets;
    this.#handler = config.handler;
    this.#isClient = config.isClient;
    const extensions = config.extensions;
    this.#encoders = extensions.length === 0 ? NO_ENCODERS : extensions.filter((extension) => extension.encode !== undefined);
    this.#extensionNames = extensions.length === 0 ? '' : extensions.map((extension) => extension.name).join(', ');
    this.#randomMaskKey = config.randomMaskKey ?? randomKey;
  }

  /**
   * Steps waiting behind a message still being encoded, oldest first. Empty while no asynchronous
   * encode is pending: the state machine reads its length to know whether everything accepted has
   * been written.
   */
  get queued(): readonly QueueItem[] {
    return this.#queue?.items ?? NO_ITEMS;
  }

  #push(item: QueueItem): void {
    (this.#queue ??= new OrderedQueue()).items.push(item);
  }

  /**
   * The fast path of `sendText` (a whole string, no options, nothing fragmenting, no encoder,
   * nothing queued): encode the string straight into one frame. Returns false, writing nothing,
   * when that path does not apply or the string is too long for it; the caller takes the general path.
   */
  writeTextNow(text: string): boolean {
    if (this.#fragmenting !== 0 || this.#encoders.length !== 0 || this.queued.length !== 0) return false;
    const frame = encodeTextFrame(text, this.#isClient ? this.#randomMaskKey() : undefined);
    if (frame === undefined) return false;
    this.#handler.onWrite(frame);
    return true;
  }

  /**
   * A text or binary message, or a fragment of one with `{ fin: false }`. Bad arguments throw
   * (TypeError) whether or not the send is `discarded`; a discarded send writes nothing and
   * returns false. `checkUtf8`: the bytes came from the caller as UTF-8 and must be checked.
   */
  send(opcode: number, data: Uint8Array, options: SendOptions | undefined, checkUtf8: boolean, discarded: boolean): boolean {
    const fin = options?.fin ?? true;
    if (typeof fin !== 'boolean') throw new TypeError('options.fin must be a boolean');
    const compress = options?.compress;
    if (compress !== undefined && typeof compress !== 'boolean') throw new TypeError('options.compress must be a boolean');
    const onWritten = checkOnWritten(options);
    if (this.#fragmenting !== 0 || !fin) {
      if (this.#fragmenting !== 0 && this.#fragmenting !== opcode) {
        throw new TypeError(
          `a fragmented ${this.#fragmenting === Opcode.Text ? 'text' : 'binary'} message is in progress: ` +
            `finish it with the same method and { fin: true } first`,
        );
      }
      if (opcode === Opcode.Text) {
        // Across fragments a string's bytes can still complete or break a sequence left open by bytes.
        const utf8 = (this.#utf8 ??= new Utf8Validator());
        if (!utf8.push(data) || (fin && !utf8.end())) {
          utf8.reset();
          throw new TypeError('text fragments must be UTF-8: this fragment makes the message invalid');
        }
        if (fin) utf8.reset();
      }
      if (discarded) return false;
      const frameOpcode = this.#fragmenting === 0 ? opcode : Opcode.Continuation;
      this.#fragmenting = fin ? 0 : opcode;
      // Manual fragments go out as they are: extensions transform whole messages only.
      this.queueFrame(frameOpcode, data, fin, 0, onWritten);
      return true;
    }
    if (checkUtf8 && !isValidUtf8(data)) throw new TypeError('sendText bytes must be UTF-8 (RFC 6455 §5.6)');
    if (discarded) return false;
    if (this.#encoders.length === 0) {
      this.queueFrame(opcode, data, true, 0, onWritten);
      return true;
    }
    return this.#encodeAndQueue(opcode, data, compress, onWritten);
  }

  /**
   * Frames encoded elsewhere (`sendRaw`), written as they are, in order with messages. Returns
   * false, writing nothing, when `discarded`.
   */
  sendRaw(frames: Uint8Array, options: Pick<SendOptions, 'onWritten'> | undefined, discarded: boolean): boolean {
    const onWritten = checkOnWritten(options);
    if (discarded) return false;
    this.queueStep(() => {
      this.#handler.onWrite(frames);
      onWritten?.(true);
    }, onWritten);
    return true;
  }

  /**
   * A ping or pong (RFC 6455 §5.5.2–§5.5.3): payload a string or bytes of at most 125 bytes
   * (RangeError otherwise). Written at once, even between a message's frames or ahead of
   * messages still being encoded (§5.4). Returns false, writing nothing, when `discarded`.
   */
  sendControl(opcode: number, payload: Uint8Array | string | undefined, discarded: boolean): boolean {
    let bytes: Uint8Array;
    if (payload === undefined) bytes = new Uint8Array(0);
    else if (typeof payload === 'string') bytes = encodeUtf8(payload);
    else if (payload instanceof Uint8Array) bytes = payload;
    else throw new TypeError('a ping or pong payload must be a Uint8Array or a string');
    // RFC 6455 §5.5: control frames carry at most 125 bytes.
    if (bytes.length > 125) throw new RangeError(`a ping or pong payload is at most 125 bytes, got ${bytes.length}`);
    if (discarded) return false;
    this.writeFrame(opcode, bytes, true, 0);
    return true;
  }

  /** Write a data frame now, or behind messages still being encoded; then tell `onWritten`. */
  queueFrame(opcode: number, data: Uint8Array, fin: boolean, rsv: number, onWritten: ((written: boolean) => void) | undefined): void {
    if (this.queued.length === 0) {
      this.writeFrame(opcode, data, fin, rsv);
      onWritten?.(true);
    } else {
      this.#push({
        pending: false,
        run: () => {
          this.writeFrame(opcode, data, fin, rsv);
          onWritten?.(true);
        },
        onWritten,
      });
    }
  }

  /** Run `step` now, or behind messages still being encoded (the close frame goes this way). */
  queueStep(step: () => void, onWritten?: (written: boolean) => void): void {
    if (this.queued.length === 0) step();
    else this.#push({ pending: false, run: step, onWritten });
  }

  /** Frame `payload` and hand it to onWrite: one buffer, or header and payload as two writes (see SINGLE_WRITE_MAX). */
  writeFrame(opcode: number, payload: Uint8Array, fin: boolean, rsv: number): void {
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

  /**
   * Discard everything queued (failure or end of stream). Sends that were accepted but will never
   * be written learn it through their `onWritten` (nothing is lost silently).
   */
  drop(): void {
    if (this.#queue === undefined) return;
    for (const item of this.#queue.drop()) item.onWritten?.(false);
  }

  #encodeAndQueue(opcode: number, data: Uint8Array, compress: boolean | undefined, onWritten: ((written: boolean) => void) | undefined): boolean {
    let encoded: EncodedMessage | Promise<EncodedMessage>;
    try {
      encoded = encodeMessage(this.#encoders, data, opcode === Opcode.Binary, compress === undefined ? undefined : { compress });
    } catch (err) {
      this.#outlets.fail(this.#owner, extensionError(err, 'encode', this.#extensionNames), WITHHELD_REASON);
      return false;
    }
    if (!isThenable<EncodedMessage>(encoded)) {
      this.queueFrame(opcode, encoded.data, true, encoded.rsv, onWritten);
      return true;
    }
    const item: QueueItem = { pending: true, run: undefined, onWritten };
    this.#push(item);
    const queue = this.#queue!;
    const epoch = queue.epoch;
    encoded.then(
      (result) => {
        if (epoch !== queue.epoch) return;
        item.run = () => {
          this.writeFrame(opcode, result.data, true, result.rsv);
          item.onWritten?.(true);
        };
        item.pending = false;
        this.#drain();
      },
      (err: unknown) => {
        if (epoch !== queue.epoch) return;
        item.run = () => {
          item.onWritten?.(false);
          this.#outlets.fail(this.#owner, extensionError(err, 'encode', this.#extensionNames), WITHHELD_REASON);
        };
        item.pending = false;
        this.#drain();
      },
    );
    return true;
  }

  #drain(): void {
    if (this.#queue!.runReady()) this.#outlets.drained(this.#owner);
  }
}

function checkOnWritten(options: Pick<SendOptions, 'onWritten'> | undefined): ((written: boolean) => void) | undefined {
  const onWritten = options?.onWritten;
  if (onWritten !== undefined && typeof onWritten !== 'function') throw new TypeError('options.onWritten must be a function');
  return onWritten;
}
