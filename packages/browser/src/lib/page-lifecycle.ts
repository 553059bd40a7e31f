/**
 * Watching the page: online/offline, visibility, and pagehide/pageshow (the back/forward cache).
 * Closing on `pagehide` matters twice: the server learns at once that the user left (a close frame rather
 * than a timeout), and Chromium does not put a page with an open WebSocket in the back/forward cache.
 */
import type { BrowserEnvironment } from './native.ts';

/** Why the page asks the socket to stop: hidden (with `closeOnHidden`) or unloaded (`pagehide`). */
export type PageSuspendReason = 'hidden' | 'pagehide';

/** What the page's signals turn into (the reconnect machine implements it). */
export interface PageListener {
  online(): void;
  offline(): void;
  /** The page was hidden or unloaded. */
  suspend(reason: PageSuspendReason): void;
  /** The page is visible again, or came back from the back/forward cache. */
  resume(reason: PageSuspendReason): void;
}

/** Which signals to watch beyond online/offline. */
export interface PageWatchOptions {
  closeOnHidden: boolean;
  closeOnPageHide: boolean;
}

/** Adds the listeners and returns the function that removes them all. */
export function watchPage(env: BrowserEnvironment, listener: PageListener, options: PageWatchOptions): () => void {
  const removers: (() => void)[] = [];
  const listen = (target: BrowserEnvironment['window'], type: string, handler: (event: Event) => void): void => {
    if (target === undefined) return;
    target.addEventListener(type, handler);
    removers.push(() => target.removeEventListener(type, handler));
  };
  listen(env.window, 'online', () => listener.online());
  listen(env.window, 'offline', () => listener.offline());
  if (options.closeOnPageHide) {
    listen(env.window, 'pagehide', () => listener.suspend('pagehide'));
    // Only a page restored from the back/forward cache (`persisted`) has a socket to bring back.
    listen(env.window, 'pageshow', (event) => {
      if ((event as Event & { persisted?: boolean }).persisted === true) listener.resume('pagehide');
    });
  }
  const document = env.document;
  if (options.closeOnHidden && document !== undefined) {
    listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'hidden') listener.suspend('hidden');
      else if (document.visibilityState === 'visible') listener.resume('hidden');
    });
  }
  return () => {
    for (const remove of removers) remove();
    removers.length = 0;
  };
}
