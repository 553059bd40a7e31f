import { describe, expect, it } from 'vitest';
import { CLOSED, CLOSING, CONNECTING, OPEN, readyStateName } from './ready-state.ts';

describe('ready states', () => {
  it('are the WHATWG numbers', () => {
    expect([CONNECTING, OPEN, CLOSING, CLOSED]).toEqual([0, 1, 2, 3]);
  });

  it('have their WHATWG names', () => {
    expect([readyStateName(CONNECTING), readyStateName(OPEN), readyStateName(CLOSING), readyStateName(CLOSED)]).toEqual(['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']);
  });
});
