/**
 * The connections a server accepted and still has open: each one's context and counters, the
 * public `clients` set, topic membership and heartbeat membership, all joined when a connection
 * opens and left in one place when it closes, so nothing outlives it.
 */
import type { DeflateConfig } from '@rfc6455/deflate';
import type { ServerBinding, ServerWebSocket } from './connection.ts';
import { Heartbeat } from './heartbeat.ts';
import type { HeartbeatOptions } from './heartbeat.ts';
import { ServerError, ServerErrorCode } from './server-error.ts';
import { TopicRegistry } from './topics.ts';
import type { TopicHooks } from './topics.ts';

/** Per-connection bookkeeping, kept out of the WebSocket object. */
export interface ConnectionState<Context> {
  readonly context: Context;
  /** Deliveries skipped under `backpressure: 'drop'`. */
  dropped: number;
  /** The negotiated permessage-deflate parameters, undefined when not in use. */
  readonly deflate: DeflateConfig | undefined;
}

/** What the registry needs from its server. */
export interface RegistrySettings<Socket> {
  /** Keep {@link ConnectionRegistry.clients} (connections are tracked either way). */
  readonly clientTracking: boolean;
  /** Heartbeat settings, or false for none. */
  readonly heartbeat: HeartbeatOptions | false;
  /** Called when the heartbeat is about to terminate `ws` (the server's 'heartbeatTimeout'). */
  readonly onHeartbeatTimeout: (ws: Socket) => void;
  /** A topic's first subscriber and last one leaving (the server's adapter seam). */
  readonly topicHooks?: TopicHooks | undefined;
}

/** The open connections of one server, with their context, topics and heartbeat. */
export class ConnectionRegistry<Context, Socket extends ServerWebSocket<Context>> {
  /** The open connections, kept when `clientTracking` is true (the server's `clients`). */
  readonly clients = new Set<Socket>();
  readonly #connections = new Map<Socket, ConnectionState<Context>>();
  readonly #topics: TopicRegistry<Socket>;
  readonly #heartbeat: Heartbeat<Socket> | undefined;
  readonly #settings: RegistrySettings<Socket>;
  readonly #emptyWaiters: Array<() => void> = [];
  // The close and pong listeners of every connection, called with the connection as `this`.
  readonly #onClose: (this: Socket) => void;
  readonly #onPong: ((this: Socket) => void) | undefined;

  /** What every connection's own `subscribe`/`unsubscribe`/`topics` reach: one object for the server. */
  readonly binding: ServerBinding;

  constructor(settings: RegistrySettings<Socket>) {
    this.#settings = settings;
    this.binding = {
      subscribe: (ws, topic) => this.subscribe(ws as Socket, topic),
      unsubscribe: (ws, topic) => this.unsubscribe(ws as Socket, topic),
      topicsOf: (ws) => this.topicsOf(ws as Socket),
    };
    // One pair of listeners for every connection (an EventEmitter calls them with the emitter as
    // `this`) rather than two closures per connection.
    const remove = (ws: Socket): void => this.#remove(ws);
    this.#onClose = function (this: Socket) {
      remove(this);
    };
    this.#topics = new TopicRegistry<Socket>(settings.topicHooks);
    const { heartbeat } = settings;
    if (heartbeat === false) return;
    const beat = new Heartbeat<Socket>(heartbeat, {
      ping: (ws) => {
        try {
          ws.ping();
        } catch {
          // The connection is closing; its close event removes it from the heartbeat.
        }
      },
      expire: (ws) => {
        settings.onHeartbeatTimeout(ws);
        if (ws.listenerCount('error') > 0) {
          const message = `No pong within ${heartbeat.timeoutMs} ms of a heartbeat ping; the connection was terminated.`;
          ws.emit('error', new ServerError(ServerErrorCode.HeartbeatTimeout, message, { closeCode: 1006 }));
        }
        ws.terminate();
      },
    });
    this.#heartbeat = beat;
    this.#onPong = function (this: Socket) {
      beat.alive(this);
    };
  }

  /** How many connections are open. */
  get size(): number {
    return this.#connections.size;
  }

  /** The open connections and their state, in the order they opened. */
  entries(): IterableIterator<[Socket, ConnectionState<Context>]> {
    return this.#connections.entries();
  }

  /** The open connections, in the order they opened. */
  sockets(): IterableIterator<Socket> {
    return this.#connections.keys();
  }

  /** The state of `ws`, or undefined when it is not an open connection of this server. */
  stateOf(ws: Socket): ConnectionState<Context> | undefined {
    return this.#connections.get(ws);
  }

  /** Track `ws`, just opened, until it closes: clients, heartbeat, and (on close) its topics. */
  add(ws: Socket, context: Context, deflate: DeflateConfig | undefined): void {
    this.#connections.set(ws, { context, dropped: 0, deflate });
    if (this.#settings.clientTracking) this.clients.add(ws);
    const heartbeat = this.#heartbeat;
    if (heartbeat !== undefined) {
      heartbeat.add(ws);
      ws.on('pong', this.#onPong!);
    }
    // 'close' is emitted once; `on` spares the wrapper objects of `once`, and removal is idempotent.
    ws.on('close', this.#onClose);
  }

  /** `ws` closed: forget it everywhere. */
  #remove(ws: Socket): void {
    if (!this.#connections.delete(ws)) return;
    this.clients.delete(ws);
    this.#topics.unsubscribeAll(ws);
    this.#heartbeat?.delete(ws);
    if (this.#connections.size === 0) for (const resolve of this.#emptyWaiters.splice(0)) resolve();
  }

  /** Resolves once no connection is open (at once when none is). */
  whenEmpty(): Promise<void> {
    if (this.#connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#emptyWaiters.push(resolve));
  }

  /** Stop pinging (the server is shutting down); connections stay tracked until they close. */
  stopHeartbeat(): void {
    this.#heartbeat?.stop();
  }

  /** Subscribe `ws` to `topic`. False when already subscribed or not an open connection of ours. */
  subscribe(ws: Socket, topic: string): boolean {
    if (typeof topic !== 'string') throw new TypeError('subscribe(ws, topic): topic must be a string.');
    if (!this.#connections.has(ws)) return false;
    return this.#topics.subscribe(ws, topic);
  }

  /** Unsubscribe `ws` from `topic`. False when it was not subscribed. */
  unsubscribe(ws: Socket, topic: string): boolean {
    return this.#topics.unsubscribe(ws, topic);
  }

  /** The topics `ws` is subscribed to (a new array). */
  topicsOf(ws: Socket): string[] {
    return this.#topics.topicsOf(ws);
  }

  /** The live set of subscribers of `topic`, or undefined when it has none. Do not mutate it. */
  subscribersOf(topic: string): ReadonlySet<Socket> | undefined {
    return this.#topics.subscribersOf(topic);
  }

  /** The topics at least one connection is subscribed to. */
  topics(): IterableIterator<string> {
    return this.#topics.topics();
  }

  /** How many connections are subscribed to `topic`. */
  subscriberCount(topic: string): number {
    return this.#topics.subscriberCount(topic);
  }

  /** How many topics have at least one subscriber. */
  get topicCount(): number {
    return this.#topics.topicCount;
  }
}
