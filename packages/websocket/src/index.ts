export * from '@rfc6455/codes';
export * from '@rfc6455/client';
export * from '@rfc6455/server';
// Both the client and the server name a type HeartbeatOptions: the client's (a connection's
// heartbeat) keeps the name, the server's Heartbeat class options get a prefixed one.
export type { HeartbeatOptions } from '@rfc6455/client';
export type { HeartbeatOptions as ServerHeartbeatOptions } from '@rfc6455/server';
export { createClient, connect, client } from './lib/create-client.ts';
export type { CreateClientOptions } from './lib/create-client.ts';
export { createServer, server, serverSupportsDeflate } from './lib/create-server.ts';
export type { CreateServerOptions, ServerCompressionOptions } from './lib/create-server.ts';
export { withCompressionThreshold } from './lib/compression.ts';
export type { CompressionSettings } from './lib/compression.ts';
