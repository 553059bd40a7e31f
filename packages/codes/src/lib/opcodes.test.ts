import { describe, expect, it } from 'vitest';
import { HANDSHAKE_GUID, Opcode, isControlOpcode, isDataOpcode, isKnownOpcode } from './opcodes.ts';

describe('opcodes', () => {
  it('has the values of RFC 6455 §5.2', () => {
    expect(Opcode).toEqual({ Continuation: 0, Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 });
  });

  it('tells known, control and data opcodes apart', () => {
    const known = [];
    for (let op = 0; op < 16; op++) if (isKnownOpcode(op)) known.push(op);
    expect(known).toEqual([0, 1, 2, 8, 9, 10]);
    expect([8, 9, 10, 11, 15].every(isControlOpcode)).toBe(true);
    expect([0, 1, 2, 7].some(isControlOpcode)).toBe(false);
    expect([1, 2].every(isDataOpcode)).toBe(true);
    expect([0, 3, 8].some(isDataOpcode)).toBe(false);
  });

  it('carries the handshake GUID of §1.3', () => {
    expect(HANDSHAKE_GUID).toBe('258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
  });
});
