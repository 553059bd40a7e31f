// Connection-level rows: whole messages in and out per second through our sans-I/O Protocol,
// against ws's Receiver (in) and Sender (out), which are the same layer of ws, in the same run.
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { encodeFrame } from '@rfc6455/frame';
import { Protocol } from '@rfc6455/protocol';
import { cutEvery } from '@rfc6455/testing';
import { compare } from './harness.mjs';

const require = createRequire(import.meta.url);
const wsLib = join(dirname(require.resolve('ws')), 'lib');
const Receiver = require(join(wsLib, 'receiver.js'));
const Sender = require(join(wsLib, 'sender.js'));

const SIZES = [
  ['16 B', 16],
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
];

// The all-zero key leaves bytes as they are, so the same stream can be unmasked in place pass
// after pass and text stays valid UTF-8; both sides still run their full unmasking loop over it.
const ZERO_KEY = new Uint8Array(4);

/** Deterministic payload: ASCII letters, valid as text and as binary. */
function payloadOf(size) {
  const p = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) p[i] = 0x61 + ((i * 7) % 26);
  return p;
}

/** The bytes a server receives: masked messages of `size` bytes (about 1 MiB of them) in 64 KiB socket chunks. */
function clientStream(opcode, size) {
  const count = Math.max(2, Math.floor((1024 * 1024) / (size + 14)));
  const frame = encodeFrame(opcode, payloadOf(size), { maskKey: ZERO_KEY });
  return { chunks: cutEvery(Buffer.concat(Array.from({ length: count }, () => frame)), 65536), count };
}

function noop() {}

function protocolFor(role, onMessage) {
  return new Protocol({
    role,
    maxMessageLength: 2 * 1024 * 1024,
    handler: {
      onWrite: noop,
      onMessage,
      onPing: noop,
      onPong: noop,
      onClosing: noop,
      onClose: noop,
      onError: (err) => {
        throw err;
      },
    },
  });
}

/** A socket stand-in for ws's Sender that accepts writes and does nothing, as our onWrite does. */
const nullSocket = { write: () => true, cork: noop, uncork: noop, destroyed: false };

function inRows() {
  const rows = [];
  for (const [kind, opcode] of [
    ['binary', 2],
    ['text', 1],
  ]) {
    for (const [label, size] of SIZES) {
      const { chunks, count } = clientStream(opcode, size);
      let oursMessages = 0;
      const protocol = protocolFor('server', () => oursMessages++);
      const ours = () => {
        for (let i = 0; i < chunks.length; i++) protocol.receiveData(chunks[i]);
      };
      let wsMessages = 0;
      const receiver = new Receiver({ isServer: true, maxPayload: 2 * 1024 * 1024 });
      receiver.on('message', () => wsMessages++);
      receiver.on('error', (err) => {
        throw err;
      });
      const theirs = () => {
        for (let i = 0; i < chunks.length; i++) receiver.write(chunks[i]);
      };
      // One op = one message: the harness counts passes, so scale by messages per pass.
      const row = compare('protocol in', `${kind} ${label} ×${count} (server)`, size * count, ours, theirs, 'ws Receiver');
      if (row === undefined) continue;
      if (oursMessages % count !== 0 || wsMessages % count !== 0) throw new Error(`protocol in ${label}: message counts are off`);
      row.oursOps *= count;
      row.theirsOps *= count;
      row.name = `${kind} ${label} msgs (server)`;
      rows.push(row);
    }
  }
  return rows;
}

function outRows() {
  const rows = [];
  for (const role of ['server', 'client']) {
    const mask = role === 'client';
    for (const [label, size] of SIZES) {
      const payload = payloadOf(size);
      const protocol = protocolFor(role, noop);
      const sender = new Sender(nullSocket);
      rows.push(
        compare(
          'protocol out',
          `binary ${label} (${role}${mask ? ', masked' : ''})`,
          size,
          () => protocol.sendBinary(payload),
          () => sender.send(payload, { binary: true, fin: true, mask, compress: false }),
          'ws Sender',
        ),
      );
    }
    const text = payloadOf(1024).toString('latin1');
    const protocol = protocolFor(role, noop);
    const sender = new Sender(nullSocket);
    rows.push(
      compare(
        'protocol out',
        `text 1 KiB string (${role}${mask ? ', masked' : ''})`,
        1024,
        () => protocol.sendText(text),
        () => sender.send(text, { binary: false, fin: true, mask, compress: false }),
        'ws Sender',
      ),
    );
  }
  return rows;
}

/** All protocol rows (messages per second in and out, ours / ws). */
export async function protocolBenchmarks() {
  return [...inRows(), ...outRows()].filter((row) => row !== undefined);
}
