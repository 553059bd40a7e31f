/**
 * A controllable stand-in for the browser's WebSocket and page, for unit tests in Node. The test
 * plays the server: `serverOpen()`, `serverMessage()`, `serverClose()`, `serverError()`.
 */
import type { BrowserEnvironment, NativeWebSocket } from '../src/lib/native.ts';
import type { SendData } from '../src/lib/send-data.ts';

/** A fake native WebSocket; every instance is recorded in `FakeWebSocket.instances`. */
export class FakeWebSocket implements NativeWebSocket {
  static instances: FakeWebSocket[] = [];

  /** The last instance created; throws when there is none. */
  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (socket === undefined) throw new Error('no FakeWebSocket was created');
    return socket;
  }

  readonly url: string;
  readonly protocols: string | string[] | undefined;
  readyState = 0;
  protocol = '';
  extensions = '';
  bufferedAmount = 0;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  readonly sent: SendData[] = [];
  readonly closeCalls: { code: number | undefined; reason: string | undefined }[] = [];

  constructor(url: string, protocols?: string | string[]) {
    this.url = url;
    this.protocols = protocols;
    FakeWebSocket.instances.push(this);
  }

  send(data: SendData): void {
    if (this.readyState === 0) throw new DOMException('Still in CONNECTING state.', 'InvalidStateError');
    if (this.readyState === 1) this.sent.push(data);
  }

  /** Like a browser: closing a CONNECTING socket fails it (1006); otherwise a clean close follows. */
  close(code?: number, reason?: string): void {
    // As the WHATWG close(): script may only send 1000 or 3000–4999.
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
      throw new DOMException(`The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`, 'InvalidAccessError');
    }
    this.closeCalls.push({ code, reason });
    if (this.readyState >= 2) return;
    const wasConnecting = this.readyState === 0;
    this.readyState = 2;
    queueMicrotask(() => {
      if (wasConnecting) this.serverClose(1006, '', false);
      else this.serverClose(code ?? 1005, reason ?? '', true);
    });
  }

  serverOpen(protocol = ''): void {
    this.readyState = 1;
    this.protocol = protocol;
    this.onopen?.({});
  }

  serverMessage(data: unknown): void {
    this.onmessage?.({ data });
  }

  serverError(): void {
    this.onerror?.({});
  }

  serverClose(code = 1000, reason = '', wasClean = true): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean });
  }
}

/** A fake page: `window` and `document` are EventTargets; flip `navigator.onLine` and `document.visibilityState`. */
export interface FakePage extends BrowserEnvironment {
  window: EventTarget;
  document: EventTarget & { visibilityState: string };
  navigator: { onLine: boolean };
  location: { href: string };
}

/** A fresh fake page at https://example.test/app/, online and visible. */
export function fakePage(): FakePage {
  return {
    window: new EventTarget(),
    document: Object.assign(new EventTarget(), { visibilityState: 'visible' }),
    navigator: { onLine: true },
    location: { href: 'https://example.test/app/' },
  };
}

/** Dispatches a `pageshow` with `persisted`, as after a back/forward-cache restore. */
export function pageshow(page: FakePage, persisted: boolean): void {
  page.window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted }));
}

/** Lets queued microtasks (fake closes, promise callbacks) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
