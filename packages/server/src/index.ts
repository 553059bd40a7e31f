export { WebSocketServer } from './lib/websocket-server.ts';
export type { WebSocketServerEvents } from './lib/websocket-server.ts';
export type { BroadcastData, BroadcastOptions } from './lib/broadcast.ts';
export type { Adapter, AdapterHost, AdapterMessage, AdapterNode } from './lib/adapter.ts';
export { createInProcessAdapter } from './lib/in-process-adapter.ts';
export type { CloseOptions } from './lib/shutdown.ts';
export type { UpgradeCallback, UpgradeExtensions } from './lib/upgrade.ts';
export type { StreamCallback } from './lib/h2-upgrade.ts';
export { DEFAULTS } from './lib/options.ts';
export type {
  Authenticate,
  BackpressurePolicy,
  HandleProtocols,
  HeadersOption,
  OriginOption,
  ResolvedDeflateOptions,
  ResolvedOptions,
  ServerDeflateOptions,
  WebSocketServerOptions,
} from './lib/options.ts';
export type {
  ResolvedWsOptions,
  VerifyClient,
  VerifyClientCallback,
  VerifyClientInfo,
  WsDeflateOptions,
  WsServerOptions,
  WsZlibDeflateOptions,
} from './lib/ws-options.ts';
export { HttpError, ServerError, ServerErrorCode, isHttpErrorLike } from './lib/server-error.ts';
export type { HttpErrorHeaders, HttpErrorLike } from './lib/server-error.ts';
export { ServerWebSocket } from './lib/connection.ts';
export type { ServerWebSocketClass } from './lib/connection.ts';
export type { HeartbeatOptions } from './lib/heartbeat.ts';
