import { once } from 'node:events';
import { connect as http2Connect, constants } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startH2Peer } from '../../test/h2-peer.ts';
import { destroyTransport, http2ErrorName, httpVersionOf, isHttp2Stream, isOwnAbort, streamResetError } from './h2-stream.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStream() {
  const p = await startH2Peer();
  cleanups.push(() => p.close());
  const session: ClientHttp2Session = http2Connect(`http://127.0.0.1:${p.port}`);
  cleanups.push(() => session.destroy());
  await once(session, 'remoteSettings');
  const client = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/' }, { endStream: false });
  const { stream: server } = await p.next();
  server.respond({ ':status': 200 });
  await once(client, 'response');
  return { client, server, session, peer: p };
}

describe('isHttp2Stream and httpVersionOf', () => {
  it("tell an HTTP/2 stream ('2') from a TCP socket or another Duplex ('1.1')", async () => {
    const { client, server } = await openStream();
    expect(isHttp2Stream(client)).toBe(true);
    expect(isHttp2Stream(server)).toBe(true);
    expect(httpVersionOf(client)).toBe('2');
    const socket = netConnect({ port: 9, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    cleanups.push(() => socket.destroy());
    expect(isHttp2Stream(socket)).toBe(false);
    expect(httpVersionOf(new PassThrough())).toBe('1.1');
  });
});

describe('destroyTransport', () => {
  it('resets an HTTP/2 stream with RST_STREAM(CANCEL) alone: the peer sees aborted, no clean end first', async () => {
    const { client, server, session } = await openStream();
    const events: string[] = [];
    server.on('aborted', () => events.push('aborted'));
    server.on('end', () => events.push('end'));
    server.resume();
    const closed = once(server, 'close');
    const errors: Error[] = [];
    client.on('error', (err) => errors.push(err));
    destroyTransport(client);
    await closed;
    expect(events[0]).toBe('aborted');
    expect(server.rstCode).toBe(constants.NGHTTP2_CANCEL);
    expect(errors.every((err) => isOwnAbort(client, err))).toBe(true);
    // The session is another stream's too: it stays open.
    expect(session.closed).toBe(false);
  });

  it('destroys any other Duplex', () => {
    const stream = new PassThrough();
    destroyTransport(stream);
    expect(stream.destroyed).toBe(true);
    expect(isOwnAbort(stream, Object.assign(new Error('x'), { name: 'AbortError' }))).toBe(false);
  });
});

describe('http2ErrorName and streamResetError', () => {
  it('name RFC 9113 §7 codes', () => {
    expect(http2ErrorName(0)).toBe('NO_ERROR');
    expect(http2ErrorName(constants.NGHTTP2_CANCEL)).toBe('CANCEL');
    expect(http2ErrorName(constants.NGHTTP2_HTTP_1_1_REQUIRED)).toBe('HTTP_1_1_REQUIRED');
    expect(http2ErrorName(0x99)).toBe('0x99');
  });

  it('make WS_ERR_STREAM_RESET with close code 1006, naming the code', async () => {
    const { client, server } = await openStream();
    const errors: Error[] = [];
    client.on('error', (err) => errors.push(err));
    const closed = new Promise((resolve) => client.once('close', resolve));
    server.close(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    await closed;
    expect((errors[0] as Error & { code: string }).code).toBe('ERR_HTTP2_STREAM_ERROR');
    const err = streamResetError(client);
    expect(err.code).toBe('WS_ERR_STREAM_RESET');
    expect(err.closeCode).toBe(1006);
    expect(err.message).toBe('The HTTP/2 stream was reset (RST_STREAM ENHANCE_YOUR_CALM) before the closing handshake completed.');
  });
});
