import { describe, expect, it } from 'vitest';
import { fakePage, pageshow } from '../../test/fake-websocket.ts';
import { watchPage } from './page-lifecycle.ts';
import type { PageListener } from './page-lifecycle.ts';

function recorder(log: string[]): PageListener {
  return {
    online: () => log.push('online'),
    offline: () => log.push('offline'),
    suspend: (reason) => log.push(`suspend ${reason}`),
    resume: (reason) => log.push(`resume ${reason}`),
  };
}

describe('watchPage', () => {
  it('relays online/offline, visibility, pagehide and a back/forward-cache pageshow', () => {
    const page = fakePage();
    const log: string[] = [];
    watchPage(page, recorder(log), { closeOnHidden: true, closeOnPageHide: true });
    page.window.dispatchEvent(new Event('offline'));
    page.window.dispatchEvent(new Event('online'));
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    page.document.visibilityState = 'visible';
    page.document.dispatchEvent(new Event('visibilitychange'));
    page.window.dispatchEvent(new Event('pagehide'));
    pageshow(page, false);
    pageshow(page, true);
    expect(log).toEqual(['offline', 'online', 'suspend hidden', 'resume hidden', 'suspend pagehide', 'resume pagehide']);
  });

  it('ignores visibility without closeOnHidden, and pagehide without closeOnPageHide', () => {
    const page = fakePage();
    const log: string[] = [];
    watchPage(page, recorder(log), { closeOnHidden: false, closeOnPageHide: false });
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    page.window.dispatchEvent(new Event('pagehide'));
    pageshow(page, true);
    page.window.dispatchEvent(new Event('online'));
    expect(log).toEqual(['online']);
  });

  it('removes every listener it added', () => {
    const page = fakePage();
    const log: string[] = [];
    const unwatch = watchPage(page, recorder(log), { closeOnHidden: true, closeOnPageHide: true });
    unwatch();
    page.window.dispatchEvent(new Event('online'));
    page.window.dispatchEvent(new Event('pagehide'));
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(log).toEqual([]);
  });

  it('watches nothing without a window or document', () => {
    expect(() => watchPage({}, recorder([]), { closeOnHidden: true, closeOnPageHide: true })()).not.toThrow();
  });
});
