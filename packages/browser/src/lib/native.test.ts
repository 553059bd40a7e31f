import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultEnvironment, globalWebSocket } from './native.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('defaultEnvironment', () => {
  it('reads window, document, navigator and location from globalThis', () => {
    const window = new EventTarget();
    const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const navigator = { onLine: true };
    const location = { href: 'https://example.test/' };
    vi.stubGlobal('window', window);
    vi.stubGlobal('document', document);
    vi.stubGlobal('navigator', navigator);
    vi.stubGlobal('location', location);
    expect(defaultEnvironment()).toEqual({ window, document, navigator, location });
  });

  it('leaves out a navigator without a boolean onLine (Node has one without it)', () => {
    vi.stubGlobal('navigator', { userAgent: 'Node.js' });
    expect(defaultEnvironment().navigator).toBeUndefined();
  });
});

describe('globalWebSocket', () => {
  it('is the global constructor, or undefined', () => {
    class Native {}
    vi.stubGlobal('WebSocket', Native);
    expect(globalWebSocket()).toBe(Native);
    vi.stubGlobal('WebSocket', undefined);
    expect(globalWebSocket()).toBeUndefined();
  });
});
