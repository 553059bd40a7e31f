/**
 * The one place where the server meets @rfc6455/client's `WebSocket`: wrapping an upgraded socket
 * as the server end of a connection, and writing a frame that was encoded once for many sockets.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from '@rfc6455/client';

/** The server end of a connection: @rfc6455/client's `WebSocket` in the server role. */
export type ServerWebSocket = WebSocket;

/** What {@link wrapSocket} needs to configure the connection. */
export interface WrapOptions {
  readonly protocol: string;
  readonly maxPayloadLength: number;
  readonly maxMessageLength: number;
  readonly maxFragments: number;
  readonly closeTimeoutMs: number;
}

/** Turn an upgraded socket (the 101 already written) into an OPEN server-role WebSocket. */
export function wrapSocket(socket: Duplex, head: Buffer, options: WrapOptions): ServerWebSocket {
  return WebSocket.fromSocket(socket, head, {
    role: 'server',
    protocol: options.protocol,
    extensions: '',
    maxPayloadLength: options.maxPayloadLength,
    maxMessageLength: options.maxMessageLength,
    maxFragments: options.maxFragments,
    closeTimeoutMs: options.closeTimeoutMs,
  });
}

/** Write a pre-encoded frame (the same bytes for every receiver of a broadcast). */
export function sendEncodedFrame(ws: ServerWebSocket, frame: Uint8Array): void {
  ws.sendFrame(frame);
}

/** `WebSocket.OPEN`, the readyState in which a connection can be written to. */
export const OPEN = 1;
