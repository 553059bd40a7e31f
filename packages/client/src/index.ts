export { WebSocket } from './lib/websocket.ts';
export { createWebSocketStream } from './lib/websocket-stream.ts';
export type { WebSocketStreamOptions } from './lib/websocket-stream.ts';
export type {
  BinaryType,
  FromSocketOptions,
  HttpVersion,
  SendCallback,
  SendData,
  SendOptions,
  WebSocketClass,
  WsSendData,
  WebSocketEventMap,
  WebSocketListener,
} from './lib/websocket.ts';
export { ClientError, ClientErrorCode, BODY_EXCERPT_BYTES } from './lib/client-error.ts';
export type { ClientErrorOptions } from './lib/client-error.ts';
export { CloseEvent, ErrorEvent, MessageEvent, WebSocketEvent } from './lib/events.ts';
export type { EventListenerLike } from './lib/events.ts';
export { DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_REDIRECTS } from './lib/options.ts';
// The limits' defaults are the protocol's (the server uses them too): one number per name.
export { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_LENGTH } from '@rfc6455/protocol';
export type {
  ConnectionLimits,
  CreateConnection,
  HeartbeatOptions,
  PassThroughOptionName,
  PassThroughOptions,
  PerMessageDeflateOptions,
  WebSocketOptions,
} from './lib/options.ts';
