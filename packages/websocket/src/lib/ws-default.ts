/**
 * ws's module shape: its default export (and its CommonJS `module.exports`) is the `WebSocket`
 * class itself, carrying `WebSocket.WebSocket`, `WebSocket.Server`, `WebSocket.WebSocketServer`
 * and `WebSocket.createWebSocketStream`, so `import WebSocket from 'ws'` followed by
 * `new WebSocket.Server({ port })` works unchanged with this package. The properties are set on
 * @rfc6455/client's class once, when this module is first loaded (ws's index.js does the same), so
 * the default export, `import { WebSocket }` and the client package's class are one object and
 * `instanceof` holds across them.
 */
import { WebSocket as ClientWebSocket, createWebSocketStream } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';

/** The static properties ws's `WebSocket` class has beyond the client's own. */
export interface WsStatics {
  /** The class itself (`const { WebSocket } = require('ws')`). */
  readonly WebSocket: typeof ClientWebSocket & WsStatics;
  /** The server class, ws's old name. */
  readonly Server: typeof WebSocketServer;
  /** The server class. */
  readonly WebSocketServer: typeof WebSocketServer;
  /** A `Duplex` over a connection. */
  readonly createWebSocketStream: typeof createWebSocketStream;
}

for (const [name, value] of [
  ['WebSocket', ClientWebSocket],
  ['Server', WebSocketServer],
  ['WebSocketServer', WebSocketServer],
  ['createWebSocketStream', createWebSocketStream],
] as const) {
  if (!Object.hasOwn(ClientWebSocket, name)) Object.defineProperty(ClientWebSocket, name, { value, enumerable: true });
}

/** The Node `WebSocket` class of @rfc6455/client, with ws's static properties ({@link WsStatics}). */
export const WebSocket = ClientWebSocket as typeof ClientWebSocket & WsStatics;
/** A connection (the instance type of {@link WebSocket}). */
export type WebSocket = ClientWebSocket;
