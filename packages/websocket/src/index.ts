export * from './lib/codes.ts';
export { WebSocket, ClientError } from '@rfc6455/client';
export type { PerMessageDeflateOptions, SendData, SendOptions, WebSocketOptions } from '@rfc6455/client';
export { WebSocketServer, ServerWebSocket, HttpError, ServerError } from '@rfc6455/server';
export type { BroadcastOptions, ServerDeflateOptions, WebSocketServerOptions } from '@rfc6455/server';
export { createClient, connect, client } from './lib/create-client.ts';
export type { CreateClientOptions } from './lib/create-client.ts';
export { createServer, server } from './lib/create-server.ts';
export type { CreateServerOptions } from './lib/create-server.ts';
