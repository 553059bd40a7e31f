/**
 * A small WebSocket server for the client's tests, built from node:http's 'upgrade' event, the
 * handshake package and a server-role Protocol — no ws, no @rfc6455/server. Each connection
 * records what it received, and echoes messages unless told otherwise.
 */
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflateServerNegotiator } from '@rfc6455/deflate';
import { PerMessageDeflate } from '@rfc6455/deflate/node';
import { acceptClientRequest, buildErrorResponse } from '@rfc6455/handshake';
import { Protocol } from '@rfc6455/protocol';
import type { Extension } from '@rfc6455/protocol';

/** One accepted connection, server side. */
export class PeerConnection extends EventEmitter {
  readonly protocol: Protocol;
  readonly messages: Array<{ data: Buffer; isBinary: boolean }> = [];
  readonly pings: Buffer[] = [];
  readonly pongs: Buffer[] = [];
  closed: { code: number; reason: string; wasClean: boolean } | undefined;
  readonly closing: Promise<{ code: number; reason: string; wasClean: boolean }>;

  constructor(
    readonly socket: Socket,
    readonly request: IncomingMessage,
    options: { echo: boolean; autoPong: boolean; extensions: Extension[] },
  ) {
    super();
    let done!: (value: { code: number; reason: string; wasClean: boolean }) => void;
    this.closing = new Promise((resolve) => (done = resolve));
    this.protocol = new Protocol({
      role: 'server',
      autoPong: options.autoPong,
      extensions: options.extensions,
      maxPayloadLength: 64 * 1024 * 1024,
      maxMessageLength: 64 * 1024 * 1024,
      handler: {
        onWrite: (data) => socket.write(data),
        onMessage: (data, isBinary) => {
          const copy = Buffer.from(data);
          this.messages.push({ data: copy, isBinary });
          this.emit('message', copy, isBinary);
          if (options.echo && this.protocol.state === 'OPEN') {
            if (isBinary) this.protocol.sendBinary(copy);
            else this.protocol.sendText(copy);
          }
        },
        onPing: (payload) => {
          this.pings.push(Buffer.from(payload));
          this.emit('ping', Buffer.from(payload));
        },
        onPong: (payload) => {
          this.pongs.push(Buffer.from(payload));
          this.emit('pong', Buffer.from(payload));
        },
        onClosing: () => undefined,
        onClose: (code, reason, wasClean) => {
          this.closed = { code, reason, wasClean };
          socket.end();
          done(this.closed);
        },
        onError: (err) => this.emit('protocol-error', err),
      },
    });
    socket.on('data', (chunk: Buffer) => this.protocol.receiveData(chunk));
    socket.on('end', () => this.protocol.receiveEof());
    socket.on('close', () => this.protocol.receiveEof());
    socket.on('error', () => undefined);
  }
}

/** Options of {@link startPeer}. */
export interface PeerOptions {
  /** Echo every message back (default true). */
  echo?: boolean;
  /** Answer pings (default true). */
  autoPong?: boolean;
  /** Subprotocols the server supports. */
  protocols?: string[];
  /** Serve TLS with this key and certificate. */
  tls?: { key: string; cert: string };
  /** Accept permessage-deflate offers (compressing every message: threshold 0). */
  deflate?: boolean;
  /** Take over the upgrade request yourself (write a raw answer); return true when handled. */
  onUpgrade?: (request: IncomingMessage, socket: Socket, head: Buffer) => boolean;
}

/** A running test server. */
export interface Peer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  readonly connections: PeerConnection[];
  readonly requests: IncomingMessage[];
  /** Resolves with the next accepted connection (or the latest if one is already waiting). */
  nextConnection(): Promise<PeerConnection>;
  close(): Promise<void>;
}

/** Start a WebSocket test server on 127.0.0.1 and a free port. */
export async function startPeer(options: PeerOptions = {}): Promise<Peer> {
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }) : createHttpServer();
  const connections: PeerConnection[] = [];
  const requests: IncomingMessage[] = [];
  const waiting: Array<(c: PeerConnection) => void> = [];
  let taken = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    requests.push(request);
    socket.on('error', () => undefined);
    if (options.onUpgrade?.(request, socket, head)) return;
    const negotiator = createDeflateServerNegotiator();
    let accepted;
    try {
      accepted = acceptClientRequest(
        { method: request.method ?? 'GET', httpVersion: request.httpVersion, headers: request.rawHeaders },
        { protocols: options.protocols ?? [], extensions: options.deflate ? [negotiator] : [] },
      );
    } catch (err) {
      const e = err as { status: number; message: string };
      socket.end(buildErrorResponse(e.status, e.message));
      return;
    }
    socket.write(accepted.response);
    const extensions: Extension[] = accepted.extensions.map(
      (extension) => new PerMessageDeflate({ role: 'server', config: negotiator.configure(extension.params), compressionThreshold: 0 }),
    );
    const connection = new PeerConnection(socket, request, { echo: options.echo ?? true, autoPong: options.autoPong ?? true, extensions });
    connections.push(connection);
    if (head.length > 0) connection.protocol.receiveData(head);
    const next = waiting.shift();
    if (next !== undefined) {
      taken++;
      next(connection);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    connections,
    requests,
    nextConnection() {
      if (connections.length > taken) return Promise.resolve(connections[taken++]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl at test time. */
export function makeCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rfc6455-client-'));
  try {
    const key = join(dir, 'k');
    const cert = join(dir, 'c');
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolve with the arguments of the next `event` of `emitter`. */
export function once<T extends unknown[]>(emitter: EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T)));
}
