/**
 * The shapes this package needs from the browser: the native WebSocket, and the window, document
 * and navigator it watches for online/offline and page lifecycle. They are structural so a test,
 * a polyfill or Node ≥ 22's global WebSocket can stand in.
 */
import type { SendData } from './send-data.ts';

/** The part of the native `WebSocket` this package uses. */
export interface NativeWebSocket {
  readonly readyState: number;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null;
  send(data: SendData): void;
  close(code?: number, reason?: string): void;
}

/** A constructor with the native `WebSocket`'s signature. */
export type NativeWebSocketConstructor = new (url: string, protocols?: string | string[]) => NativeWebSocket;

/** Something that can be listened on, like `window` or `document`. */
export interface ListenerTarget {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/**
 * Where the socket watches the page. Each part is optional: without `window` there is no
 * online/offline or pagehide handling, without `document` no `closeOnHidden`.
 */
export interface BrowserEnvironment {
  /** Fires `online`, `offline`, `pagehide` and `pageshow`. */
  window?: ListenerTarget | undefined;
  /** Fires `visibilitychange` and has `visibilityState`. */
  document?: (ListenerTarget & { readonly visibilityState: string }) | undefined;
  /** Has `onLine`; `false` means the browser knows it is offline. */
  navigator?: { readonly onLine: boolean } | undefined;
  /** The page's URL, against which a relative socket URL resolves. */
  location?: { readonly href: string } | undefined;
}

/** The environment of the running page, read from `globalThis`; empty outside a browser. */
export function defaultEnvironment(): BrowserEnvironment {
  const g = globalThis as {
    window?: ListenerTarget;
    document?: ListenerTarget & { visibilityState: string };
    navigator?: { onLine?: unknown };
    location?: { href: string };
  };
  const navigator = g.navigator !== undefined && typeof g.navigator.onLine === 'boolean' ? (g.navigator as { onLine: boolean }) : undefined;
  return { window: g.window, document: g.document, navigator, location: g.location };
}

/** The global `WebSocket` constructor, or `undefined` where there is none (Node < 22). */
export function globalWebSocket(): NativeWebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: NativeWebSocketConstructor }).WebSocket;
}
