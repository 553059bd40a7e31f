/**
 * The outgoing side of a connection, once a send's arguments are checked: where the send goes —
 * to the writer at once, or behind a Blob still being read (send-queue.ts) — and how much of what
 * `send` accepted is not yet handed to the operating system (WHATWG `bufferedAmount`), with
 * `send` returning false above `highWaterMark` and `drain` once it is back at or under it. A send
 * made when the connection is not OPEN is not sent: its bytes are counted in `bufferedAmount`
 * (the WHATWG rule: then it grows and never shrinks) and its callback gets WS_ERR_NOT_OPEN.
 */
import type { EventEmitter } from 'node:events';
import { OPEN } from '@rfc6455/codes';
import type { ReadyState } from '@rfc6455/codes';
import { notOpen } from './client-error.ts';
import type { Connection } from './connection.ts';
import { byteLengthOf } from './send-data.ts';
import type { SendCallback, SendData, SendOptions } from './send-data.ts';
import { SendQueue } from './send-queue.ts';
import type { SendQueueHost } from './send-queue.ts';

const EMPTY = Buffer.alloc(0);

/** One connection's send path and buffered bytes. It is its send queue's host (no closures per connection). */
export class Outgoing implements SendQueueHost {
  readonly #owner: EventEmitter;
  readonly #state: { readonly readyState: ReadyState };
  readonly #highWaterMark: number;
  #connection: Connection | undefined;
  #queue: SendQueue | undefined;
  #unsent = 0;
  #needDrain = false;
  // The socket's 'drain' listener, made the first time a send passes the high-water mark.
  #drainListener: (() => void) | undefined = undefined;

  /** The send path for `owner` (which emits `drain`), whose ready state `state` tells; `highWaterMark` in bytes. */
  constructor(owner: EventEmitter, state: { readonly readyState: ReadyState }, highWaterMark: number) {
    this.#owner = owner;
    this.#state = state;
    this.#highWaterMark = highWaterMark;
  }

  /**
   * Send through `connection` from now on, counting its socket's write buffer. Its `drain` is
   * followed from the first time a send passes the high-water mark: a connection that never does
   * carries no listener for it.
   */
  attach(connection: Connection): void {
    this.#connection = connection;
  }

  /** The bytes accepted by `send` and not yet handed to the operating system. */
  get bufferedAmount(): number {
    return this.#unsent + (this.#queue?.bytes ?? 0) + (this.#connection?.socket.writableLength ?? 0);
  }

  /** `send` with checked arguments (not while CONNECTING): false when not sent or above `highWaterMark`. */
  send(data: SendData, options: SendOptions | undefined, cb: SendCallback | undefined): boolean {
    if (this.#state.readyState !== OPEN) {
      this.addUnsent(byteLengthOf(data));
      this.#notSent(cb);
      return false;
    }
    const queue = this.#queue;
    if (data instanceof Blob || (queue !== undefined && queue.length > 0)) {
      // A Blob is read asynchronously: it and every send after it wait, to keep the order.
      (this.#queue ??= new SendQueue(this)).push(data, options, cb);
    } else {
      this.write(data, options, cb);
    }
    return this.#checkHighWater();
  }

  /** `sendFrame`: write an encoded frame; false when not sent (`cb` is told) or above `highWaterMark`. */
  sendFrame(frame: Uint8Array, cb: SendCallback | undefined): boolean {
    const connection = this.#connection;
    if (this.#state.readyState !== OPEN || connection?.protocol.state !== 'OPEN' || !connection.writer.sendFrame(frame, cb)) {
      this.#notSent(cb);
      return false;
    }
    return this.#checkHighWater();
  }

  /** `ping` / `pong` with a checked payload (not while CONNECTING); `cb` is told when it was not sent. */
  sendControl(isPing: boolean, payload: Uint8Array | string | undefined, cb: SendCallback | undefined): void {
    if (this.#state.readyState !== OPEN || !this.#connection!.writer.sendControl(isPing, payload, cb)) this.#notSent(cb);
  }

  /** Whether sends wait behind a Blob being read. */
  get queued(): boolean {
    return (this.#queue?.length ?? 0) > 0;
  }

  /** Run `fn` once every send waiting behind a Blob has been handed to the writer (now when none waits). */
  whenQueueSent(fn: () => void): void {
    if (this.#queue === undefined) fn();
    else this.#queue.whenEmpty(fn);
  }

  /** The connection is CLOSED: whatever still waits behind a Blob was not sent; tell its callbacks. */
  failQueued(state: ReadyState): void {
    this.#queue?.failAll(state);
  }

  /** SendQueueHost: send now (never a Blob), through the writer. */
  write(data: Exclude<SendData, Blob>, options: SendOptions | undefined, cb: SendCallback | undefined): void {
    if (!this.#connection!.writer.sendMessage(data, options, cb)) {
      this.addUnsent(byteLengthOf(data));
      this.#notSent(cb);
    }
  }

  /** SendQueueHost: count `bytes` that were accepted but will never be sent. */
  addUnsent(bytes: number): void {
    this.#unsent += bytes;
  }

  #notSent(cb: SendCallback | undefined): void {
    if (cb !== undefined) process.nextTick(cb, notOpen(this.#state.readyState));
  }

  #checkHighWater(): boolean {
    if (this.bufferedAmount <= this.#highWaterMark) return true;
    if (!this.#needDrain) {
      this.#needDrain = true;
      const socket = this.#connection?.socket;
      if (socket !== undefined) {
        let onDrain = this.#drainListener;
        if (onDrain === undefined) {
          onDrain = this.#drainListener = () => this.#onDrain();
          socket.on('drain', onDrain);
        }
        // The socket emits 'drain' only if its own (smaller or larger) mark was passed: otherwise
        // ask for a callback once what is queued now has been flushed.
        if (!socket.writableNeedDrain) socket.write(EMPTY, onDrain);
      }
    }
    return false;
  }

  #onDrain(): void {
    if (!this.#needDrain || this.bufferedAmount > this.#highWaterMark) return;
    this.#needDrain = false;
    this.#owner.emit('drain');
  }
}
