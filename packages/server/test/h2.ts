/**
 * HTTP/2 test helpers: a self-signed certificate made with openssl at test time, http2 servers on
 * loopback with a WebSocketServer attached, and raw http2 sessions for requests our client would
 * never send. Everything is closed by the harness's cleanups.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as http2Connect, createSecureServer, createServer } from 'node:http2';
import type { ClientHttp2Session, Http2SecureServer, Http2Server, Http2ServerRequest, Http2ServerResponse, IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerWebSocket } from '../src/lib/connection.ts';
import { WebSocketServer } from '../src/lib/websocket-server.ts';
import type { TestServerOptions } from './harness.ts';

let certificate: { key: string; cert: string } | undefined;

/** A self-signed P-256 certificate for localhost and 127.0.0.1 (made once per test file). */
export function testCertificate(): { key: string; cert: string } {
  if (certificate !== undefined) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'rfc6455-h2-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert],
      { stdio: 'ignore' },
    );
    certificate = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How {@link listenH2} makes its http2 server. */
export interface H2ServerOptions {
  /** TLS (h2) or cleartext (h2c). Default true. */
  secure?: boolean;
  /** Serve HTTP/1.1 on the same TLS port too. */
  allowHTTP1?: boolean;
  /** A compatibility-API request handler (plain requests: a page, say). */
  onRequest?: (req: Http2ServerRequest, res: Http2ServerResponse) => void;
}

/** An http2 server on 127.0.0.1 with a WebSocketServer attached; `cleanups` gets both closes. */
export async function listenH2<C = undefined, S extends ServerWebSocket<C> = ServerWebSocket<C>>(
  cleanups: Array<() => unknown>,
  wssOptions: TestServerOptions<C, S> = {},
  serverOptions: H2ServerOptions = {},
) {
  const secure = serverOptions.secure ?? true;
  const server: Http2Server | Http2SecureServer = secure
    ? createSecureServer({ ...testCertificate(), allowHTTP1: serverOptions.allowHTTP1 ?? false })
    : createServer();
  if (serverOptions.onRequest !== undefined) server.on('request', serverOptions.onRequest);
  const wss = new WebSocketServer<C, S>({ server, heartbeat: false, ...wssOptions });
  const sessions = new Set<{ destroy(): void }>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    await wss.shutdown({ timeoutMs: 200 });
    for (const session of sessions) session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  const scheme = secure ? 'wss' : 'ws';
  return { wss, server, port, url: `${scheme}://127.0.0.1:${port}`, origin: `${secure ? 'https' : 'http'}://127.0.0.1:${port}` };
}

/** A raw http2 session to `origin` (certificate checks off), destroyed by `cleanups`. */
export async function rawSession(cleanups: Array<() => unknown>, origin: string): Promise<ClientHttp2Session> {
  const session = http2Connect(origin, { rejectUnauthorized: false });
  cleanups.push(() => session.destroy());
  await once(session, 'remoteSettings');
  return session;
}

/** The extended CONNECT headers of RFC 8441 §5 for `path`, with `extra` merged (undefined deletes). */
export function connectHeaders(authority: string, path = '/', extra: Record<string, string | undefined> = {}): Record<string, string> {
  const headers: Record<string, string> = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'https',
    ':authority': authority,
    ':path': path,
    'sec-websocket-version': '13',
  };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return headers;
}

/** Send `headers` on a new stream of `session` and wait for the response headers and the body. */
export async function rawConnect(session: ClientHttp2Session, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  const stream = session.request(headers, { endStream: false });
  const [response] = (await once(stream, 'response')) as [IncomingHttpHeaders];
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(stream, 'close');
  return { headers: response, body: Buffer.concat(chunks).toString('utf8') };
}
