import { Protocol, type ProtocolHandler } from '@rfc6455/protocol';
import { describe, expect, it } from 'vitest';
import { acceptDeflateOffer, acceptDeflateResponse, createDeflateOffer } from './negotiation.ts';
import { PerMessageDeflate } from './per-message-deflate.ts';

interface Peer {
  protocol: Protocol;
  messages: string[];
  errors: Array<{ code: string; closeCode: number | undefined }>;
  closes: number[];
  wire: Uint8Array[];
  /** The first byte of every chunk written, kept after the chunk is forwarded. */
  firstBytes: number[];
}

function peer(role: 'client' | 'server', extension: PerMessageDeflate, maxMessageLength?: number): Peer {
  const state: Omit<Peer, 'protocol'> = { messages: [], errors: [], closes: [], wire: [], firstBytes: [] };
  const handler: ProtocolHandler = {
    onWrite: (data) => {
      state.wire.push(data.slice());
      state.firstBytes.push(data[0]!);
    },
    onMessage: (data) => state.messages.push(new TextDecoder().decode(data)),
    onPing: () => {},
    onPong: () => {},
    onClosing: () => {},
    onClose: (code) => state.closes.push(code),
    onError: (err) => state.errors.push({ code: err.code, closeCode: err.closeCode }),
  };
  const protocol = new Protocol({ role, handler, extensions: [extension], ...(maxMessageLength === undefined ? {} : { maxMessageLength }) });
  return { protocol, ...state };
}

/**
 * Forward `from`'s bytes to `to` until `done()` holds. Compression and inflation run on the zlib
 * thread pool, so no fixed wait fits every machine: poll, and give up after 10 s.
 */
async function pump(from: Peer, to: Peer, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out pumping bytes between the peers');
    for (const chunk of from.wire.splice(0)) to.protocol.receiveData(chunk);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('with @rfc6455/protocol', () => {
  it('negotiates, then carries compressed text both ways in order', async () => {
    const offers = [{ serverMaxWindowBits: 10 }, {}];
    const accepted = acceptDeflateOffer(createDeflateOffer(offers), { clientNoContextTakeover: true });
    if (accepted === undefined) throw new Error('declined');
    const clientConfig = acceptDeflateResponse(accepted.params, offers);
    expect(clientConfig).toEqual(accepted.config);
    const server = peer('server', new PerMessageDeflate({ role: 'server', config: accepted.config, compressionThreshold: 16 }));
    const client = peer('client', new PerMessageDeflate({ role: 'client', config: clientConfig, compressionThreshold: 16 }));

    const texts = ['hi', 'x'.repeat(5000), 'Hello, Hello, Hello, Hello!', '', 'y'.repeat(100_000)];
    for (const t of texts) server.protocol.sendText(t);
    await pump(server, client, () => client.messages.length === texts.length);
    expect(client.messages).toEqual(texts);
    // RSV1 (0x40 in the first header byte) on compressed messages only.
    expect(server.firstBytes).toContain(0xc1);
    expect(server.firstBytes).toContain(0x81);
    for (const t of texts) client.protocol.sendText(t);
    await pump(client, server, () => server.messages.length === texts.length);
    expect(server.messages).toEqual(texts);
    expect([...server.errors, ...client.errors]).toEqual([]);
  });

  it('a compressed message inflating past maxMessageLength closes with 1009', async () => {
    const config = acceptDeflateOffer([{}])?.config;
    if (config === undefined) throw new Error('declined');
    const server = peer('server', new PerMessageDeflate({ role: 'server', config, compressionThreshold: 0 }));
    const client = peer('client', new PerMessageDeflate({ role: 'client', config }), 10_000);
    server.protocol.sendText('z'.repeat(1_000_000));
    await pump(server, client, () => client.errors.length > 0);
    expect(client.messages).toEqual([]);
    expect(client.errors).toEqual([{ code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', closeCode: 1009 }]);
  });
});
