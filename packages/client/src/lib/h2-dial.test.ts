import { once } from 'node:events';
import { constants } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { startH2Peer } from '../../test/h2-peer.ts';
import type { H2Peer } from '../../test/h2-peer.ts';
import type { ClientError } from './client-error.ts';
import { WebSocket } from './websocket.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function peer(enableConnectProtocol = true): Promise<H2Peer> {
  const p = await startH2Peer(enableConnectProtocol);
  cleanups.push(() => p.close());
  return p;
}

function dial(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}, protocols?: string[]): WebSocket {
  const ws = new WebSocket(url, protocols, { http2: true, perMessageDeflate: false, ...options });
  cleanups.push(() => ws.terminate());
  return ws;
}

function failure(ws: WebSocket): Promise<{ err: ClientError; code: number }> {
  return new Promise((resolve) => {
    let err: ClientError;
    ws.once('error', (e) => (err = e as ClientError));
    ws.once('close', (code: number) => resolve({ err, code }));
  });
}

describe('the client over HTTP/2 (h2c prior knowledge)', () => {
  it('sends exactly the RFC 8441 request and speaks WebSocket frames on the stream once answered 200', async () => {
    const p = await peer();
    const ws = dial(`${p.url}/chat?room=1`, { origin: 'http://app.example', headers: { 'X-Token': 't' } }, ['chat', 'superchat']);
    const { stream, headers } = await p.next();
    expect(headers[':method']).toBe('CONNECT');
    expect(headers[':protocol']).toBe('websocket');
    expect(headers[':scheme']).toBe('http');
    expect(headers[':authority']).toBe(`127.0.0.1:${p.port}`);
    expect(headers[':path']).toBe('/chat?room=1');
    expect(headers['sec-websocket-version']).toBe('13');
    expect(headers['sec-websocket-protocol']).toBe('chat, superchat');
    expect(headers['origin']).toBe('http://app.example');
    expect(headers['x-token']).toBe('t');
    expect(headers['sec-websocket-key']).toBeUndefined();
    expect(headers['upgrade']).toBeUndefined();
    stream.respond({ ':status': 200, 'sec-websocket-protocol': 'superchat' });
    await once(ws, 'open');
    expect(ws.protocol).toBe('superchat');
    expect(ws.httpVersion).toBe('2');
    // An unmasked text frame from the server (RFC 6455 §5.2) arrives as a message.
    stream.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    const [data, isBinary] = (await once(ws, 'message')) as [Buffer, boolean];
    expect([data.toString(), isBinary]).toEqual(['hi', false]);
    // Our frame is masked (§5.3): FIN+text, MASK bit with length 1, 4 key bytes, 1 payload byte.
    ws.send('x');
    const [frame] = (await once(stream, 'data')) as [Buffer];
    expect(frame.length).toBe(7);
    expect(frame[0]).toBe(0x81);
    expect(frame[1]).toBe(0x81);
    expect(frame[6]! ^ frame[2]!).toBe(0x78);
  });

  it('fails with WS_ERR_UNEXPECTED_STATUS, the status, headers and body of a refusal', async () => {
    const p = await peer();
    const ws = dial(p.url);
    const { stream } = await p.next();
    stream.respond({ ':status': 403, 'content-type': 'text/plain' });
    stream.end('go away');
    const { err, code } = await failure(ws);
    expect(err.code).toBe('WS_ERR_UNEXPECTED_STATUS');
    expect(err.status).toBe(403);
    expect(err.headers['content-type']).toBe('text/plain');
    expect(err.body).toBe('go away');
    expect(code).toBe(1006);
    expect(ws.httpVersion).toBeUndefined();
  });

  it('fails with WS_ERR_UNEXPECTED_SUBPROTOCOL for a subprotocol not offered', async () => {
    const p = await peer();
    const ws = dial(p.url, {}, ['a']);
    const { stream } = await p.next();
    stream.respond({ ':status': 200, 'sec-websocket-protocol': 'b' });
    const { err } = await failure(ws);
    expect(err.code).toBe('WS_ERR_UNEXPECTED_SUBPROTOCOL');
  });

  it('fails with WS_ERR_EXTENDED_CONNECT_UNSUPPORTED when SETTINGS do not enable extended CONNECT, sending no stream', async () => {
    const p = await peer(false);
    let streams = 0;
    p.server.on('stream', () => streams++);
    const ws = dial(p.url);
    const { err, code } = await failure(ws);
    expect(err.code).toBe('WS_ERR_EXTENDED_CONNECT_UNSUPPORTED');
    expect(code).toBe(1006);
    expect(streams).toBe(0);
  });

  it('fails with WS_ERR_STREAM_RESET when the stream is reset before the answer', async () => {
    const p = await peer();
    const ws = dial(p.url);
    const { stream } = await p.next();
    stream.close(constants.NGHTTP2_REFUSED_STREAM);
    const { err, code } = await failure(ws);
    expect(err.code).toBe('WS_ERR_STREAM_RESET');
    expect(err.message).toMatch(/REFUSED_STREAM/);
    expect(code).toBe(1006);
  });

  it('fails with WS_ERR_HANDSHAKE_TIMEOUT and resets the stream when no answer comes', async () => {
    const p = await peer();
    const ws = dial(p.url, { handshakeTimeoutMs: 100 });
    const { stream } = await p.next();
    const reset = once(stream, 'close');
    const { err } = await failure(ws);
    expect(err.code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
    await reset;
    expect(stream.rstCode).toBe(constants.NGHTTP2_CANCEL);
  });

  it('shares one session between WebSockets to the same origin, and closes it after the last', async () => {
    const p = await peer();
    const first = dial(p.url);
    const second = dial(p.url);
    const a = await p.next();
    const b = await p.next();
    a.stream.respond({ ':status': 200 });
    b.stream.respond({ ':status': 200 });
    await Promise.all([once(first, 'open'), once(second, 'open')]);
    expect(p.sessions).toBe(1);
    expect(a.stream.session).toBe(b.stream.session);
    const session = a.stream.session!;
    const closed = once(session, 'close');
    first.terminate();
    second.terminate();
    await closed;
    expect(session.closed).toBe(true);
  });
});
