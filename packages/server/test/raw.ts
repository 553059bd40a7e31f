/**
 * Raw node:net helpers for tests: send exact request bytes, read exact response bytes.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** The port a server listens on. */
export function portOf(address: AddressInfo | string | null): number {
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

/** Open a TCP connection to 127.0.0.1:port. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Write `request` and collect everything the server sends until it closes the connection. */
export async function exchange(port: number, request: string): Promise<string> {
  const socket = await openSocket(port);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(request);
  });
}

/** A valid upgrade request for `path` with extra header lines. */
export function upgradeRequest(path = '/', extra: Record<string, string> = {}, key = 'dGhlIHNhbXBsZSBub25jZQ=='): string {
  let text = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  for (const [name, value] of Object.entries(extra)) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}

/** The status code of a raw HTTP response. */
export function statusOf(response: string): number {
  return Number(response.slice(9, 12));
}

/** The value of header `name` in a raw HTTP response (case-insensitive), or undefined. */
export function headerOf(response: string, name: string): string | undefined {
  const head = response.slice(0, response.indexOf('\r\n\r\n'));
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (line.slice(0, colon).toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** The body of a raw HTTP response. */
export function bodyOf(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

/**
 * Complete a handshake on a raw socket and resolve with the socket and any bytes after the 101
 * head, for tests that play a misbehaving peer.
 */
export async function rawHandshake(port: number, path = '/'): Promise<{ socket: Socket; head: string; rest: Buffer }> {
  const socket = await openSocket(port);
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.removeListener('data', onData);
      resolve({ socket, head: buffer.subarray(0, end + 4).toString('latin1'), rest: buffer.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(upgradeRequest(path));
  });
}
