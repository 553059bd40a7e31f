/**
 * Interop with permessage-deflate (RFC 7692): our client ↔ a ws server and a ws client ↔ our
 * server, for each parameter combination, with messages below and above the threshold, empty and
 * fragmented ones each way; and a deflate bomb from a raw client to our server (close 1009).
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsClient, WebSocketServer as WsServer } from 'ws';
import type { PerMessageDeflateOptions as WsDeflateOptions, WebSocket as WsSocket } from 'ws';
import { WebSocket } from '@rfc6455/client';
import type { PerMessageDeflateOptions } from '@rfc6455/client';
import { WebSocketServer } from '@rfc6455/server';
import type { ServerDeflateOptions, ServerWebSocket } from '@rfc6455/server';
import { FrameReader, RSV1, closePayload, encodeFrame, rawHandshake, waitFor } from '@rfc6455/testing';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The messages each side sends: empty, below and above the threshold, text and binary. */
const BIG_TEXT = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, name: `user ${i}`, active: i % 3 === 0 })));
const BIG_BINARY = Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 31) & 0x3f));
const MESSAGES: Array<[string | Buffer, boolean]> = [
  ['', false],
  [Buffer.alloc(0), true],
  ['short', false],
  [BIG_TEXT, false],
  [BIG_BINARY, true],
  [BIG_TEXT, false], // again: with context takeover it refers back to the first
];

/** A received message as [hex-or-text, isBinary], for exact comparison. */
function show(data: Buffer, isBinary: boolean): [string, boolean] {
  return [isBinary ? data.toString('hex') : data.toString(), isBinary];
}
const EXPECTED = [
  ...MESSAGES.map(([m, binary]) => show(Buffer.from(m), binary)),
  ['fragmented message', false] as [string, boolean],
];

/** Each parameter combination: what our end offers/accepts, what ws's end is set to, and the exact answer. */
interface Combo {
  name: string;
  /** Our client's offer (to a ws server configured with `wsServer`). */
  ourOffer: PerMessageDeflateOptions['offers'];
  wsServer: WsDeflateOptions;
  /** The response ws's server gives to our offer. */
  wsAnswer: string;
  /** What a ws client offers (`wsClient`) to our server configured with `ourServer`. */
  wsClient: WsDeflateOptions;
  ourServer: ServerDeflateOptions;
  /** The response our server gives to ws's offer. */
  ourAnswer: string;
}

const COMBOS: Combo[] = [
  {
    name: 'defaults',
    ourOffer: {},
    wsServer: {},
    wsAnswer: 'permessage-deflate',
    wsClient: {},
    ourServer: {},
    ourAnswer: 'permessage-deflate',
  },
  {
    name: 'server_no_context_takeover',
    ourOffer: { serverNoContextTakeover: true },
    wsServer: {},
    wsAnswer: 'permessage-deflate; server_no_context_takeover',
    wsClient: { serverNoContextTakeover: true },
    ourServer: {},
    ourAnswer: 'permessage-deflate; server_no_context_takeover',
  },
  {
    name: 'client_no_context_takeover',
    ourOffer: { clientNoContextTakeover: true },
    wsServer: {},
    wsAnswer: 'permessage-deflate; client_no_context_takeover',
    wsClient: { clientNoContextTakeover: true },
    ourServer: {},
    ourAnswer: 'permessage-deflate; client_no_context_takeover',
  },
  {
    name: 'server_max_window_bits=9',
    ourOffer: { serverMaxWindowBits: 9 },
    wsServer: {},
    wsAnswer: 'permessage-deflate; server_max_window_bits=9',
    wsClient: { serverMaxWindowBits: 9 },
    ourServer: {},
    ourAnswer: 'permessage-deflate; server_max_window_bits=9',
  },
  {
    name: 'server_max_window_bits=15',
    ourOffer: { serverMaxWindowBits: 15 },
    wsServer: {},
    wsAnswer: 'permessage-deflate; server_max_window_bits=15',
    wsClient: { serverMaxWindowBits: 15 },
    ourServer: {},
    ourAnswer: 'permessage-deflate; server_max_window_bits=15',
  },
  {
    name: 'client_max_window_bits with a value (10)',
    ourOffer: { clientMaxWindowBits: 10 },
    wsServer: {},
    wsAnswer: 'permessage-deflate; client_max_window_bits=10',
    wsClient: { clientMaxWindowBits: 10 },
    ourServer: {},
    ourAnswer: 'permessage-deflate; client_max_window_bits=10',
  },
  {
    name: 'client_max_window_bits without a value, server asks for 11',
    ourOffer: { clientMaxWindowBits: true },
    wsServer: { clientMaxWindowBits: 11 },
    wsAnswer: 'permessage-deflate; client_max_window_bits=11',
    // ws accepts true (offer without a value) though its types say number.
    wsClient: { clientMaxWindowBits: true as unknown as number },
    ourServer: { clientMaxWindowBits: 11 },
    ourAnswer: 'permessage-deflate; client_max_window_bits=11',
  },
  {
    name: 'everything at once',
    ourOffer: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 12, clientMaxWindowBits: 9 },
    wsServer: {},
    wsAnswer: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=9',
    wsClient: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 12, clientMaxWindowBits: 9 },
    ourServer: {},
    ourAnswer: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=9',
  },
];

/** RSV1 flags of the first frame of each data message `socket` receives: proof that the peer really compressed. */
function watchRsv1(socket: Socket): boolean[] {
  const flags: boolean[] = [];
  const reader = new FrameReader();
  socket.prependListener('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk)) if (f.opcode === 0x1 || f.opcode === 0x2) flags.push((f.rsv & RSV1) !== 0);
  });
  return flags;
}

describe('our client ↔ ws server, permessage-deflate', () => {
  for (const combo of COMBOS) {
    it(`${combo.name}: negotiates exactly, echoes every message both ways`, async () => {
      const wss = new WsServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0, ...combo.wsServer } });
      cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
      await once(wss, 'listening');
      const received: Array<[string, boolean]> = [];
      wss.on('connection', (peer: WsSocket) => {
        // A fragmented compressed message from ws first (RSV1 on its first frame only).
        peer.send('fragmented ', { fin: false });
        peer.send('message', { fin: true });
        peer.on('message', (data: Buffer, isBinary: boolean) => {
          received.push(show(data, isBinary));
          peer.send(data, { binary: isBinary });
        });
      });
      const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
      const ws = new WebSocket(url, { perMessageDeflate: { offers: combo.ourOffer } });
      cleanups.push(() => ws.terminate());
      const got: Array<[string, boolean]> = [];
      ws.on('message', (data: Buffer, isBinary: boolean) => got.push(show(data, isBinary)));
      await once(ws, 'open');
      expect(ws.extensions).toBe(combo.wsAnswer);
      const rsv1 = watchRsv1(ws.socket as Socket);
      await waitFor(() => got.length === 1, { timeoutMs: 10_000, what: 'the fragmented message' });
      for (const [message, binary] of MESSAGES) ws.send(message, { binary });
      ws.send('fragmented ', { fin: false });
      ws.send('message');
      await waitFor(() => got.length === 1 + EXPECTED.length, { timeoutMs: 10_000, what: 'the echoes' });
      expect(got).toEqual([['fragmented message', false], ...EXPECTED]);
      expect(received).toEqual(EXPECTED);
      // ws compressed its echoes (threshold 0): every echo's first frame carried RSV1. (The watcher
      // may or may not have seen the first fragmented message, which can arrive with the 101.)
      expect(rsv1.slice(-EXPECTED.length)).toEqual(EXPECTED.map(() => true));
    });
  }
});

describe('ws client ↔ our server, permessage-deflate', () => {
  for (const combo of COMBOS) {
    it(`${combo.name}: negotiates exactly, echoes every message both ways`, async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeat: false, perMessageDeflate: combo.ourServer });
      cleanups.push(() => wss.shutdown({ timeoutMs: 500 }));
      await once(wss, 'listening');
      const received: Array<[string, boolean]> = [];
      const rsv1: boolean[][] = [];
      let serverExtensions = '';
      wss.on('connection', (conn: ServerWebSocket) => {
        serverExtensions = conn.extensions;
        rsv1.push(watchRsv1(conn.socket as Socket));
        // Our fragments go out as they are (extensions transform whole messages only).
        conn.send('fragmented ', { fin: false });
        conn.send('message');
        conn.on('message', (data: Buffer, isBinary: boolean) => {
          received.push(show(data, isBinary));
          conn.send(data, { binary: isBinary });
        });
      });
      const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
      const peer = new WsClient(url, { perMessageDeflate: { threshold: 0, ...combo.wsClient } });
      cleanups.push(() => peer.terminate());
      let answer: string | undefined;
      peer.on('upgrade', (res) => (answer = res.headers['sec-websocket-extensions']));
      const got: Array<[string, boolean]> = [];
      peer.on('message', (data: Buffer, isBinary: boolean) => got.push(show(data, isBinary)));
      await once(peer, 'open');
      expect(answer).toBe(combo.ourAnswer);
      expect(serverExtensions).toBe(combo.ourAnswer);
      await waitFor(() => got.length === 1, { timeoutMs: 10_000, what: 'the fragmented message' });
      for (const [message, binary] of MESSAGES) peer.send(message, { binary });
      // A fragmented compressed message from ws.
      peer.send('fragmented ', { fin: false });
      peer.send('message', { fin: true });
      await waitFor(() => got.length === 1 + EXPECTED.length, { timeoutMs: 10_000, what: 'the echoes' });
      expect(got).toEqual([['fragmented message', false], ...EXPECTED]);
      expect(received).toEqual(EXPECTED);
      // ws compressed what it sent (threshold 0), including the first frame of its fragmented message.
      expect(rsv1[0]).toEqual(EXPECTED.map(() => true));
    });
  }
});

describe('a deflate bomb against our server', () => {
  it('ends in close 1009 with the exact close frame, while inflating stays bounded by maxMessageLength', async () => {
    const wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      heartbeat: false,
      perMessageDeflate: true,
      maxMessageLength: 1024 * 1024,
    });
    cleanups.push(() => wss.shutdown({ timeoutMs: 500 }));
    await once(wss, 'listening');
    const errors: string[] = [];
    wss.on('connection', (conn) => conn.on('error', (err: Error & { code?: string }) => errors.push(err.code ?? '')));
    const port = (wss.address() as { port: number }).port;
    const { socket, head, rest } = await rawHandshake(port, '/', { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } });
    cleanups.push(() => socket.destroy());
    let frames = rest;
    socket.on('data', (chunk: Buffer) => (frames = Buffer.concat([frames, chunk])));
    expect(head).toMatch(/^HTTP\/1\.1 101 [^]*Sec-WebSocket-Extensions: permessage-deflate\r\n/i);
    // 100 MiB of zeros compresses to about 100 KiB: RFC 7692 §7.2.1, tail removed.
    const compressed = deflateRawSync(Buffer.alloc(100 * 1024 * 1024), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const payload = compressed.subarray(0, compressed.length - 4);
    const bomb = encodeFrame({ opcode: 0x2, payload, rsv: RSV1, mask: Uint8Array.of(0x11, 0x22, 0x33, 0x44) });
    expect(bomb.subarray(0, 2).toString('hex')).toBe('c2ff'); // FIN, RSV1, binary; masked, 64-bit length
    const rssBefore = process.memoryUsage().rss;
    socket.write(bomb);
    await once(socket, 'close');
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    const expected = encodeFrame({ opcode: 0x8, payload: closePayload(1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') });
    expect(frames.toString('hex')).toBe(expected.toString('hex'));
    expect(errors).toEqual(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH']);
    // Far below the 100 MiB the bomb would inflate to (the cap is 1 MiB of output).
    expect(rssGrowth).toBeLessThan(48 * 1024 * 1024);
  });
});
