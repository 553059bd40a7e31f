export * from './lib/codes.ts';
export { WebSocket, WebSocket as default, connect } from '@rfc6455/browser';
export type { MessageData, ReconnectOptions, UrlSource, WebSocketOptions } from '@rfc6455/browser';
export { createClient, client } from './lib/create-browser-client.ts';
