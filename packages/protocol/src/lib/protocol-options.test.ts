import { describe, expect, it } from 'vitest';
import { recordingHandler } from '../../test/recorder.ts';
import { Protocol } from './protocol.ts';
import type { ProtocolOptions } from './protocol-options.ts';
import { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_MESSAGE_LENGTH, resolveProtocolOptions } from './protocol-options.ts';

const handler = recordingHandler([]);

describe('resolveProtocolOptions', () => {
  it('fills in the documented defaults', () => {
    const resolved = resolveProtocolOptions({ role: 'client', handler });
    expect(resolved).toMatchObject({
      role: 'client',
      state: 'OPEN',
      extensions: [],
      ownedRsv: 0,
      randomMaskKey: undefined,
      maxMessageLength: DEFAULT_MAX_MESSAGE_LENGTH,
      maxFragments: DEFAULT_MAX_FRAGMENTS,
      maxPayloadLength: 64 * 1024 * 1024,
      maxBufferedChunks: 262_144,
      autoPong: true,
      skipUtf8Validation: false,
    });
    expect([DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_MAX_FRAGMENTS]).toEqual([67_108_864, 131_072]);
  });

  it('refuses an unknown key with a TypeError naming it and what to write instead (ws names included)', () => {
    const resolve = (extra: Record<string, unknown>) => () => resolveProtocolOptions({ role: 'server', handler, ...extra } as ProtocolOptions);
    expect(resolve({ maxPayload: 1 })).toThrow(
      'new Protocol(options): unknown option "maxPayload"; use maxMessageLength (a whole message) or maxPayloadLength (one frame)',
    );
    expect(resolve({ skipUTF8Validation: true })).toThrow('unknown option "skipUTF8Validation"; use skipUtf8Validation');
    expect(resolve({ maxFragment: 3 })).toThrow('unknown option "maxFragment"; did you mean "maxFragments"?');
    expect(() => new Protocol({ role: 'server', handler, autopong: false } as ProtocolOptions)).toThrow(TypeError);
  });

  it('refuses a missing or mistyped option with a TypeError and a limit out of range with a RangeError', () => {
    expect(() => resolveProtocolOptions(undefined as unknown as ProtocolOptions)).toThrow('Protocol needs an options object');
    expect(() => resolveProtocolOptions({ role: 'peer', handler } as unknown as ProtocolOptions)).toThrow(/role must be/);
    expect(() => resolveProtocolOptions({ role: 'client', handler: { ...handler, onPong: 1 } } as unknown as ProtocolOptions)).toThrow('handler.onPong must be a function');
    expect(() => resolveProtocolOptions({ role: 'client', handler, state: 'CLOSED' } as unknown as ProtocolOptions)).toThrow(/state must be/);
    expect(() => resolveProtocolOptions({ role: 'client', handler, autoPong: 'yes' } as unknown as ProtocolOptions)).toThrow('autoPong must be a boolean');
    expect(() => resolveProtocolOptions({ role: 'client', handler, maxFragments: -1 })).toThrow(RangeError);
    expect(() => resolveProtocolOptions({ role: 'client', handler, maxMessageLength: 1.5 })).toThrow(RangeError);
  });
});
