import { describe, expect, it } from 'vitest';
import { BrowserError, BrowserErrorCode } from './errors.ts';
import { WebSocketCloseEvent } from './events.ts';
import { whenOpen } from './when-open.ts';

const close = (willReconnect: boolean): WebSocketCloseEvent => new WebSocketCloseEvent(1006, '', false, willReconnect);

describe('whenOpen', () => {
  it('resolves with the socket at open, after any number of retried attempts', async () => {
    const socket = new EventTarget();
    const pending = whenOpen(socket, () => undefined);
    socket.dispatchEvent(close(true));
    socket.dispatchEvent(close(true));
    socket.dispatchEvent(new Event('open'));
    await expect(pending).resolves.toBe(socket);
  });

  it('rejects with the final error at a close that is not followed by a retry', async () => {
    const socket = new EventTarget();
    const gaveUp = new BrowserError(BrowserErrorCode.GaveUp, 'gave up', { closeCode: 1006 });
    const pending = whenOpen(socket, () => gaveUp);
    socket.dispatchEvent(close(true));
    socket.dispatchEvent(close(false));
    await expect(pending).rejects.toBe(gaveUp);
  });

  it('rejects with WS_ERR_CONNECTION_FAILED when there is no final error', async () => {
    const socket = new EventTarget();
    const pending = whenOpen(socket, () => undefined);
    socket.dispatchEvent(close(false));
    await expect(pending).rejects.toMatchObject({ code: 'WS_ERR_CONNECTION_FAILED' });
  });

  it('stops listening once settled: a later close or open changes nothing', async () => {
    const socket = new EventTarget();
    let asked = 0;
    const pending = whenOpen(socket, () => {
      asked++;
      return undefined;
    });
    socket.dispatchEvent(new Event('open'));
    socket.dispatchEvent(close(false));
    await expect(pending).resolves.toBe(socket);
    expect(asked).toBe(0);
    const failed = whenOpen(socket, () => {
      asked++;
      return undefined;
    });
    socket.dispatchEvent(close(false));
    socket.dispatchEvent(close(false));
    await expect(failed).rejects.toMatchObject({ code: 'WS_ERR_CONNECTION_FAILED' });
    expect(asked).toBe(1);
  });
});
