import { describe, expect, it } from 'vitest';
import { createDeflateClientNegotiator, createDeflateServerNegotiator } from './negotiators.ts';

describe('createDeflateServerNegotiator', () => {
  it('answers the first acceptable offer and rebuilds the config from its response', () => {
    const negotiator = createDeflateServerNegotiator({ serverMaxWindowBits: 12 });
    expect(negotiator.name).toBe('permessage-deflate');
    const params = negotiator.acceptOffer([{ x: true }, { client_no_context_takeover: true }]);
    expect({ ...params }).toEqual({ client_no_context_takeover: true, server_max_window_bits: '12' });
    expect(negotiator.configure(params ?? {})).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 12,
      clientMaxWindowBits: 15,
    });
    expect(negotiator.acceptOffer([{ x: true }])).toBeUndefined();
  });

  it('checks its options when created', () => {
    expect(() => createDeflateServerNegotiator({ serverMaxWindowBits: 20 })).toThrow(RangeError);
  });
});

describe('createDeflateClientNegotiator', () => {
  it('exposes its offers and keeps the accepted config', () => {
    const negotiator = createDeflateClientNegotiator([{ serverNoContextTakeover: true }, {}]);
    expect(negotiator.offers.map((p) => ({ ...p }))).toEqual([
      { server_no_context_takeover: true, client_max_window_bits: true },
      { client_max_window_bits: true },
    ]);
    expect(negotiator.acceptResponse({ client_max_window_bits: '10' })).toBe(true);
    expect(negotiator.config).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 10,
    });
    expect(negotiator.error).toBeUndefined();
  });

  it('returns false with a typed error on a response it did not offer', () => {
    const negotiator = createDeflateClientNegotiator({ clientMaxWindowBits: false });
    expect(negotiator.acceptResponse({ client_max_window_bits: '10' })).toBe(false);
    expect(negotiator.config).toBeUndefined();
    expect(negotiator.error).toMatchObject({ code: 'WS_ERR_INVALID_DEFLATE_RESPONSE', closeCode: 1006 });
  });
});
