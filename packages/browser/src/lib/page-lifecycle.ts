/**
 * Watching the page: online/offline, visibility, and pagehide/pageshow (the back/forward cache).
 * Closing on `pagehide` matters twice: the server learns at once that the user left (a close frame rather
 * than a timeout), and Chromium does not put a page with an open WebSocket in the back/forward cache.
 */
import type { BrowserEnvironment } from './native.ts';

/** What the socket does on each page signal. */
export interface PageHandlers {
  online(): void;
  offline(): void;
  hidden(): void;
  visible(): void;
  pagehide(): void;
  /** `persisted` is true when the page comes back from the back/forward cache. */
  pageshow(persisted: boolean): void;
}

/** Which signals to watch beyond online/offline. */
export interface PageWatchOptions {
  closeOnHidden: boolean;
  closeOnPageHide: boolean;
}

/** Adds the listeners and returns the function that removes them all. */
export function watchPage(env: BrowserEnvironment, handlers: PageHandlers, options: PageWatchOptions): () => void {
  const removers: (() => void)[] = [];
  const listen = (target: BrowserEnvironment['window'], type: string, listener: (event: Event) => void): void => {
    if (target === undefined) return;
    target.addEventListener(type, listener);
    removers.push(() => target.removeEventListener(type, listener));
  };
  listen(env.window, 'online', () => handlers.online());
  listen(env.window, 'offline', () => handlers.offline());
  if (options.closeOnPageHide) {
    listen(env.window, 'pagehide', () => handlers.pagehide());
    listen(env.window, 'pageshow', (event) => handlers.pageshow((event as Event & { persisted?: boolean }).persisted === true));
  }
  const document = env.document;
  if (options.closeOnHidden && document !== undefined) {
    listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'hidden') handlers.hidden();
      else if (document.visibilityState === 'visible') handlers.visible();
    });
  }
  return () => {
    for (const remove of removers) remove();
    removers.length = 0;
  };
}
