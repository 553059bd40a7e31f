import { describe, expect, it } from 'vitest';
import { CLOSED, CLOSING, CONNECTING, OPEN, defineReadyStateConstants, readyStateName } from './ready-state.ts';

describe('ready states', () => {
  it('are the WHATWG numbers', () => {
    expect([CONNECTING, OPEN, CLOSING, CLOSED]).toEqual([0, 1, 2, 3]);
  });

  it('have their WHATWG names', () => {
    expect([readyStateName(CONNECTING), readyStateName(OPEN), readyStateName(CLOSING), readyStateName(CLOSED)]).toEqual(['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']);
  });

  it('defineReadyStateConstants defines the four as WebIDL constants: enumerable, read-only, fixed', () => {
    class Socket {}
    defineReadyStateConstants(Socket.prototype);
    const socket = new Socket() as Record<string, unknown>;
    expect([socket.CONNECTING, socket.OPEN, socket.CLOSING, socket.CLOSED]).toEqual([0, 1, 2, 3]);
    expect(Object.keys(Socket.prototype)).toEqual(['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']);
    expect(Object.getOwnPropertyDescriptor(Socket.prototype, 'CLOSING')).toEqual({ value: 2, writable: false, enumerable: true, configurable: false });
    expect(() => {
      (Socket.prototype as Record<string, unknown>).OPEN = 5;
    }).toThrow(TypeError);
    expect(() => {
      delete (Socket.prototype as Record<string, unknown>).OPEN;
    }).toThrow(TypeError);
  });
});
