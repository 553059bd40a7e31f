import { beforeEach, describe, expect, it } from 'vitest';
import { FakeWebSocket } from '../../test/fake-websocket.ts';
import { ManualTimers } from '../../test/manual-timers.ts';
import { Outbox } from './outbox.ts';

let timers: ManualTimers;

/** An open fake native socket. */
function openNative(): FakeWebSocket {
  const native = new FakeWebSocket('wss://example.test/');
  native.serverOpen();
  return native;
}

beforeEach(() => {
  FakeWebSocket.instances = [];
  timers = new ManualTimers();
});

describe('queue while not open', () => {
  it('queues, then flushes in order on attach, before what is sent next', () => {
    const outbox = new Outbox(100, 1024, timers);
    expect(outbox.send({ data: 'one', size: 3 })).toBeUndefined();
    expect(outbox.send({ data: new Uint8Array([1, 2]), size: 2 })).toBeUndefined();
    expect([outbox.queuedMessages, outbox.bufferedAmount]).toEqual([2, 5]);
    const native = openNative();
    outbox.attach(native);
    outbox.send({ data: 'from open', size: 9 });
    expect(native.sent).toEqual(['one', new Uint8Array([1, 2]), 'from open']);
    expect(outbox.queuedMessages).toBe(0);
  });

  it('queues across a reconnect', () => {
    const outbox = new Outbox(100, 1024, timers);
    const first = openNative();
    outbox.attach(first);
    first.serverClose(1006, '', false);
    outbox.detach(1006);
    outbox.send({ data: 'while down', size: 10 });
    const second = openNative();
    outbox.attach(second);
    expect(first.sent).toEqual([]);
    expect(second.sent).toEqual(['while down']);
  });

  it('queues while the attached socket is closing', () => {
    const outbox = new Outbox(100, 1024, timers);
    const native = openNative();
    outbox.attach(native);
    native.close(1000);
    outbox.send({ data: 'late', size: 4 });
    expect([native.sent, outbox.queuedMessages]).toEqual([[], 1]);
  });

  it('refuses with WS_ERR_QUEUE_FULL past maxQueuedMessages, and keeps what was queued', () => {
    const outbox = new Outbox(2, 1024, timers);
    outbox.send({ data: 'a', size: 1 });
    outbox.send({ data: 'b', size: 1 });
    expect(outbox.send({ data: 'c', size: 1 })).toMatchObject({ code: 'WS_ERR_QUEUE_FULL' });
    const native = openNative();
    outbox.attach(native);
    expect(native.sent).toEqual(['a', 'b']);
  });

  it('counts bytes against maxQueuedBytes', () => {
    const outbox = new Outbox(100, 5, timers);
    outbox.send({ data: 'éé', size: 4 });
    expect(outbox.send({ data: 'xx', size: 2 })).toMatchObject({ code: 'WS_ERR_QUEUE_FULL' });
    expect(outbox.send({ data: 'x', size: 1 })).toBeUndefined();
    expect(outbox.send({ data: new Uint8Array(1), size: 1, resolve: () => {}, reject: () => {} })).toMatchObject({ code: 'WS_ERR_QUEUE_FULL' });
  });

  it('refuses with WS_ERR_NOT_OPEN with queueing off', () => {
    expect(new Outbox(0, 1024, timers).send({ data: 'a', size: 1 })).toMatchObject({ code: 'WS_ERR_NOT_OPEN' });
  });

  it('drops the queue for good: rejects sendAsync messages with WS_ERR_NOT_SENT and reports the others in one error', () => {
    const outbox = new Outbox(100, 1024, timers);
    const rejected: unknown[] = [];
    outbox.send({ data: 'a', size: 1 });
    outbox.send({ data: 'b', size: 1, resolve: () => {}, reject: (error) => rejected.push(error) });
    outbox.send({ data: 'c', size: 1 });
    expect(outbox.dropQueued(1006)).toMatchObject({ code: 'WS_ERR_NOT_SENT', closeCode: 1006, message: '2 queued message(s) were not sent: the socket closed for good first' });
    expect(outbox.dropQueued(1006)).toBeUndefined();
    expect(rejected).toEqual([expect.objectContaining({ code: 'WS_ERR_NOT_SENT', closeCode: 1006 })]);
    expect([outbox.queuedMessages, outbox.bufferedAmount]).toEqual([0, 0]);
  });
});

describe('drain handling', () => {
  it('settles a queued sendAsync message after it was flushed', () => {
    const outbox = new Outbox(100, 1024, timers);
    const settled: string[] = [];
    outbox.send({ data: 'queued', size: 6, resolve: () => settled.push('sent'), reject: () => settled.push('rejected') });
    const native = openNative();
    outbox.attach(native);
    expect(settled).toEqual(['sent']);
    expect(native.sent).toEqual(['queued']);
  });

  it("rejects what is still in the browser's buffer with WS_ERR_NOT_SENT when the connection ends", () => {
    const outbox = new Outbox(100, 1024, timers);
    const native = openNative();
    outbox.attach(native);
    native.bufferedAmount = 10;
    const rejected: unknown[] = [];
    outbox.send({ data: 'abc', size: 3, resolve: () => {}, reject: (error) => rejected.push(error) });
    expect(outbox.bufferedAmount).toBe(10);
    outbox.detach(1006);
    expect(rejected).toEqual([expect.objectContaining({ code: 'WS_ERR_NOT_SENT', closeCode: 1006 })]);
    expect(outbox.bufferedAmount).toBe(0);
    expect(timers.pending).toBe(0);
  });
});
