import { describe, expect, it } from 'vitest';
import { WebSocketError } from '@rfc6455/codes';
import { closePayload, concat, frame, fromHex, record, serverClose, serverFrame } from '../../test/recorder.ts';

describe('close initiated by the peer', () => {
  it('echoes the peer code and reason, reports closing then a clean close with its code and reason (§5.5.1)', () => {
    const r = record();
    r.feed(frame(8, closePayload(1001, 'bye')));
    expect(r.take()).toEqual([
      ['closing', 1001, 'bye'],
      // FIN + close, unmasked, 5 bytes: 1001 (03e9) and "bye" — the peer's payload, echoed.
      ['write', '880503e9627965'],
      ['close', 1001, 'bye', true],
    ]);
    expect(r.protocol.state).toBe('CLOSED');
    expect(r.protocol.closeCode).toBe(1001);
    expect(r.protocol.closeReason).toBe('bye');
    expect(r.protocol.closeReceived).toEqual({ code: 1001, reason: 'bye' });
    expect(r.protocol.closeSent).toEqual({ code: 1001, reason: 'bye' });
  });

  it('a client echoes the reason masked, byte for byte (a multi-byte UTF-8 reason)', () => {
    const r = record({ role: 'client' });
    r.feed(fromHex('88 05 03 e8 c3 a9 21'));
    // Mask key 37fa213d: 03e8c3a921 XOR 37fa213d37 = 3412e29416.
    expect(r.take()).toEqual([
      ['closing', 1000, 'é!'],
      ['write', '888537fa213d3412e29416'],
      ['close', 1000, 'é!', true],
    ]);
  });

  it('answers an empty close with an empty close and reports 1005', () => {
    const r = record({ role: 'client' });
    r.feed(fromHex('88 00'));
    expect(r.take()).toEqual([
      ['closing', 1005, ''],
      ['write', '888037fa213d'],
      ['close', 1005, '', true],
    ]);
  });

  it('processes nothing after the close frame, in the same chunk or later', () => {
    const r = record();
    r.feed(concat([frame(8, closePayload(1000)), frame(1, 'after'), frame(9, 'p')]));
    r.feed(frame(1, 'later'));
    r.protocol.receiveEof();
    expect(r.take()).toEqual([
      ['closing', 1000, ''],
      ['write', serverClose(1000)],
      ['close', 1000, '', true],
    ]);
  });

  it('drops a partial fragmented message when the close arrives', () => {
    const r = record();
    r.feed(frame(1, 'part', { fin: false }), frame(8, closePayload(1000)));
    expect(r.take().map((e) => e[0])).toEqual(['closing', 'write', 'close']);
  });

  it('fails 1002 on a 1-byte close payload', () => {
    const r = record();
    r.feed(frame(8, fromHex('03')));
    expect(r.take()).toEqual([
      ['error', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002],
      ['write', serverClose(1002, 'Invalid close payload: 1 byte, but a status code takes 2 (RFC 6455 §5.5.1)')],
      ['close', 1006, '', false],
    ]);
  });

  it('fails 1002 on close codes that may not be sent (1005, 1006, 999, 5000)', () => {
    for (const code of [1005, 1006, 999, 5000]) {
      const r = record();
      r.feed(frame(8, closePayload(code)));
      expect(r.take()[0]).toEqual(['error', 'WS_ERR_INVALID_CLOSE_CODE', 1002]);
    }
  });

  it('fails 1007 on a close reason that is not UTF-8', () => {
    const r = record();
    r.feed(frame(8, concat([closePayload(1000), fromHex('ff')])));
    expect(r.take()[0]).toEqual(['error', 'WS_ERR_INVALID_UTF8', 1007]);
  });
});

describe('close initiated by us', () => {
  it('writes the close frame, reports closing, and finishes when the peer echoes', () => {
    const r = record();
    expect(r.protocol.sendClose(1000, 'done')).toBe(true);
    expect(r.protocol.state).toBe('CLOSING');
    expect(r.take()).toEqual([
      ['closing', 1000, 'done'],
      ['write', serverClose(1000, 'done')],
    ]);
    r.feed(frame(8, closePayload(1000)));
    expect(r.take()).toEqual([['close', 1000, '', true]]);
    expect(r.protocol.closeCode).toBe(1000);
  });

  it('sends an empty close frame when called without a code, reporting 1005 locally', () => {
    const r = record();
    r.protocol.sendClose();
    expect(r.take()).toEqual([
      ['closing', 1005, ''],
      ['write', '8800'],
    ]);
  });

  it('still delivers messages the peer sent before it saw our close, and control frames, without auto-pong', () => {
    // RFC 6455 §1.4: only data received after the PEER's close frame is discarded. Messages that
    // were in flight when we sent ours were accepted by the peer's send and must not be lost.
    const r = record();
    r.protocol.sendClose(1000);
    r.take();
    r.feed(frame(1, 'late'), frame(2, 'x', { fin: false }), frame(9, 'p'), frame(0, 'y'), frame(10, 'q'));
    expect(r.take()).toEqual([
      ['text', 'late'],
      ['ping', '70'],
      ['binary', '7879'],
      ['pong', '71'],
    ]);
    r.feed(frame(8, closePayload(1000)), frame(1, 'after the close'));
    expect(r.take().filter(([kind]) => kind === 'text')).toEqual([]);
  });

  it('returns false for a second close and for sends once closing', () => {
    const r = record();
    r.protocol.sendClose(1000);
    r.take();
    expect(r.protocol.sendClose(1000)).toBe(false);
    expect(r.protocol.sendText('x')).toBe(false);
    expect(r.protocol.sendBinary(new Uint8Array(1))).toBe(false);
    expect(r.protocol.sendPing()).toBe(false);
    expect(r.protocol.sendPong()).toBe(false);
    expect(r.take()).toEqual([]);
  });

  it('rejects codes that may not be sent and reasons that do not fit, changing nothing', () => {
    const r = record();
    expect(() => r.protocol.sendClose(1005)).toThrow(RangeError);
    expect(() => r.protocol.sendClose(1006)).toThrow(RangeError);
    expect(() => r.protocol.sendClose(2999)).toThrow(RangeError);
    expect(() => r.protocol.sendClose(1000, 'x'.repeat(124))).toThrow(RangeError);
    expect(() => r.protocol.sendClose(undefined, 'why')).toThrow(TypeError);
    expect(r.protocol.state).toBe('OPEN');
    expect(r.take()).toEqual([]);
  });

  it('times out only in the I/O layer: EOF while waiting for the echo ends with 1006', () => {
    const r = record();
    r.protocol.sendClose(1000);
    r.take();
    r.protocol.receiveEof();
    expect(r.take()).toEqual([['close', 1006, '', false]]);
  });

  it('fails 1002 on a bad close frame while closing, without a second close frame', () => {
    const r = record();
    r.protocol.sendClose(1000);
    r.take();
    r.feed(frame(8, fromHex('03')));
    expect(r.take()).toEqual([
      ['error', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002],
      ['close', 1006, '', false],
    ]);
  });
});

describe('fail()', () => {
  it('writes a close frame, stops reading and reports 1006 without onError', () => {
    const r = record();
    r.protocol.fail(1008, 'policy');
    expect(r.take()).toEqual([
      ['write', serverClose(1008, 'policy')],
      ['close', 1006, '', false],
    ]);
    r.feed(frame(1, 'x'));
    r.protocol.fail(1000);
    expect(r.take()).toEqual([]);
  });

  it('cuts a long reason to 123 UTF-8 bytes on a character boundary', () => {
    const r = record();
    r.protocol.fail(1011, 'é'.repeat(100));
    expect(r.protocol.closeSent?.reason).toBe('é'.repeat(61));
    expect(r.take()[0]).toEqual(['write', serverClose(1011, 'é'.repeat(61))]);
  });

  it('does not write a second close frame after ours', () => {
    const r = record();
    r.protocol.sendClose(1000);
    r.take();
    r.protocol.fail(1011);
    expect(r.take()).toEqual([['close', 1006, '', false]]);
  });

  it('rejects a code that may not be sent', () => {
    const r = record();
    expect(() => r.protocol.fail(1006)).toThrow(RangeError);
    expect(r.protocol.state).toBe('OPEN');
  });

  it('while CONNECTING closes without writing', () => {
    const r = record({ state: 'CONNECTING' });
    r.protocol.fail(1002);
    expect(r.take()).toEqual([['close', 1006, '', false]]);
  });
});

describe('end of stream', () => {
  it('without a close frame ends with 1006, wasClean false, and no close frame written', () => {
    const r = record();
    r.feed(frame(1, 'hi'));
    r.protocol.receiveEof();
    expect(r.take()).toEqual([
      ['text', 'hi'],
      ['close', 1006, '', false],
    ]);
    expect(r.protocol.closeCode).toBe(1006);
    r.protocol.receiveEof();
    expect(r.take()).toEqual([]);
  });

  it('in the middle of a frame ends with 1006', () => {
    const r = record();
    r.feed(frame(1, 'hello').subarray(0, 4));
    r.protocol.receiveEof();
    expect(r.take()).toEqual([['close', 1006, '', false]]);
  });

  it('after a completed closing handshake changes nothing', () => {
    const r = record();
    r.feed(frame(8, new Uint8Array(0)));
    r.take();
    r.protocol.receiveEof();
    expect(r.take()).toEqual([]);
    expect(r.protocol.closeCode).toBe(1005);
  });
});

describe('states', () => {
  it('starts CONNECTING when asked, refuses sends and data until open()', () => {
    const r = record({ state: 'CONNECTING' });
    expect(r.protocol.state).toBe('CONNECTING');
    for (const call of [
      () => r.protocol.sendText('x'),
      () => r.protocol.sendBinary(new Uint8Array(0)),
      () => r.protocol.sendPing(),
      () => r.protocol.sendPong(),
      () => r.protocol.sendClose(),
      () => r.protocol.receiveData(new Uint8Array(0)),
    ]) {
      expect(call).toThrow(WebSocketError);
      try {
        call();
      } catch (err) {
        expect((err as WebSocketError).code).toBe('WS_ERR_INVALID_STATE');
        expect((err as WebSocketError).closeCode).toBeUndefined();
      }
    }
    r.protocol.open();
    expect(r.protocol.state).toBe('OPEN');
    expect(r.protocol.sendText('x')).toBe(true);
    expect(r.take()).toEqual([['write', serverFrame(1, 'x')]]);
    expect(() => r.protocol.open()).toThrow(/only valid while CONNECTING/);
  });

  it('ignores data once CLOSED', () => {
    const r = record();
    r.protocol.fail(1000);
    r.take();
    r.protocol.receiveData(frame(1, 'x'));
    expect(r.take()).toEqual([]);
  });
});

describe('handler exceptions', () => {
  it('propagate out of receiveData unchanged and stop the parser; fail() still closes', () => {
    const r = record();
    const boom = new Error('app bug');
    const protocol = r.protocol;
    const original = r.events.push.bind(r.events);
    let armed = true;
    r.events.push = (...items) => {
      if (armed && items[0]?.[0] === 'text') {
        armed = false;
        throw boom;
      }
      return original(...items);
    };
    expect(() => r.feed(concat([frame(1, 'a'), frame(1, 'b')]))).toThrow(boom);
    r.feed(frame(1, 'c'));
    expect(r.take()).toEqual([]);
    protocol.fail(1011);
    expect(r.take()).toEqual([
      ['write', serverClose(1011)],
      ['close', 1006, '', false],
    ]);
  });
});
