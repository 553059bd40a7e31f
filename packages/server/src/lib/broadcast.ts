/**
 * Broadcast and publish delivery: one message encoded once ({@link BroadcastFrames}) and handed
 * to each receiver under the server's backpressure policy for connections that do not keep up.
 */
import { OPEN, WS_TRY_AGAIN_LATER } from '@rfc6455/codes';
import { BroadcastFrames } from './broadcast-frames.ts';
import type { ServerWebSocket } from './connection.ts';
import type { ConnectionRegistry, ConnectionState } from './connection-registry.ts';
import type { BackpressurePolicy } from './options.ts';
import { ServerError, ServerErrorCode } from './server-error.ts';

/** Data a broadcast or publish accepts. */
export type BroadcastData = string | ArrayBuffer | ArrayBufferView;

/** Options of `WebSocketServer.broadcast` and `WebSocketServer.publish`. */
export interface BroadcastOptions<Socket extends ServerWebSocket<any> = ServerWebSocket> { // eslint-disable-line @typescript-eslint/no-explicit-any -- any context
  /** Send a binary frame (default: text for a string, binary for bytes). */
  binary?: boolean | undefined;
  /**
   * Only send to connections for which this returns true. It runs on this node's connections
   * only: with an `adapter`, pass `local: true` with it.
   */
  filter?: ((ws: Socket) => boolean) | undefined;
  /** Keep this publish or broadcast to this node's connections: the adapter does not forward it. */
  local?: boolean | undefined;
}

/** What delivery needs from its server: the policy, the compression settings, and its events. */
export interface BroadcasterSettings<Socket> {
  readonly backpressure: BackpressurePolicy;
  readonly maxBufferedAmount: number;
  readonly compressionThreshold: number;
  /** zlib level and memLevel of the server's permessage-deflate (-1 and 8 by default). */
  readonly level: number;
  readonly memLevel: number;
  /** `backpressure: 'drop'` skipped `ws` (the server's 'drop'). */
  readonly onDrop: (ws: Socket, byteLength: number) => void;
  /** `backpressure: 'close'` is closing `ws` (the server's 'slowConsumer'). */
  readonly onSlowConsumer: (ws: Socket, bufferedAmount: number) => void;
}

const encoder = new TextEncoder();

/** The bytes of `data` as they go on the wire (UTF-8 for a string); a view, not a copy, of bytes. */
export function toBytes(data: BroadcastData): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError('broadcast/publish: data must be a string, an ArrayBuffer or an ArrayBufferView.');
}

/** Delivers one server's broadcasts and publishes, and counts what `backpressure: 'drop'` skipped. */
export class Broadcaster<Context, Socket extends ServerWebSocket<Context>> {
  readonly #settings: BroadcasterSettings<Socket>;
  readonly #registry: ConnectionRegistry<Context, Socket>;
  #dropped = 0;

  constructor(settings: BroadcasterSettings<Socket>, registry: ConnectionRegistry<Context, Socket>) {
    this.#settings = settings;
    this.#registry = registry;
  }

  /** How many deliveries were skipped under `backpressure: 'drop'`, over all connections. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Send `data` to every open connection that `options.filter` admits, encoding it once. Returns
   * how many connections it was written to.
   */
  broadcast(data: BroadcastData, options: BroadcastOptions<Socket>): number {
    const frames = this.#encode(data, options);
    const { filter } = options;
    let sent = 0;
    for (const [ws, state] of this.#registry.entries()) {
      if (filter !== undefined && !filter(ws)) continue;
      if (this.#deliver(ws, state, frames)) sent++;
    }
    return sent;
  }

  /** Send `data` to every subscriber of `topic` that `options.filter` admits, as {@link broadcast} does. */
  publish(topic: string, data: BroadcastData, options: BroadcastOptions<Socket>): number {
    const subscribers = this.#registry.subscribersOf(topic);
    if (subscribers === undefined) return 0;
    const frames = this.#encode(data, options);
    const { filter } = options;
    let sent = 0;
    for (const ws of subscribers) {
      if (filter !== undefined && !filter(ws)) continue;
      const state = this.#registry.stateOf(ws);
      if (state !== undefined && this.#deliver(ws, state, frames)) sent++;
    }
    return sent;
  }

  #encode(data: BroadcastData, options: BroadcastOptions<Socket>): BroadcastFrames {
    const payload = toBytes(data);
    const { compressionThreshold: threshold, level, memLevel } = this.#settings;
    const binary = options.binary ?? typeof data !== 'string';
    return new BroadcastFrames(payload, typeof data === 'string' ? data : payload, binary, { threshold, level, memLevel });
  }

  #deliver(ws: Socket, state: ConnectionState<Context>, frames: BroadcastFrames): boolean {
    if (ws.readyState !== OPEN) return false;
    const { backpressure, maxBufferedAmount } = this.#settings;
    if (backpressure !== 'queue') {
      // A peer below the limit always gets the frame (so one message larger than the limit still
      // reaches a peer that keeps up); a peer at or above it is a slow consumer.
      const buffered = ws.bufferedAmount;
      if (buffered >= maxBufferedAmount) {
        if (backpressure === 'drop') {
          this.#dropped++;
          state.dropped++;
          this.#settings.onDrop(ws, frames.plain().byteLength);
        } else {
          this.#settings.onSlowConsumer(ws, buffered);
          if (ws.listenerCount('error') > 0) {
            const message = `${buffered} bytes were buffered for this connection (maxBufferedAmount ${maxBufferedAmount}); it is closed with 1013.`;
            ws.emit('error', new ServerError(ServerErrorCode.SlowConsumer, message, { closeCode: WS_TRY_AGAIN_LATER }));
          }
          // RFC 6455 §7.4.1 / IANA: 1013 "try again later" — the peer did nothing wrong, it is just
          // slower than the traffic; it may reconnect and catch up.
          ws.close(WS_TRY_AGAIN_LATER, 'Slow consumer');
        }
        return false;
      }
    }
    const delivery = frames.deliveryFor(state.deflate);
    if (delivery.kind === 'frame') ws.sendFrame(delivery.frame);
    // Our compressor keeps context for this connection: only its own extension may compress.
    else ws.send(delivery.payload, { binary: delivery.binary });
    return true;
  }
}
