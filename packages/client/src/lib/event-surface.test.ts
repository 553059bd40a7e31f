import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { RecordingSocket, until, useTestScope } from '../../test/harness.ts';
import { emitError } from './event-surface.ts';
import { once } from '../../test/peer.ts';
import type { CloseEvent, MessageEvent } from './events.ts';
import { WebSocket } from './websocket.ts';

const { peer, track } = useTestScope();

describe('WHATWG events', () => {
  it('dispatches WHATWG events: onopen, onmessage with strings and binaryType, onclose', async () => {
    const p = await peer();
    const ws = track(new WebSocket(p.url));
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
    const events: string[] = [];
    ws.onopen = (event) => {
      events.push(`open:${event.type}:${event.target === ws}`);
      ws.send('text');
    };
    const messages: unknown[] = [];
    ws.onmessage = (event: MessageEvent) => {
      messages.push(event.data);
      if (messages.length === 1) {
        ws.binaryType = 'arraybuffer';
        ws.send(Buffer.from([9, 8]));
      } else if (messages.length === 2) {
        ws.binaryType = 'blob';
        ws.send(Buffer.from([7]));
      } else {
        ws.close(1000, 'done');
      }
    };
    const close = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', (event: CloseEvent) => resolve(event)));
    const event = await close;
    expect(events).toEqual(['open:open:true']);
    expect(messages[0]).toBe('text');
    expect(messages[1]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(messages[1] as ArrayBuffer)]).toEqual([9, 8]);
    expect(messages[2]).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (messages[2] as Blob).arrayBuffer())]).toEqual([7]);
    expect(event.code).toBe(1000);
    expect(event.wasClean).toBe(true);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(ws.onmessage).toBeTypeOf('function');
  });

  it('adds a listener once, supports handleEvent objects, { once }, removeEventListener and dispatchEvent', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const seen: string[] = [];
    const fn = (event: MessageEvent): void => void seen.push(`fn:${String(event.data)}`);
    ws.addEventListener('message', fn);
    ws.addEventListener('message', fn);
    ws.addEventListener('message', { handleEvent: (event: MessageEvent) => seen.push(`obj:${String(event.data)}`) }, { once: true });
    ws.send('a');
    await once(ws, 'message');
    ws.removeEventListener('message', fn);
    ws.dispatchEvent({ type: 'message', data: 'synthetic' } as unknown as MessageEvent);
    ws.send('b');
    await once(ws, 'message');
    expect(seen).toEqual(['fn:a', 'obj:a']);
    ws.addEventListener('custom', fn);
    ws.dispatchEvent({ type: 'custom', data: 'x' } as unknown as MessageEvent);
    expect(seen).toEqual(['fn:a', 'obj:a', 'fn:x']);
  });
});

describe('typed ws-style events', () => {
  it('types on/once/off by event, accepting the narrower listeners code written for ws uses', async () => {
    const p = await peer();
    const ws = track(await WebSocket.connect(p.url));
    const got: string[] = [];
    const onMessage = (data: Buffer, isBinary: boolean): void => void got.push(`${data.toString()}:${isBinary}`);
    ws.on('message', onMessage);
    ws.once('close', (code: number, reason: Buffer, wasClean: boolean) => got.push(`close:${code}:${reason.length}:${wasClean}`));
    ws.prependListener('pong', (data: Buffer) => got.push(`pong:${data.length}`));
    // @ts-expect-error a 'close' listener's first argument is the code, a number
    ws.on('close', (code: string) => code);
    // @ts-expect-error 'message' data is never a number
    ws.off('message', (data: number) => data);
    ws.on('custom-event', (a: number, b: string) => [a, b]);
    ws.removeAllListeners('close');
    ws.removeAllListeners('custom-event');
    ws.once('close', (code) => got.push(`close:${code}`));
    ws.send('typed');
    await until(() => got.length === 1);
    ws.off('message', onMessage);
    const pong = once(ws, 'pong');
    ws.ping('');
    await pong;
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
    expect(got).toEqual(['typed:false', 'pong:0', 'close:1005']);
  });
});

describe('the surface without a connection', () => {
  it('emitError emits only when someone listens (an unheard error must not throw)', () => {
    const target = new EventEmitter();
    expect(() => emitError(target, new Error('nobody listens'))).not.toThrow();
    const seen: string[] = [];
    target.on('error', (err: Error) => seen.push(err.message));
    emitError(target, new Error('heard'));
    expect(seen).toEqual(['heard']);
  });

  it('an on* attribute holds one listener, and a value that is not a function clears it (WHATWG)', () => {
    const ws = WebSocket.fromSocket(new RecordingSocket(), undefined, { role: 'server' });
    const first = (): void => undefined;
    ws.onmessage = first;
    ws.onmessage = () => undefined;
    expect(ws.onmessage).not.toBe(first);
    expect(ws.listenerCount('message')).toBe(1);
    ws.onmessage = 'nope' as unknown as null;
    expect(ws.onmessage).toBeNull();
    expect(ws.listenerCount('message')).toBe(0);
    ws.terminate();
  });

  it('refuses a listener that is neither a function nor has handleEvent, and an event without a type', () => {
    const ws = WebSocket.fromSocket(new RecordingSocket(), undefined, { role: 'server' });
    expect(() => ws.addEventListener('message', {} as never)).toThrow(TypeError);
    expect(() => ws.dispatchEvent({} as { type: string })).toThrow(TypeError);
    ws.addEventListener('message', null);
    expect(ws.listenerCount('message')).toBe(0);
    ws.terminate();
  });
});
