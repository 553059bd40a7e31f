/**
 * The server end of a connection: `ServerWebSocket`, @rfc6455/client's `WebSocket` in the server
 * role plus what only a server's connection has (its topics and its typed context). The server
 * constructs it (or the user's subclass) through `WebSocket.fromSocket`, so the object has its
 * class from the start; the link back to the server is a private field set by {@link wrapSocket},
 * keeping the client package free of any server import (the layering of docs/architecture.md).
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from '@rfc6455/client';
import type { Extension } from '@rfc6455/protocol';

/** The topic operations a server gives its connections: one object per server, shared by all of them. */
export interface ServerBinding {
  subscribe(ws: ServerWebSocket, topic: string): boolean;
  unsubscribe(ws: ServerWebSocket, topic: string): boolean;
  topicsOf(ws: ServerWebSocket): string[];
}

/** Link a just-wrapped connection to its server and context (a ServerWebSocket only); set by the static block of {@link ServerWebSocket}. */
let bind: (ws: ServerWebSocket | WebSocket, binding: ServerBinding, context: unknown) => void;

/**
 * A connection accepted by a `WebSocketServer`: everything of @rfc6455/client's `WebSocket`, plus
 * `subscribe`/`unsubscribe`/`topics` (uWebSockets' per-connection topic API) and `context` (what
 * `authenticate` returned). Extend it and pass the class as the server's `WebSocket` option to
 * give connections methods and state of your own (the Perl seed's custom connection class).
 */
// The default context is `any` so that a bare `ServerWebSocket` annotation fits the connections of any server.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class ServerWebSocket<Context = any> extends WebSocket {
  static {
    bind = (ws, binding, context) => {
      // The WebSocket option may also be the client's own class, which has no topics or context.
      if (!(#binding in ws)) return;
      ws.#binding = binding;
      ws.#context = context;
    };
  }

  // Two fields rather than a per-connection object or WeakMap entry: the binding is the server's.
  #binding: ServerBinding | undefined = undefined;
  #context: unknown = undefined;

  /** The value `authenticate` returned for this connection (`undefined` without `authenticate`). */
  get context(): Context {
    return this.#context as Context;
  }

  /**
   * Subscribe to `topic` so that the server's `publish(topic, …)` reaches this connection.
   * Returns false when already subscribed or no longer open. @throws {TypeError} for a non-string topic.
   */
  subscribe(topic: string): boolean {
    if (typeof topic !== 'string') throw new TypeError('subscribe(topic): topic must be a string.');
    return this.#binding?.subscribe(this, topic) ?? false;
  }

  /** Leave `topic`. Returns false when not subscribed. @throws {TypeError} for a non-string topic. */
  unsubscribe(topic: string): boolean {
    if (typeof topic !== 'string') throw new TypeError('unsubscribe(topic): topic must be a string.');
    return this.#binding?.unsubscribe(this, topic) ?? false;
  }

  /** The topics this connection is subscribed to (a new array; empty once closed). */
  get topics(): string[] {
    return this.#binding?.topicsOf(this) ?? [];
  }
}

/**
 * A connection class the server may construct: ServerWebSocket or a subclass of it, or (as ws
 * allows) @rfc6455/client's WebSocket or a subclass of it, whose connections lack only the
 * topic methods and `context` of their own (the server's `subscribe(ws, topic)` and
 * `contextOf(ws)` work for them).
 */
export type ServerWebSocketClass<T extends WebSocket = ServerWebSocket> = {
  fromSocket: typeof WebSocket.fromSocket;
  prototype: T;
};

/** What {@link wrapSocket} needs to configure the connection. */
export interface WrapOptions {
  readonly protocol: string;
  readonly extensions: string;
  readonly extensionHandlers: readonly Extension[];
  readonly maxPayloadLength: number;
  readonly maxMessageLength: number;
  readonly maxFragments: number;
  readonly closeTimeoutMs: number;
  readonly autoPong: boolean;
  readonly skipUtf8Validation: boolean;
  readonly allowSynchronousEvents: boolean;
  /** undefined: the protocol's default. */
  readonly maxBufferedChunks: number | undefined;
}

/** Turn an upgraded socket (the 101 already written) into an OPEN connection of class `Class`. */
export function wrapSocket<T extends ServerWebSocket>(
  Class: ServerWebSocketClass<T>,
  socket: Duplex,
  head: Buffer,
  options: WrapOptions,
  binding: ServerBinding,
  context: unknown,
): T {
  const ws = Class.fromSocket.call(Class as never, socket, head, {
    role: 'server',
    protocol: options.protocol,
    extensions: options.extensions,
    extensionHandlers: options.extensionHandlers,
    maxPayloadLength: options.maxPayloadLength,
    maxMessageLength: options.maxMessageLength,
    maxFragments: options.maxFragments,
    closeTimeoutMs: options.closeTimeoutMs,
    autoPong: options.autoPong,
    skipUTF8Validation: options.skipUtf8Validation,
    allowSynchronousEvents: options.allowSynchronousEvents,
    ...(options.maxBufferedChunks === undefined ? {} : { maxBufferedChunks: options.maxBufferedChunks }),
  }) as unknown as T;
  if (!((ws as unknown) instanceof WebSocket)) {
    (ws as WebSocket).terminate();
    throw new TypeError('WebSocketServer: the WebSocket option must be WebSocket, ServerWebSocket or a class extending one of them.');
  }
  bind(ws, binding, context);
  return ws;
}
