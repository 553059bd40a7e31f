/**
 * The adapter seam: how a server's `publish` and `broadcast` reach the connections of other
 * server processes or machines. A server keeps its own connections and topics (the registry) and
 * delivers to them itself, encoding each message once (broadcast.ts); an adapter carries each
 * message to the other nodes, where their servers deliver it the same way, and learns which topics
 * this node needs so it forwards only what someone here subscribes to.
 *
 * The default is the in-process adapter (in-process-adapter.ts): no dependency, nothing to forward
 * to when a server is alone. @rfc6455/redis forwards through Redis, between the processes of one
 * machine (node:cluster workers, its examples/cluster.ts) or of many.
 */

/** One message crossing nodes: a publish to `topic`, or a broadcast when `topic` is undefined. */
export interface AdapterMessage {
  /** The topic of a publish; undefined for a broadcast to every connection. */
  readonly topic: string | undefined;
  /** The payload, as it goes on the wire (UTF-8 for a text message). */
  readonly data: Uint8Array;
  /** Whether it goes out in a binary frame (otherwise a text frame). */
  readonly binary: boolean;
}

/** What a server offers the adapter it is attached to. */
export interface AdapterHost {
  /**
   * Deliver a message that came from another node to this node's connections (a topic's
   * subscribers, or everyone for a broadcast), with one encoded frame and the server's
   * backpressure policy. Returns how many connections it was written to. Never throws for a
   * message in the shape of {@link AdapterMessage}.
   */
  deliver(message: AdapterMessage): number;
  /** The topics at least one connection of this node is subscribed to (to subscribe again after a reconnect). */
  topics(): IterableIterator<string>;
  /** Whether at least one connection of this node is subscribed to `topic`. */
  hasSubscribers(topic: string): boolean;
}

/**
 * One server's link through an adapter, returned by {@link Adapter.attach}. The server calls it
 * synchronously from `subscribe`, `unsubscribe`, `publish` and `broadcast`; whatever the adapter
 * must do remotely it does in the background, and it reports the outcome of a forward through the
 * promise it returns.
 */
export interface AdapterNode {
  /**
   * The first connection of this node subscribed to `topic`: start receiving it from the other
   * nodes. May throw a `TypeError` for a topic the adapter cannot carry; the subscription is then
   * not made.
   */
  subscribe(topic: string): void;
  /** The last connection of this node left `topic` (or closed): stop receiving it. */
  unsubscribe(topic: string): void;
  /**
   * Hand a publish or broadcast to the other nodes (never back to this one: the server delivers to
   * its own connections). Called before the local delivery, so it may throw a `TypeError` or a
   * `RangeError` (a topic it cannot carry, a message over its size limit) and nothing is sent
   * anywhere. Returns `undefined` when there is nobody to forward to, or a promise that resolves
   * once the message is handed on and rejects with the reason it could not be.
   */
  forward(message: AdapterMessage): Promise<void> | undefined;
  /** The server is shutting down (its connections have closed): stop, and release what the node holds. */
  close(): Promise<void>;
}

/**
 * Carries publishes and broadcasts between servers. Pass one as the `adapter` option of
 * `WebSocketServer`; the server calls {@link attach} once, from its constructor.
 */
export interface Adapter {
  /**
   * Join a server to this adapter. An adapter may accept several servers (the in-process adapter
   * does) or only one (it then throws a `TypeError` on the second).
   */
  attach(host: AdapterHost): AdapterNode;
}
