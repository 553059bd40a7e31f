export { WebSocket, connect } from './lib/websocket.ts';
export { normalizeUrl } from './lib/url.ts';
export type { WebSocketOptions, ReconnectOptions, UrlSource, MessageData } from './lib/options.ts';
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
export { BrowserErrorCode, InvalidJsonError } from './lib/errors.ts';
export { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from './lib/backoff.ts';
export type { BackoffOptions } from './lib/backoff.ts';
export { utf8ByteLength } from './lib/send-data.ts';
export type { SendData } from './lib/send-data.ts';
export type { NativeWebSocket, NativeWebSocketConstructor, BrowserEnvironment, ListenerTarget } from './lib/native.ts';
export {
  WS_OK,
  WS_GONE,
  WS_PROTOCOL_ERROR,
  WS_NOT_ACCEPTABLE,
  WS_NO_STATUS,
  WS_CLOSED_ABNORMALLY,
  WS_BAD_MESSAGE,
  WS_FORBIDDEN,
  WS_MESSAGE_TOO_LARGE,
  WS_EXTENSIONS_NOT_AVAILABLE,
  WS_INTERNAL_SERVER_ERROR,
  WS_SERVICE_RESTART,
  WS_TRY_AGAIN_LATER,
  WS_BAD_GATEWAY,
  WS_TLS_HANDSHAKE_FAIL,
  CloseCode,
  WebSocketError,
  isWebSocketError,
  closeStatus,
} from '@rfc6455/codes';
