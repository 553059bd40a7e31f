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
}

function peer(role: 'client' | 'server', extension: PerMessageDeflate, maxMessageLength?: number): Peer {
  const state: Omit<Peer, 'protocol'> = { messages: [], errors: [], closes: [], wire: [] };
  const handler: ProtocolHandler = {
    onWrite: (data) => state.wire.push(data.slice()),
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

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

async function pump(from: Peer, to: Peer): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await settle();
    if (from.wire.length === 0) return;
    for (const chunk of from.wire.splice(0)) to.protocol.receiveData(chunk);
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
    // RSV1 (0x40 in the first header byte) on compressed messages only.
    await settle();
    expect(server.wire.map((chunk) => chunk[0])).toContain(0xc1);
    await pump(server, client);
    expect(client.messages).toEqual(texts);
    for (const t of texts) client.protocol.sendText(t);
    await pump(client, server);
    expect(server.messages).toEqual(texts);
    expect([...server.errors, ...client.errors]).toEqual([]);
  });

  it('a compressed message inflating past maxMessageLength closes with 1009', async () => {
    const config = acceptDeflateOffer([{}])?.config;
    if (config === undefined) throw new Error('declined');
    const server = peer('server', new PerMessageDeflate({ role: 'server', config, compressionThreshold: 0 }));
    const client = peer('client', new PerMessageDeflate({ role: 'client', config }), 10_000);
    server.protocol.sendText('z'.repeat(1_000_000));
    await pump(server, client);
    expect(client.messages).toEqual([]);
    expect(client.errors).toEqual([{ code: 'WS_ERR_MESSAGE_TOO_BIG', closeCode: 1009 }]);
  });
});
