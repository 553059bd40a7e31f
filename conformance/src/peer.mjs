// The fuzzing peer: one raw TCP connection to the system under test (SUT), after the opening
// handshake, in either role. Cases drive it with pre-built frames, chops and delays and it keeps
// what Autobahn's fuzzing protocol keeps: the received events, who closed, whether the closing
// handshake completed, the peer's close code, and whether the fuzzer had to drop the TCP link.
import { isUtf8 } from 'node:buffer';
import { closePayload, encodeFrame, FrameReader, toBytes } from '@rfc6455/testing';
import { judgeBehavior, judgeClose, finalVerdict, sameEvents } from './verdict.mjs';

/** Bytes of traffic kept per direction for the report of a non-OK case. */
export const TRAFFIC_LIMIT = 2048;

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class FuzzingPeer {
  /**
   * @param {net.Socket | import('node:http2').Http2Stream} socket connected, handshake done (an
   *   HTTP/2 stream over RFC 8441: the same bytes, END_STREAM for FIN, RST_STREAM for a reset)
   * @param {Buffer} rest bytes read past the handshake
   * @param {{ role: 'client' | 'server', deflate?: object | null }} options role of the FUZZER
   */
  constructor(socket, rest, { role, deflate = null }) {
    this.socket = socket;
    this.role = role;
    this.deflate = deflate;
    this.reader = new FrameReader({ expectMasked: role === 'server', allowRsv1: deflate !== null });
    this.received = [];
    this.expected = {};
    this.expectedClose = { closedByMe: true, closeCode: [1000], requireClean: true };
    this.suppressClose = false;
    this.state = 'open'; // open → closing (a close frame went either way) → closed (TCP gone)
    this.closedByMe = false;
    this.wasClean = false;
    this.droppedByMe = false;
    this.remoteCloseCode = null;
    this.remoteCloseReason = null;
    this.fragments = null;
    this.inbox = Promise.resolve();
    this.started = Date.now();
    this.traffic = { tx: { bytes: 0, kept: [] }, rx: { bytes: 0, kept: [] } };
    this.timers = new Set();
    this.waiters = [];
    socket.setNoDelay?.(true);
    this.done = new Promise((resolve) => socket.once('close', () => {
        this.state = 'closed';
        this.clearTimers();
        this.wake();
        resolve();
      }),
    );
    socket.on('error', () => {});
    socket.on('data', (chunk) => this.onData(chunk));
    if (rest.length > 0) queueMicrotask(() => this.onData(rest));
  }

  /** Declare the expected outcomes, as an Autobahn case's onOpen does. */
  expect(expected, expectedClose) {
    this.expected = expected;
    this.expectedClose = expectedClose;
  }

  get isOpen() {
    return this.state === 'open';
  }

  keep(direction, bytes) {
    const t = this.traffic[direction];
    const room = TRAFFIC_LIMIT - Math.min(TRAFFIC_LIMIT, t.bytes);
    if (room > 0) t.kept.push({ atMs: Date.now() - this.started, hex: bytes.subarray(0, room).toString('hex') });
    t.bytes += bytes.length;
  }

  /** Write bytes as they are, optionally in chops of `chop` bytes each its own write. */
  async sendRaw(bytes, { chop = 0 } = {}) {
    if (this.socket.destroyed) return;
    if (chop > 0 && chop < bytes.length) {
      for (let i = 0; i < bytes.length; i += chop) {
        if (this.socket.destroyed) return;
        const piece = bytes.subarray(i, i + chop);
        this.keep('tx', piece);
        this.socket.write(piece);
        // A macrotask between chops so each one leaves as its own TCP segment (Nagle is off).
        await tick();
      }
      return;
    }
    this.keep('tx', bytes);
    this.socket.write(bytes);
  }

  /** Encode a frame for this peer's role (masked from a client, RFC 6455 §5.3). */
  encode(frame) {
    return encodeFrame({ ...frame, mask: this.role === 'client' });
  }

  /** Resolves once `count` events were received, or the connection is gone. */
  events(count) {
    if (this.received.length >= count || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  wake() {
    const closed = this.state === 'closed';
    this.waiters = this.waiters.filter((w) => {
      if (closed || this.received.length >= w.count) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  /** Send one frame; a client-role fuzzer masks, as RFC 6455 §5.3 requires. */
  async sendFrame({ opcode, payload, fin = true, rsv = 0, chop = 0 }) {
    await this.sendRaw(this.encode({ opcode, payload, fin, rsv }), { chop });
  }

  /** A whole message in one frame (compressed when permessage-deflate was negotiated). */
  async sendMessage(payload, binary = false, { chop = 0 } = {}) {
    const opcode = binary ? 2 : 1;
    if (this.deflate) {
      const compressed = await this.deflate.compress(toBytes(payload));
      return this.sendFrame({ opcode, payload: compressed, rsv: 4, chop });
    }
    return this.sendFrame({ opcode, payload, chop });
  }

  /** Start the closing handshake (RFC 6455 §5.5.1). */
  async sendClose(code, reason) {
    return this.sendClosePayload(closePayload(code, reason));
  }

  /**
   * Send a close frame with exactly this payload and count it as ours: a raw `sendFrame` with
   * opcode 8 does not (Autobahn's split between sendFrame and sendCloseFrame).
   */
  async sendClosePayload(payload, { chop = 0 } = {}) {
    if (this.state === 'open') {
      this.closedByMe = true;
      this.state = 'closing';
    }
    return this.sendFrame({ opcode: 8, payload, chop });
  }

  /** Drop the TCP connection after `ms` unless it is gone by then. */
  killAfter(ms) {
    this.timer(ms, () => {
      if (!this.socket.destroyed) {
        this.droppedByMe = true;
        this.socket.destroy();
      }
    });
  }

  /** Start the closing handshake after `ms` when nothing else has. */
  closeAfter(ms, code = 1000) {
    this.timer(ms, () => {
      if (this.isOpen) void this.sendClose(code);
    });
  }

  wait(ms) {
    return sleep(ms);
  }

  timer(ms, fn) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  clearTimers() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  record(event) {
    this.received.push(event);
    this.wake();
    this.finishWhenDone();
  }

  /**
   * Autobahn's rule: once the received events equal EVERY expected outcome, a case whose closing
   * is ours starts the closing handshake. (With OK and NON-STRICT differing this never fires and
   * the case ends by the peer failing the connection or by the kill timer.)
   */
  finishWhenDone() {
    const outcomes = Object.values(this.expected);
    if (outcomes.length === 0) return;
    for (const events of outcomes) if (!sameEvents(this.received, events)) return;
    if (this.expectedClose.closedByMe && !this.suppressClose && this.isOpen) void this.sendClose(this.expectedClose.closeCode[0]);
  }

  onData(chunk) {
    this.keep('rx', chunk);
    if (this.state === 'closed') return;
    for (const frame of this.reader.push(chunk)) {
      if (frame.violation) {
        this.record(['violation', frame.violation]);
        this.socket.destroy();
        return;
      }
      // Frames are handled in order even when inflating is asynchronous.
      this.inbox = this.inbox.then(() => this.onFrame(frame));
    }
  }

  async onFrame(frame) {
    if (this.socket.destroyed && this.state === 'closed') return;
    if (this.remoteCloseCode !== null || this.gotClose) return; // RFC 6455 §5.5.1: nothing after a close
    switch (frame.opcode) {
      case 9:
        this.record(['ping', frame.payload]);
        if (this.isOpen) await this.sendFrame({ opcode: 10, payload: frame.payload });
        return;
      case 10:
        this.record(['pong', frame.payload]);
        return;
      case 8:
        return this.onClose(frame.payload);
      default:
        return this.onDataFrame(frame);
    }
  }

  async onDataFrame(frame) {
    if (frame.opcode !== 0) {
      if (this.fragments) return this.violation('new data frame inside a fragmented message');
      this.fragments = { binary: frame.opcode === 2, compressed: (frame.rsv & 4) !== 0, parts: [] };
    } else if (!this.fragments) {
      return this.violation('continuation frame with nothing to continue');
    }
    this.fragments.parts.push(frame.payload);
    if (!frame.fin) return;
    const { binary, compressed, parts } = this.fragments;
    this.fragments = null;
    let data = Buffer.concat(parts);
    if (compressed) {
      if (!this.deflate) return this.violation('compressed frame without permessage-deflate');
      data = await this.deflate.decompress(data);
    }
    if (!binary && !isUtf8(data)) return this.violation('text message that is not UTF-8');
    this.record(['message', data, binary]);
  }

  violation(what) {
    this.record(['violation', what]);
    this.socket.destroy();
  }

  onClose(payload) {
    this.gotClose = true;
    if (payload.length >= 2) {
      this.remoteCloseCode = payload.readUInt16BE(0);
      this.remoteCloseReason = payload.subarray(2).toString('utf8');
    }
    if (this.state === 'open') {
      // The SUT started the closing handshake: echo its code, as RFC 6455 §5.5.1 suggests.
      this.state = 'closing';
      const echo = payload.length >= 2 ? payload.subarray(0, 2) : Buffer.alloc(0);
      void this.sendRaw(this.encode({ opcode: 8, payload: echo }));
    }
    this.wasClean = true;
    // RFC 6455 §7.1.1: the server closes TCP first; the client waits for it (the kill timer
    // catches a server that never does).
    if (this.role === 'server') {
      this.socket.end();
      this.timer(200, () => this.socket.destroy());
    }
  }

  /** Judge the finished case (call after `done`). */
  verdict() {
    const { behavior, result } = judgeBehavior(this.received, this.expected);
    const close = judgeClose(
      this.expectedClose,
      { closedByMe: this.closedByMe, wasClean: this.wasClean, remoteCloseCode: this.remoteCloseCode, droppedByMe: this.droppedByMe },
      this.role === 'client',
    );
    return { behavior, result, ...close, verdict: finalVerdict(behavior, close.behaviorClose) };
  }
}
