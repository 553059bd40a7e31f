import { describe, expect, it } from 'vitest';
import { fromHex } from '../../test/bytes.ts';
import type { Role } from './frame.ts';
import { FrameParser } from './frame-parser.ts';
import type { FrameParserOptions } from './parser-options.ts';
import {
  DEFAULT_MAX_BUFFERED_CHUNKS,
  DEFAULT_MAX_PAYLOAD_LENGTH,
  checkAllowedRsvBits,
  checkMaxBufferedChunks,
  checkMaxPayloadLength,
  resolveParserOptions,
} from './parser-options.ts';

describe('parser options', () => {
  it('uses the documented default limit of 64 MiB', () => {
    const parser = new FrameParser({ role: 'client', onFrame: () => {} });
    expect(parser.maxPayloadLength).toBe(DEFAULT_MAX_PAYLOAD_LENGTH);
    expect(DEFAULT_MAX_PAYLOAD_LENGTH).toBe(67_108_864);
    expect(parser.push(fromHex('827f0000000004000000'))).toBeUndefined();
  });

  it("resolves the defaults: ws's 262144 pieces, RSV bits owned by nobody, minimal lengths, the mask by role", () => {
    const onFrame = (): void => {};
    expect(DEFAULT_MAX_BUFFERED_CHUNKS).toBe(262_144);
    expect(resolveParserOptions({ role: 'server', onFrame })).toEqual({
      requireMask: true,
      maxPayloadLength: DEFAULT_MAX_PAYLOAD_LENGTH,
      maxBufferedChunks: DEFAULT_MAX_BUFFERED_CHUNKS,
      allowedRsvBits: 0,
      allowNonMinimalLength: false,
      onFrame,
      onPayloadChunk: undefined,
    });
    expect(resolveParserOptions({ role: 'client', onFrame, maxPayloadLength: Infinity, allowNonMinimalLength: true })).toMatchObject({
      requireMask: false,
      maxPayloadLength: Infinity,
      allowNonMinimalLength: true,
    });
  });

  it('refuses an unknown key with a TypeError naming it and what to write instead', () => {
    const onFrame = (): void => {};
    const resolve = (extra: Record<string, unknown>) => () => resolveParserOptions({ role: 'client', onFrame, ...extra } as FrameParserOptions);
    expect(resolve({ maxPayload: 10 })).toThrow('new FrameParser(options): unknown option "maxPayload"; use maxPayloadLength');
    expect(resolve({ allowedRSVBits: 4 })).toThrow('unknown option "allowedRSVBits"; did you mean "allowedRsvBits"?');
    expect(() => new FrameParser({ role: 'server', onFrame, onframe: onFrame } as FrameParserOptions)).toThrow(TypeError);
  });

  it('refuses a missing role or callback with a TypeError and a bad limit with a RangeError naming it', () => {
    const onFrame = (): void => {};
    expect(() => resolveParserOptions(null as unknown as FrameParserOptions)).toThrow(TypeError);
    expect(() => resolveParserOptions({ role: 'both' as Role, onFrame })).toThrow(/role must be 'client' or 'server'/);
    expect(() => resolveParserOptions({ role: 'client', onFrame, onPayloadChunk: 1 as never })).toThrow(/onPayloadChunk must be a function/);
    expect(() => resolveParserOptions({ role: 'client', onFrame, maxBufferedChunks: 0 })).toThrow(/maxBufferedChunks/);
    for (const bad of [-1, 1.5, Number.NaN, '10' as unknown as number]) expect(() => checkMaxPayloadLength(bad)).toThrow(RangeError);
    for (const bad of [0, -1, 2.5, Number.NaN]) expect(() => checkMaxBufferedChunks(bad)).toThrow(RangeError);
    for (const bad of [-1, 8, 1.5]) expect(() => checkAllowedRsvBits(bad)).toThrow(RangeError);
    expect(() => {
      checkMaxPayloadLength(0);
      checkMaxBufferedChunks(Infinity);
      checkAllowedRsvBits(7);
    }).not.toThrow();
  });
});
