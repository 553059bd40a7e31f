import { describe, expect, it } from 'vitest';
import { BrowserError, BrowserErrorCode } from './errors.ts';
import { GiveUpEvent, ReconnectEvent, ReconnectedEvent, WebSocketCloseEvent, WebSocketErrorEvent, WebSocketMessageEvent } from './events.ts';

describe('events', () => {
  it('carry their type and fields', () => {
    const error = new BrowserError(BrowserErrorCode.Network, 'no detail');
    const message = new WebSocketMessageEvent({ a: 1 });
    const close = new WebSocketCloseEvent(4001, 'kicked', true, false);
    const failure = new WebSocketErrorEvent(error);
    const reconnect = new ReconnectEvent(2, 750);
    const reconnected = new ReconnectedEvent(2);
    const giveUp = new GiveUpEvent(5, 1006, '');
    expect([message.type, message.data]).toEqual(['message', { a: 1 }]);
    expect([close.type, close.code, close.reason, close.wasClean, close.willReconnect]).toEqual(['close', 4001, 'kicked', true, false]);
    expect([failure.type, failure.error, failure.message]).toEqual(['error', error, 'no detail']);
    expect([reconnect.type, reconnect.attempt, reconnect.delayMs]).toEqual(['reconnect', 2, 750]);
    expect([reconnected.type, reconnected.attempt]).toEqual(['reconnected', 2]);
    expect([giveUp.type, giveUp.attempts, giveUp.code, giveUp.reason]).toEqual(['giveup', 5, 1006, '']);
  });
});
