export { WebSocketServer } from './lib/websocket-server.ts';
export type {
  BroadcastData,
  BroadcastOptions,
  CloseOptions,
  UpgradeCallback,
  WebSocketServerEvents,
} from './lib/websocket-server.ts';
export { DEFAULTS } from './lib/options.ts';
export type {
  Authenticate,
  BackpressurePolicy,
  HandleProtocols,
  HeadersOption,
  OriginOption,
  ResolvedOptions,
  ServerDeflateOptions,
  WebSocketServerOptions,
} from './lib/options.ts';
export { HttpError, ServerError, isHttpErrorLike } from './lib/server-error.ts';
export type { HttpErrorHeaders, HttpErrorLike, ServerErrorCode } from './lib/server-error.ts';
export { ServerWebSocket } from './lib/connection.ts';
export type { ServerWebSocketClass } from './lib/connection.ts';
export { TopicRegistry } from './lib/topics.ts';
export { Heartbeat } from './lib/heartbeat.ts';
export type { HeartbeatOptions, HeartbeatTarget } from './lib/heartbeat.ts';
