/**
 * A client that speaks raw TCP to a server under test: exact request bytes out, exact response
 * bytes in, and an opening handshake done by hand so a test can then misbehave on purpose.
 * Loopback only.
 */
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { SAMPLE_KEY, acceptKey, headerOf, newKey, statusOf, upgradeRequest } from './http-head.ts';
import type { HeaderLines } from './http-head.ts';

/** The port a server listens on (from `server.address()`); throws when it is not listening on TCP. */
export function portOf(address: AddressInfo | string | null): number {
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

/** Open a TCP connection to 127.0.0.1:`port` (Nagle off, so each write leaves at once). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** What the server answered to a raw request. */
export interface RawResponse {
  /** Every byte received, as latin1 text. */
  text: string;
  /** Whether the server ended the connection (rather than the time running out). */
  closedByServer: boolean;
}

/**
 * Write `request` as it is and collect the answer until the server closes the connection or
 * `timeoutMs` pass (then the socket is destroyed). A reset counts as the server closing.
 */
export async function rawRequest(port: number, request: string | Uint8Array, timeoutMs = 5000): Promise<RawResponse> {
  const socket = await openSocket(port);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closedByServer = await new Promise<boolean>((resolve) => {
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => resolve(false), timeoutMs) : undefined;
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.write(request);
  });
  socket.destroy();
  return { text: Buffer.concat(chunks).toString('latin1'), closedByServer };
}

/** Write `request` and resolve with everything the server sends until it closes the connection. */
export async function exchange(port: number, request: string | Uint8Array): Promise<string> {
  return (await rawRequest(port, request, Number.POSITIVE_INFINITY)).text;
}

/** Options of {@link rawHandshake}. */
export interface RawHandshakeOptions {
  /** Header lines added to the upgrade request (see `upgradeRequest`). */
  headers?: HeaderLines;
  /** The Sec-WebSocket-Key to send; the RFC's sample nonce when left out. */
  key?: string;
  /** Reject unless the answer is `101` with the accept value of `key` (RFC 6455 §4.1, client steps 1–4). */
  verify?: boolean;
}

/** A raw socket past the opening handshake. */
export interface RawHandshake {
  socket: Socket;
  /** The response head, up to and including the blank line, as latin1 text. */
  head: string;
  /** Bytes that came after the head in the same reads (the first frames, possibly). */
  rest: Buffer;
  /** The Sec-WebSocket-Key that was sent. */
  key: string;
}

/**
 * Connect, send an upgrade request for `path` and read the response head. Once it resolves nothing
 * listens for data: attach a `data` listener at once (in the same turn), or frames are lost. Socket
 * errors after the head are swallowed; the socket's 'close' tells the test the connection is gone.
 */
export async function rawHandshake(port: number, path = '/', options: RawHandshakeOptions = {}): Promise<RawHandshake> {
  const { headers = {}, key = SAMPLE_KEY, verify = false } = options;
  const socket = await openSocket(port);
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const fail = (err: Error): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.destroy();
      reject(err);
    };
    const onClose = (): void => fail(new Error(`connection closed during the handshake: ${JSON.stringify(buffer.toString('latin1'))}`));
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', fail);
      // From here the test watches the connection through 'close'; a reset must not crash it.
      socket.on('error', () => {});
      const head = buffer.subarray(0, end + 4).toString('latin1');
      if (verify && (statusOf(head) !== 101 || headerOf(head, 'sec-websocket-accept') !== acceptKey(key))) {
        fail(new Error(`handshake refused: ${head.trim()}`));
        return;
      }
      resolve({ socket, head, rest: buffer.subarray(end + 4), key });
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', fail);
    socket.write(upgradeRequest(path, headers, key));
  });
}

/** A raw client past a verified opening handshake, keeping everything the server sends. */
export interface RawClient {
  socket: Socket;
  /** The response head. */
  head: string;
  /** Every byte received after the response head, so far. */
  received(): Buffer;
  /** Resolves when the connection is gone (ended, reset or destroyed by either side). */
  closed: Promise<void>;
}

/** Connect with a fresh key, complete a verified handshake for `path` and start collecting what the server sends. */
export async function rawClient(port: number, path = '/', headers: HeaderLines = {}): Promise<RawClient> {
  const { socket, head, rest } = await rawHandshake(port, path, { headers, key: newKey(), verify: true });
  const chunks: Buffer[] = [rest];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, head, received: () => Buffer.concat(chunks), closed };
}
