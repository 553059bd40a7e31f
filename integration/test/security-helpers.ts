/**
 * Helpers for the security regression tests: a raw TCP peer that speaks just enough WebSocket to
 * misbehave on purpose, frame builders, and a small frame reader for what our side answers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** RFC 6455 §1.3: the GUID appended to the key before hashing. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The `Sec-WebSocket-Accept` value for `key`. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** Encode one frame. `mask` set → masked with that key (client → server); the length form is always minimal unless `length` overrides it. */
export function frame(opcode: number, payload: Uint8Array, opts: { fin?: boolean; rsv1?: boolean; mask?: Uint8Array } = {}): Buffer {
  const fin = opts.fin ?? true;
  const len = payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (opts.rsv1 ? 0x40 : 0) | opcode];
  const maskBit = opts.mask ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 65536) head.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    head.push(maskBit | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  const body = Buffer.from(payload);
  if (opts.mask) {
    for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ opts.mask[i & 3]!;
    return Buffer.concat([Buffer.from(head), Buffer.from(opts.mask), body]);
  }
  return Buffer.concat([Buffer.from(head), body]);
}

/** A frame as read back from the wire (payload unmasked). */
export interface WireFrame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
  /** The frame's bytes exactly as they were on the wire. */
  raw: Buffer;
}

/** Split a byte stream into frames (lengths < 2^32 only; enough for what our endpoints send). */
export function readFrames(bytes: Buffer): WireFrame[] {
  const frames: WireFrame[] = [];
  let i = 0;
  while (i + 2 <= bytes.length) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1]!;
    let len = b1 & 0x7f;
    let p = i + 2;
    if (len === 126) {
      len = bytes.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      len = bytes.readUInt32BE(p + 4);
      p += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? bytes.subarray(p, p + 4) : undefined;
    if (masked) p += 4;
    if (p + len > bytes.length) break;
    const payload = Buffer.from(bytes.subarray(p, p + len));
    if (key) for (let k = 0; k < payload.length; k++) payload[k] = payload[k]! ^ key[k & 3]!;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload, raw: Buffer.from(bytes.subarray(i, p + len)) });
    i = p + len;
  }
  return frames;
}

/** The close frame we expect for `code` and `reason`, unmasked (server → client). */
export function closeBytes(code: number, reason = ''): Buffer {
  const r = Buffer.from(reason);
  return Buffer.concat([Buffer.from([0x88, 2 + r.length, code >> 8, code & 0xff]), r]);
}

/** A raw client socket after a successful opening handshake, collecting everything the server sends. */
export interface RawClient {
  socket: Socket;
  /** Bytes received after the 101 head. */
  received(): Buffer;
  /** Resolves when the server ends or destroys the connection. */
  closed: Promise<void>;
}

/** Connect to `port`, do the opening handshake by hand (extra header lines allowed) and return the raw socket. */
export async function rawClient(port: number, extraHeaders: string[] = []): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  const key = randomBytes(16).toString('base64');
  socket.write(
    [
      'GET / HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
      ...extraHeaders,
      '',
      '',
    ].join('\r\n'),
  );
  let buf = Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let headDone = false;
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      if (headDone) {
        chunks.push(chunk);
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      headDone = true;
      const head = buf.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101') || !head.includes(`Sec-WebSocket-Accept: ${acceptFor(key)}`)) {
        reject(new Error(`handshake failed: ${head}`));
        return;
      }
      chunks.push(buf.subarray(end + 4));
      resolve();
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed during handshake')));
  });
  return { socket, received: () => Buffer.concat(chunks), closed };
}

/** Send a raw HTTP request head and collect the whole answer until the server closes (or `ms` pass). */
export async function rawRequest(port: number, head: string, ms = 5000): Promise<{ text: string; closedByServer: boolean }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write(head);
  const closedByServer = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
  socket.destroy();
  return { text: Buffer.concat(chunks).toString('latin1'), closedByServer };
}

/** A raw server: answers the opening handshake itself (with `extraResponse` header lines), then hands the socket over. */
export async function rawServer(
  onSocket: (socket: Socket, request: string, head: Buffer) => void,
  extraResponse: (request: string) => string[] = () => [],
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const request = buf.subarray(0, end).toString('latin1');
      const key = /sec-websocket-key:\s*(\S+)/i.exec(request)?.[1] ?? '';
      socket.write(
        [
          'HTTP/1.1 101 Switching Protocols',
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Accept: ${acceptFor(key)}`,
          ...extraResponse(request),
          '',
          '',
        ].join('\r\n'),
      );
      onSocket(socket, request, buf.subarray(end + 4));
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fixed client mask key, so expected bytes are reproducible. */
export const MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

/** Wait until `check()` is true, polling every `everyMs`, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, everyMs = 10): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The stable `code` of an error event's error (`WebSocketError`s carry one). */
export function codeOf(err: Error): string {
  return String((err as Error & { code?: unknown }).code);
}
