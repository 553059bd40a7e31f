export { WebSocket, connect } from './lib/websocket.ts';
export type { WebSocketOptions, ReconnectOptions, UrlSource, ProtocolsSource, MessageData } from './lib/options.ts';
export type { BackoffOptions } from './lib/backoff.ts';
export type { EventHandler } from './lib/event-surface.ts';
export {
  WebSocketMessageEvent,
  WebSocketCloseEvent,
  WebSocketErrorEvent,
  ReconnectEvent,
  ReconnectedEvent,
  GiveUpEvent,
} from './lib/events.ts';
// The Node client's event class names, so code written against either reads the same.
export {
  WebSocketMessageEvent as MessageEvent,
  WebSocketCloseEvent as CloseEvent,
  WebSocketErrorEvent as ErrorEvent,
} from './lib/events.ts';
export type { WebSocketEventMap } from './lib/events.ts';
export { BrowserError, BrowserErrorCode, InvalidJsonError } from './lib/errors.ts';
export type { SendData } from './lib/send-data.ts';
export type { NativeWebSocket, NativeWebSocketConstructor, BrowserEnvironment, ListenerTarget } from './lib/native.ts';
// Everything @rfc6455/codes exports (close constants, CloseCode, ErrorCode, WebSocketError,
// closeStatus, ready states …), re-exported whole so this list cannot fall behind it.
export * from '@rfc6455/codes';
