import { describe, expect, it } from 'vitest';
import { CloseEvent, ErrorEvent, MessageEvent, WebSocketEvent } from './events.ts';

describe('event objects', () => {
  it('carry the WHATWG fields, and currentTarget is the target', () => {
    const open = new WebSocketEvent('open');
    expect(open.target).toBeNull();
    const target = {};
    open.target = target;
    expect(open.currentTarget).toBe(target);
    const message = new MessageEvent('message', { data: 'hi' });
    expect([message.type, message.data]).toEqual(['message', 'hi']);
    const close = new CloseEvent('close', { code: 4000, reason: 'bye', wasClean: true });
    expect([close.type, close.code, close.reason, close.wasClean]).toEqual(['close', 4000, 'bye', true]);
    const error = new Error('boom');
    const event = new ErrorEvent('error', { error, message: error.message });
    expect([event.error, event.message]).toEqual([error, 'boom']);
    expect(event).toBeInstanceOf(WebSocketEvent);
  });
});
