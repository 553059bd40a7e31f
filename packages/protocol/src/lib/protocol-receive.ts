/**
 * The receive path of a {@link Protocol} after the message assembler: whole messages decoded by the
 * extensions (RFC 7692 §6.2, the decoded-size cap passed down so a decoder stops while inflating),
 * checked once decoded (size, UTF-8 of text, RFC 6455 §5.6), and handed to the application in the
 * order they arrived, together with the ping, pong and closing events between them (§5.4), through
 * the incoming ordered queue while a decode is asynchronous.
 *
 * Control frames themselves are the state machine's (they change its state); what reaches the
 * application from them goes through {@link Receiver.emit} so it keeps its place behind messages.
 */
import { Opcode } from '@rfc6455/codes';
import { WITHHELD_REASON } from './close-reason.ts';
import type { Extension } from './extension.ts';
import { decodeMessage, extensionError, isThenable } from './extension.ts';
import { NO_ITEMS, OrderedQueue } from './ordered-queue.ts';
import type { QueueItem, QueueOutlets } from './ordered-queue.ts';
import type { ProtocolHandler } from './protocol-options.ts';
import { ProtocolErrorCode } from './protocol-error.ts';
import { checkDecodedMessage } from './violations.ts';

/** What a {@link Receiver} is built from. */
export interface ReceiverConfig {
  /** Where messages go (`onMessage`). */
  handler: ProtocolHandler;
  /** The negotiated extensions, in order; a message with RSV bits set goes through their decoders. */
  extensions: readonly Extension[];
  /** Largest decoded message, in bytes (WS_ERR_UNSUPPORTED_MESSAGE_LENGTH, 1009, over it). */
  maxMessageLength: number;
  /** False under `skipUtf8Validation`: decoded text is delivered unchecked. */
  checkUtf8: boolean;
}

/** Hands one connection's incoming messages and events to the application, in order. */
export class Receiver<Owner> {
  readonly #handler: ProtocolHandler;
  readonly #extensions: readonly Extension[];
  readonly #extensionNames: string;
  readonly #maxMessageLength: number;
  readonly #checkUtf8: boolean;
  readonly #owner: Owner;
  readonly #outlets: QueueOutlets<Owner>;

  // Made by the first step that must wait behind an asynchronous decode.
  #queue: OrderedQueue | undefined = undefined;

  /** A receiver for `owner`'s connection; a failed decode and a drained queue go to `outlets`. */
  constructor(owner: Owner, outlets: QueueOutlets<Owner>, config: ReceiverConfig) {
    this.#owner = owner;
    this.#outlets = outlets;
    this.#handler = config.handler;
    this.#extensions = config.extensions;
    this.#extensionNames = config.extensions.length === 0 ? '' : config.extensions.map((extension) => extension.name).join(', ');
    this.#maxMessageLength = config.maxMessageLength;
    this.#checkUtf8 = config.checkUtf8;
  }

  /**
   * Steps waiting behind a message still being decoded, oldest first. Empty while no asynchronous
   * decode is pending.
   */
  get queued(): readonly QueueItem[] {
    return this.#queue?.items ?? NO_ITEMS;
  }

  /** Whether nothing waits behind a decode: the per-message check, so an event may go out at once. */
  get idle(): boolean {
    const queue = this.#queue;
    return queue === undefined || queue.items.length === 0;
  }

  /** A whole, checked message: to the application now, or behind messages still being decoded. */
  deliver(data: Uint8Array, isBinary: boolean): void {
    if (this.idle) this.#handler.onMessage(data, isBinary);
    else this.#push({ pending: false, run: () => this.#handler.onMessage(data, isBinary) });
  }

  /** A ping arrived (after the automatic pong): report it in its place among the messages. */
  ping(payload: Uint8Array): void {
    if (this.idle) this.#handler.onPing(payload);
    else this.emit(() => this.#handler.onPing(payload));
  }

  /** A pong arrived: report it in its place among the messages. */
  pong(payload: Uint8Array): void {
    if (this.idle) this.#handler.onPong(payload);
    else this.emit(() => this.#handler.onPong(payload));
  }

  /** Run `event` now, or behind messages still being decoded (message order is kept, RFC 6455 §5.4). */
  emit(event: () => void): void {
    if (this.idle) event();
    else this.#push({ pending: false, run: event });
  }

  #push(item: QueueItem): void {
    (this.#queue ??= new OrderedQueue()).items.push(item);
  }

  /**
   * A whole message with RSV bits set (`rsv`: RSV1 = 4, RSV2 = 2, RSV3 = 1): the extensions decode
   * it, then it is checked and delivered in its place. A decoder's failure fails the connection
   * (1011 with the reason withheld, or the extension error's own close code and code).
   */
  decode(opcode: number, rsv: number, fragments: Uint8Array[]): void {
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
      if (error === undefined) this.deliver(decoded, opcode === Opcode.Binary);
      else this.#outlets.fail(this.#owner, error);
      return;
    }
    const item: QueueItem = { pending: true, run: undefined };
    this.#push(item);
    const queue = this.#queue!;
    const epoch = queue.epoch;
    decoded.then(
      (data) => {
        if (epoch !== queue.epoch) return;
        const error = checkDecodedMessage(opcode, data, max, this.#checkUtf8);
        item.run =
          error === undefined
            ? () => this.#handler.onMessage(data, opcode === Opcode.Binary)
            : () => this.#outlets.fail(this.#owner, error);
        item.pending = false;
        this.#drain();
      },
      (err: unknown) => {
        if (epoch !== queue.epoch) return;
        item.run = () => this.#failExtension(err);
        item.pending = false;
        this.#drain();
      },
    );
  }

  /** Discard everything queued (the connection failed or was failed): those messages are never delivered. */
  drop(): void {
    this.#queue?.drop();
  }

  #failExtension(err: unknown): void {
    const error = extensionError(err, 'decode', this.#extensionNames);
    // Whatever an extension said stays off the wire: a generic reason for 1011, the stable code otherwise.
    this.#outlets.fail(this.#owner, error, error.code === ProtocolErrorCode.ExtensionFailed ? WITHHELD_REASON : error.code);
  }

  #drain(): void {
    if (this.#queue!.runReady()) this.#outlets.drained(this.#owner);
  }
}
