import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventSurface, emitEvent } from './event-surface.ts';
import { WebSocketMessageEvent } from './events.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EventSurface', () => {
  it('calls the on<type> handler, with the surface as this, before the listeners', () => {
    const surface = new EventSurface<string>();
    const calls: string[] = [];
    surface.addEventListener('message', (event) => calls.push(`listener ${event.data}`));
    surface.onmessage = function (this: unknown, event) {
      calls.push(`handler ${event.data} ${String(this === surface)}`);
    };
    emitEvent(surface, new WebSocketMessageEvent('a'));
    expect(calls).toEqual(['handler a true', 'listener a']);
  });

  it('has a handler property for each of its events, null until set', () => {
    const surface = new EventSurface();
    const names = ['onopen', 'onmessage', 'onclose', 'onerror', 'onreconnect', 'onreconnected', 'ongiveup'] as const;
    expect(names.map((name) => surface[name])).toEqual(names.map(() => null));
    const seen: string[] = [];
    for (const name of names) surface[name] = () => seen.push(name);
    for (const type of ['open', 'message', 'close', 'error', 'reconnect', 'reconnected', 'giveup']) emitEvent(surface, new Event(type));
    expect(seen).toEqual([...names]);
    surface.onopen = null;
    emitEvent(surface, new Event('open'));
    expect(seen).toHaveLength(names.length);
  });

  it('stores what is not an object or a function as null, and never calls an object', () => {
    const surface = new EventSurface();
    surface.onmessage = 'x' as unknown as null;
    expect(surface.onmessage).toBeNull();
    surface.onclose = 42 as unknown as null;
    expect(surface.onclose).toBeNull();
    const listenerObject = { handleEvent: vi.fn() };
    surface.onopen = listenerObject as unknown as null;
    expect(surface.onopen).toBe(listenerObject);
    emitEvent(surface, new Event('open'));
    expect(listenerObject.handleEvent).not.toHaveBeenCalled();
  });

  it('reports a throwing handler as uncaught and still runs the listeners', () => {
    const reported: unknown[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      try {
        task();
      } catch (error) {
        reported.push(error);
      }
    });
    const surface = new EventSurface();
    const listener = vi.fn();
    surface.onclose = () => {
      throw new Error('handler bug');
    };
    surface.addEventListener('close', listener);
    emitEvent(surface, new Event('close'));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(reported).toEqual([expect.objectContaining({ message: 'handler bug' })]);
  });

  it('removes listeners', () => {
    const surface = new EventSurface();
    const listener = vi.fn();
    surface.addEventListener('open', listener);
    surface.removeEventListener('open', listener);
    emitEvent(surface, new Event('open'));
    expect(listener).not.toHaveBeenCalled();
  });
});
