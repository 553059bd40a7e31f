import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptDeflateOffer,
  acceptDeflateResponse,
  createDeflateOffer,
  deflateConfigFromResponse,
  formatDeflateOffer,
  type DeflateConfig,
  type DeflateParamsInput,
} from './negotiation.ts';

const DEFAULT: DeflateConfig = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

/** Plain object copy of null-prototype params, for toEqual. */
function plain(params: Record<string, string | true> | undefined): Record<string, string | true> | undefined {
  return params === undefined ? undefined : { ...params };
}

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).name;
  }
  return undefined;
}

describe('createDeflateOffer / formatDeflateOffer', () => {
  it('offers client_max_window_bits without a value by default', () => {
    expect(createDeflateOffer().map(plain)).toEqual([{ client_max_window_bits: true }]);
    expect(formatDeflateOffer()).toBe('permessage-deflate; client_max_window_bits');
  });

  it('writes all four parameters, in a fixed order', () => {
    expect(
      formatDeflateOffer({
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 9,
      }),
    ).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9',
    );
  });

  it('leaves client_max_window_bits out when false', () => {
    expect(formatDeflateOffer({ clientMaxWindowBits: false })).toBe('permessage-deflate');
  });

  it('keeps several offers in order of preference', () => {
    expect(formatDeflateOffer([{ serverMaxWindowBits: 10 }, { clientMaxWindowBits: false }])).toBe(
      'permessage-deflate; server_max_window_bits=10; client_max_window_bits, permessage-deflate',
    );
  });

  it.each([7, 16, 9.5, Number.NaN])('refuses window bits %s with a RangeError', (bits) => {
    expect(thrownCode(() => createDeflateOffer({ serverMaxWindowBits: bits }))).toBe('RangeError');
    expect(thrownCode(() => createDeflateOffer({ clientMaxWindowBits: bits }))).toBe('RangeError');
  });

  it('refuses an empty list and non-boolean flags', () => {
    expect(thrownCode(() => createDeflateOffer([]))).toBe('RangeError');
    expect(thrownCode(() => createDeflateOffer({ serverNoContextTakeover: 'yes' as unknown as boolean }))).toBe('TypeError');
  });
});

describe('acceptDeflateOffer (server, RFC 7692 §7.1)', () => {
  // [offer params, server options, expected response params, expected config]
  const table: Array<[string, DeflateParamsInput, object, Record<string, string | true>, Partial<DeflateConfig>]> = [
    ['plain offer', {}, {}, {}, {}],
    ['client_max_window_bits without value, server default', { client_max_window_bits: true }, {}, {}, {}],
    [
      'client_max_window_bits without value, server limits clients',
      { client_max_window_bits: true },
      { clientMaxWindowBits: 10 },
      { client_max_window_bits: '10' },
      { clientMaxWindowBits: 10 },
    ],
    ['client_max_window_bits=12 is echoed', { client_max_window_bits: '12' }, {}, { client_max_window_bits: '12' }, { clientMaxWindowBits: 12 }],
    [
      'client_max_window_bits=12 with a smaller server limit',
      { client_max_window_bits: '12' },
      { clientMaxWindowBits: 9 },
      { client_max_window_bits: '9' },
      { clientMaxWindowBits: 9 },
    ],
    ['server limit on clients without the client offering it', {}, { clientMaxWindowBits: 9 }, {}, {}],
    ['server_max_window_bits=10 accepted', { server_max_window_bits: '10' }, {}, { server_max_window_bits: '10' }, { serverMaxWindowBits: 10 }],
    [
      'server_max_window_bits=12 with a smaller server limit',
      { server_max_window_bits: '12' },
      { serverMaxWindowBits: 11 },
      { server_max_window_bits: '11' },
      { serverMaxWindowBits: 11 },
    ],
    [
      'server_max_window_bits=8 (compressed with 9, see codec tests)',
      { server_max_window_bits: '8' },
      { serverMaxWindowBits: 12 },
      { server_max_window_bits: '8' },
      { serverMaxWindowBits: 8 },
    ],
    ['server limits its own window unasked', {}, { serverMaxWindowBits: 12 }, { server_max_window_bits: '12' }, { serverMaxWindowBits: 12 }],
    [
      'server_no_context_takeover is echoed',
      { server_no_context_takeover: true },
      {},
      { server_no_context_takeover: true },
      { serverNoContextTakeover: true },
    ],
    ['server adds server_no_context_takeover unasked', {}, { serverNoContextTakeover: true }, { server_no_context_takeover: true }, { serverNoContextTakeover: true }],
    [
      'client_no_context_takeover is echoed',
      { client_no_context_takeover: true },
      {},
      { client_no_context_takeover: true },
      { clientNoContextTakeover: true },
    ],
    ['server asks clients not to take over', {}, { clientNoContextTakeover: true }, { client_no_context_takeover: true }, { clientNoContextTakeover: true }],
    [
      'all four',
      { server_no_context_takeover: true, client_no_context_takeover: true, server_max_window_bits: '9', client_max_window_bits: '8' },
      {},
      { server_no_context_takeover: true, client_no_context_takeover: true, server_max_window_bits: '9', client_max_window_bits: '8' },
      { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9, clientMaxWindowBits: 8 },
    ],
  ];

  it.each(table)('%s', (_name, offer, options, params, config) => {
    const result = acceptDeflateOffer([offer], options);
    expect(plain(result?.params)).toEqual(params);
    expect(result?.config).toEqual({ ...DEFAULT, ...config });
    // Both ends rebuild the same configuration from the response alone.
    expect(deflateConfigFromResponse(result?.params ?? {})).toEqual(result?.config);
  });

  const invalid: Array<[string, DeflateParamsInput]> = [
    ['unknown parameter', { foo: true }],
    ['unknown parameter __proto__', [['__proto__', true]]],
    ['server_no_context_takeover with a value', { server_no_context_takeover: 'x' }],
    ['client_no_context_takeover with a value', { client_no_context_takeover: '1' }],
    ['server_max_window_bits without a value', { server_max_window_bits: true }],
    ['server_max_window_bits=7', { server_max_window_bits: '7' }],
    ['server_max_window_bits=16', { server_max_window_bits: '16' }],
    ['server_max_window_bits=08 (leading zero)', { server_max_window_bits: '08' }],
    ['server_max_window_bits=" 9"', { server_max_window_bits: ' 9' }],
    ['server_max_window_bits=abc', { server_max_window_bits: 'abc' }],
    ['client_max_window_bits=0', { client_max_window_bits: '0' }],
    ['client_max_window_bits=1e1', { client_max_window_bits: '1e1' }],
    ['repeated server_max_window_bits', [['server_max_window_bits', '10'], ['server_max_window_bits', '10']]],
    ['repeated client_no_context_takeover', [['client_no_context_takeover', true], ['client_no_context_takeover', true]]],
  ];

  it.each(invalid)('declines an offer with %s', (_name, offer) => {
    expect(acceptDeflateOffer([offer])).toBeUndefined();
  });

  it.each(invalid)('skips an offer with %s and takes the next one', (_name, offer) => {
    const result = acceptDeflateOffer([offer, { server_max_window_bits: '11' }]);
    expect(plain(result?.params)).toEqual({ server_max_window_bits: '11' });
  });

  it('takes the first acceptable offer in the client order of preference', () => {
    const result = acceptDeflateOffer([{ client_max_window_bits: '10' }, {}]);
    expect(plain(result?.params)).toEqual({ client_max_window_bits: '10' });
  });

  it('accepts [name, value] pair lists', () => {
    const result = acceptDeflateOffer([[['server_no_context_takeover', true], ['client_max_window_bits', true]]], { clientMaxWindowBits: 12 });
    expect(plain(result?.params)).toEqual({ server_no_context_takeover: true, client_max_window_bits: '12' });
  });

  it('declines nothing when there are no offers', () => {
    expect(acceptDeflateOffer([])).toBeUndefined();
  });

  it('throws at once for invalid server options', () => {
    expect(thrownCode(() => acceptDeflateOffer([{}], { serverMaxWindowBits: 16 }))).toBe('RangeError');
    expect(thrownCode(() => acceptDeflateOffer([{}], { clientMaxWindowBits: 7 }))).toBe('RangeError');
    expect(thrownCode(() => acceptDeflateOffer([{}], { clientNoContextTakeover: 1 as unknown as boolean }))).toBe('TypeError');
  });

  it('never throws on any offer and every response it builds is valid for that offer', () => {
    const name = fc.constantFrom(
      'server_no_context_takeover',
      'client_no_context_takeover',
      'server_max_window_bits',
      'client_max_window_bits',
      'x',
    );
    const value = fc.oneof(fc.constant<true>(true), fc.constantFrom('7', '8', '9', '12', '15', '16', '09', ''), fc.string({ maxLength: 3 }));
    const offer = fc.array(fc.tuple(name, value), { maxLength: 5 });
    const options = fc.record({
      serverNoContextTakeover: fc.boolean(),
      clientNoContextTakeover: fc.boolean(),
      serverMaxWindowBits: fc.integer({ min: 8, max: 15 }),
      clientMaxWindowBits: fc.integer({ min: 8, max: 15 }),
    });
    fc.assert(
      fc.property(offer, options, (pairs, serverOptions) => {
        const result = acceptDeflateOffer([pairs], serverOptions);
        if (result === undefined) return;
        // A client that made exactly this offer must accept the response.
        const offerOptions = {
          serverNoContextTakeover: pairs.some(([n]) => n === 'server_no_context_takeover'),
          clientNoContextTakeover: pairs.some(([n]) => n === 'client_no_context_takeover'),
          serverMaxWindowBits: pairs.find(([n]) => n === 'server_max_window_bits')?.[1] as string | undefined,
          clientMaxWindowBits: pairs.find(([n]) => n === 'client_max_window_bits')?.[1],
        };
        const clientConfig = acceptDeflateResponse(result.params, {
          serverNoContextTakeover: offerOptions.serverNoContextTakeover,
          clientNoContextTakeover: offerOptions.clientNoContextTakeover,
          serverMaxWindowBits: offerOptions.serverMaxWindowBits === undefined ? undefined : Number(offerOptions.serverMaxWindowBits),
          clientMaxWindowBits:
            offerOptions.clientMaxWindowBits === undefined ? false : offerOptions.clientMaxWindowBits === true ? true : Number(offerOptions.clientMaxWindowBits),
        });
        expect(clientConfig).toEqual(result.config);
      }),
      { numRuns: 300 },
    );
  });
});

describe('acceptDeflateResponse (client, RFC 7692 §7.1)', () => {
  // [what we offered, the response, expected config]
  const ok: Array<[string, Parameters<typeof acceptDeflateResponse>[1], DeflateParamsInput, Partial<DeflateConfig>]> = [
    ['empty response to the default offer', {}, {}, {}],
    ['server may add server_no_context_takeover', {}, { server_no_context_takeover: true }, { serverNoContextTakeover: true }],
    ['server may add client_no_context_takeover', {}, { client_no_context_takeover: true }, { clientNoContextTakeover: true }],
    ['server may limit its window unasked', {}, { server_max_window_bits: '10' }, { serverMaxWindowBits: 10 }],
    ['server answers the window we asked for', { serverMaxWindowBits: 10 }, { server_max_window_bits: '10' }, { serverMaxWindowBits: 10 }],
    ['server answers a smaller window', { serverMaxWindowBits: 10 }, { server_max_window_bits: '8' }, { serverMaxWindowBits: 8 }],
    ['server picks our window (offered without value)', { clientMaxWindowBits: true }, { client_max_window_bits: '9' }, { clientMaxWindowBits: 9 }],
    ['we keep the window we promised when unanswered', { clientMaxWindowBits: 11 }, {}, { clientMaxWindowBits: 11 }],
    ['server narrows the window we promised', { clientMaxWindowBits: 11 }, { client_max_window_bits: '10' }, { clientMaxWindowBits: 10 }],
    ['we keep our client_no_context_takeover promise', { clientNoContextTakeover: true }, {}, { clientNoContextTakeover: true }],
    [
      'server agrees to server_no_context_takeover',
      { serverNoContextTakeover: true },
      { server_no_context_takeover: true },
      { serverNoContextTakeover: true },
    ],
  ];

  it.each(ok)('%s', (_name, offers, response, config) => {
    expect(acceptDeflateResponse(response, offers)).toEqual({ ...DEFAULT, ...config });
  });

  const bad: Array<[string, Parameters<typeof acceptDeflateResponse>[1], DeflateParamsInput]> = [
    ['an unknown parameter', {}, { foo: true }],
    ['client_max_window_bits without a value (offers only)', {}, { client_max_window_bits: true }],
    ['a repeated parameter', {}, [['server_max_window_bits', '9'], ['server_max_window_bits', '9']]],
    ['an out-of-range window', {}, { server_max_window_bits: '16' }],
    ['server_no_context_takeover with a value', {}, { server_no_context_takeover: '1' }],
    ['client_max_window_bits we did not offer', { clientMaxWindowBits: false }, { client_max_window_bits: '10' }],
    ['client_max_window_bits above our promise', { clientMaxWindowBits: 10 }, { client_max_window_bits: '11' }],
    ['server_max_window_bits missing when asked', { serverMaxWindowBits: 10 }, {}],
    ['server_max_window_bits above what we asked', { serverMaxWindowBits: 10 }, { server_max_window_bits: '12' }],
    ['server_no_context_takeover missing when asked', { serverNoContextTakeover: true }, {}],
  ];

  it.each(bad)('fails the connection on %s', (_name, offers, response) => {
    let error: unknown;
    try {
      acceptDeflateResponse(response, offers);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ name: 'DeflateError', code: 'WS_ERR_INVALID_DEFLATE_RESPONSE', closeCode: 1006 });
  });

  it('matches the response against each of several offers', () => {
    const offers = [{ serverMaxWindowBits: 10, serverNoContextTakeover: true }, { clientMaxWindowBits: false }];
    // Answers the second offer only (no server_no_context_takeover).
    expect(acceptDeflateResponse({}, offers)).toEqual(DEFAULT);
    // Answers the first.
    expect(acceptDeflateResponse({ server_max_window_bits: '9', server_no_context_takeover: true }, offers)).toEqual({
      ...DEFAULT,
      serverMaxWindowBits: 9,
      serverNoContextTakeover: true,
    });
    // client_max_window_bits was offered by neither.
    expect(thrownCode(() => acceptDeflateResponse({ client_max_window_bits: '9' }, [{ clientMaxWindowBits: false }]))).toBe(
      'WS_ERR_INVALID_DEFLATE_RESPONSE',
    );
  });

  it('deflateConfigFromResponse rejects an invalid response', () => {
    expect(thrownCode(() => deflateConfigFromResponse({ bogus: true }))).toBe('WS_ERR_INVALID_DEFLATE_RESPONSE');
  });
});
