import { describe, expect, it } from 'vitest';
import {
  CloseCode, WS_BAD_GATEWAY, WS_BAD_MESSAGE, WS_CLOSED_ABNORMALLY, WS_EXTENSIONS_NOT_AVAILABLE, WS_FORBIDDEN,
  WS_GONE, WS_INTERNAL_SERVER_ERROR, WS_MESSAGE_TOO_LARGE, WS_NOT_ACCEPTABLE, WS_NO_STATUS, WS_OK,
  WS_PROTOCOL_ERROR, WS_SERVICE_RESTART, WS_TLS_HANDSHAKE_FAIL, WS_TRY_AGAIN_LATER, all, describeCloseCode,
  isApplicationCloseCode, isValidCloseCode, ws,
} from './close-codes.ts';

describe('the seed constants', () => {
  it('keep the Perl names and values', () => {
    expect([
      WS_OK, WS_GONE, WS_PROTOCOL_ERROR, WS_NOT_ACCEPTABLE, WS_NO_STATUS, WS_CLOSED_ABNORMALLY, WS_BAD_MESSAGE,
      WS_FORBIDDEN, WS_MESSAGE_TOO_LARGE, WS_EXTENSIONS_NOT_AVAILABLE, WS_INTERNAL_SERVER_ERROR, WS_TLS_HANDSHAKE_FAIL,
    ]).toEqual([1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1015]);
    expect([WS_SERVICE_RESTART, WS_TRY_AGAIN_LATER, WS_BAD_GATEWAY]).toEqual([1012, 1013, 1014]);
  });

  it('groups them as the seed did: ws has the twelve, all adds 1012–1014', () => {
    expect(Object.keys(ws)).toHaveLength(12);
    expect(ws.WS_TLS_HANDSHAKE_FAIL).toBe(1015);
    expect(Object.keys(all)).toHaveLength(15);
    expect(all.WS_TRY_AGAIN_LATER).toBe(1013);
    expect(Object.values(all).sort()).toEqual(Object.values(CloseCode).sort());
  });

  it('has an idiomatic CloseCode object with the same numbers', () => {
    expect(CloseCode.NormalClosure).toBe(1000);
    expect(CloseCode.MessageTooBig).toBe(1009);
    expect(CloseCode.TLSHandshake).toBe(1015);
  });
});

describe('isValidCloseCode (on the wire)', () => {
  it('accepts exactly 1000–1003, 1007–1014 and 3000–4999', () => {
    const accepted: number[] = [];
    for (let code = -1; code <= 65536; code++) if (isValidCloseCode(code)) accepted.push(code);
    const expected: number[] = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014];
    for (let code = 3000; code <= 4999; code++) expected.push(code);
    expect(accepted).toEqual(expected);
  });

  it('refuses 1004–1006, 1015 and non-integers', () => {
    for (const code of [1004, 1005, 1006, 1015, 999, 2999, 5000, 1000.5, Number.NaN, Infinity]) {
      expect(isValidCloseCode(code)).toBe(false);
    }
  });
});

describe('isApplicationCloseCode (WHATWG close())', () => {
  it('accepts 1000 and 3000–4999 only', () => {
    expect(isApplicationCloseCode(1000)).toBe(true);
    expect(isApplicationCloseCode(3000)).toBe(true);
    expect(isApplicationCloseCode(4999)).toBe(true);
    for (const code of [1001, 1002, 1011, 2999, 5000, 3000.5]) expect(isApplicationCloseCode(code)).toBe(false);
  });
});

describe('describeCloseCode', () => {
  it('gives the RFC meaning of named codes and the meaning of ranges', () => {
    expect(describeCloseCode(1000)).toMatch(/^Normal closure/);
    expect(describeCloseCode(1009)).toMatch(/too big/);
    expect(describeCloseCode(3500)).toMatch(/libraries/);
    expect(describeCloseCode(4500)).toMatch(/Private use/);
    expect(describeCloseCode(2000)).toMatch(/unassigned/);
    expect(describeCloseCode(70000)).toMatch(/Out of range/);
  });
});
