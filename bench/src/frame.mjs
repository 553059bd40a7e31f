// Frame-level rows: parse, encode, masking and UTF-8 validation, ours against ws in the same run.
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  FrameParser,
  applyMask,
  encodeFrame,
  frameHeaderLength,
  generateMaskKey,
  isValidUtf8,
  maskInto,
  setMaskImplementation,
  writeFrameHeader,
} from '@rfc6455/frame';
import { cutEvery } from '@rfc6455/testing';
import { compare } from './harness.mjs';

const require = createRequire(import.meta.url);
// ws exports only its entry point; its internals are reached by file path (they are what ws runs).
const wsLib = join(dirname(require.resolve('ws')), 'lib');
const Receiver = require(join(wsLib, 'receiver.js'));
const Sender = require(join(wsLib, 'sender.js'));
const { isValidUTF8 } = require(join(wsLib, 'validation.js'));
const wsBufferUtil = require(join(wsLib, 'buffer-util.js'));
const bufferutil = require('bufferutil');

// ws's pure-JavaScript masking (what ws runs without bufferutil): load a second copy of
// buffer-util.js with WS_NO_BUFFER_UTIL set.
function loadJsFallback() {
  const path = require.resolve(join(wsLib, 'buffer-util.js'));
  const saved = require.cache[path];
  delete require.cache[path];
  process.env.WS_NO_BUFFER_UTIL = '1';
  try {
    return require(path);
  } finally {
    delete process.env.WS_NO_BUFFER_UTIL;
    require.cache[path] = saved;
  }
}
const wsJs = loadJsFallback();

/**
 * The same comparison again with bufferutil plugged into our package through setMaskImplementation
 * (what a Node application that has bufferutil installed can do), labelled "+bufferutil hook".
 */
function compareHooked(group, name, bytes, ours, theirs, theirsName) {
  setMaskImplementation(bufferutil);
  try {
    return compare(group, `${name} +bufferutil hook`, bytes, ours, theirs, theirsName);
  } finally {
    setMaskImplementation(undefined);
  }
}

const SIZES = [
  ['16 B', 16],
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
  ['1 MiB', 1024 * 1024],
];

/** Deterministic payload bytes. */
function payloadOf(size) {
  const p = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) p[i] = (i * 131 + 7) & 0xff;
  return p;
}

/**
 * The byte stream a server receives: masked binary frames of `size` bytes, enough of them for about
 * 1 MiB (at least 2 frames), cut into 64 KiB socket-sized chunks (Node's default read size), each
 * its own Buffer as a socket would deliver it.
 */
function clientStream(size) {
  const count = Math.max(2, Math.floor((1024 * 1024) / (size + 14)));
  const frames = [];
  for (let i = 0; i < count; i++) frames.push(encodeFrame(2, payloadOf(size), { maskKey: generateMaskKey() }));
  return { chunks: cutEvery(Buffer.concat(frames), 65536), bytes: count * size, count };
}

function parseRows() {
  const rows = [];
  for (const [label, size] of SIZES) {
    const { chunks, bytes, count } = clientStream(size);
    // Unmasking happens in place, so each pass re-masks what the previous pass unmasked; the
    // frames are binary, so neither parser looks at payload content and every pass does the same work.
    let oursFrames = 0;
    const parser = new FrameParser({ role: 'server', maxPayloadLength: 2 * 1024 * 1024, onFrame: () => oursFrames++ });
    const ours = () => {
      for (let i = 0; i < chunks.length; i++) parser.push(chunks[i]);
    };
    let wsFrames = 0;
    const receiver = new Receiver({ isServer: true, maxPayload: 2 * 1024 * 1024 });
    receiver.on('message', () => wsFrames++);
    receiver.on('error', (err) => {
      throw err;
    });
    const theirs = () => {
      for (let i = 0; i < chunks.length; i++) receiver.write(chunks[i]);
    };
    const name = `${label} ×${count} (masked, 64 KiB chunks)`;
    const row = compare('parse', name, bytes, ours, theirs, 'ws Receiver');
    const hooked = size >= 1024 ? compareHooked('parse', name, bytes, ours, theirs, 'ws Receiver') : undefined;
    if (row === undefined && hooked === undefined) continue;
    rows.push(row, hooked);
    if (parser.error) throw parser.error;
    if (oursFrames === 0 || wsFrames === 0 || oursFrames % count !== 0 || wsFrames % count !== 0) {
      throw new Error(`parse ${label}: frame counts ${oursFrames} / ${wsFrames} are not multiples of ${count}`);
    }
  }
  return rows;
}

function encodeRows() {
  const rows = [];
  for (const [label, size] of SIZES) {
    const payload = payloadOf(size);
    // Unmasked, as a server sends: a header, the payload goes out as is (writev of [header, data]).
    rows.push(
      compare(
        'encode',
        `${label} unmasked: header only`,
        size,
        () => {
          const header = new Uint8Array(frameHeaderLength(size, false));
          writeFrameHeader(header, 0, 2, size);
        },
        () => Sender.frame(payload, { fin: true, opcode: 2, mask: false, readOnly: true, rsv1: false }),
        'ws Sender.frame',
      ),
    );
    // Masked, as a client sends, leaving the caller's data alone: one new buffer, header + masked copy.
    for (const run of size >= 1024 ? [compare, compareHooked] : [compare]) {
      rows.push(
        run(
          'encode',
          `${label} masked: one buffer`,
          size,
          () => encodeFrame(2, payload, { maskKey: generateMaskKey() }),
          () => Sender.frame(payload, { fin: true, opcode: 2, mask: true, readOnly: true, rsv1: false }),
          'ws Sender.frame',
        ),
      );
    }
    // Masked in place (the payload is the sender's own copy): header + XOR of the data.
    const scratchOurs = payloadOf(size);
    const scratchWs = payloadOf(size);
    for (const run of size >= 1024 ? [compare, compareHooked] : [compare]) {
      rows.push(
        run(
          'encode',
          `${label} masked: in place`,
          size,
          () => {
            const maskKey = generateMaskKey();
            const header = new Uint8Array(frameHeaderLength(size, true));
            writeFrameHeader(header, 0, 2, size, { maskKey });
            applyMask(scratchOurs, maskKey);
          },
          () => Sender.frame(scratchWs, { fin: true, opcode: 2, mask: true, readOnly: false, rsv1: false }),
          'ws Sender.frame',
        ),
      );
    }
  }
  return rows;
}

function maskRows() {
  const rows = [];
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  for (const [label, size] of SIZES) {
    const data = payloadOf(size);
    const target = Buffer.allocUnsafe(size);
    rows.push(
      compare('mask', `${label} in place`, size, () => applyMask(data, key), () => bufferutil.unmask(data, key), 'bufferutil'),
    );
    if (size >= 1024) {
      rows.push(
        compareHooked('mask', `${label} in place`, size, () => applyMask(data, key), () => bufferutil.unmask(data, key), 'bufferutil'),
      );
    }
    rows.push(
      compare('mask', `${label} in place`, size, () => applyMask(data, key), () => wsJs.unmask(data, key), 'ws JS fallback'),
    );
    rows.push(
      compare(
        'mask',
        `${label} copy`,
        size,
        () => maskInto(data, key, target, 0),
        () => bufferutil.mask(data, key, target, 0, size),
        'bufferutil',
      ),
    );
    rows.push(
      compare(
        'mask',
        `${label} copy`,
        size,
        () => maskInto(data, key, target, 0),
        () => wsJs.mask(data, key, target, 0, size),
        'ws JS fallback',
      ),
    );
  }
  // What ws itself runs when bufferutil is installed (JS below 32/48 bytes, native above).
  rows.push(
    compare('mask', '16 B in place', 16, () => applyMask(payloadOf(16), key), () => wsBufferUtil.unmask(payloadOf(16), key), 'ws (as shipped)'),
  );
  return rows;
}

function utf8Rows() {
  const rows = [];
  const texts = [
    ['ASCII', 'The quick brown fox jumps over the lazy dog. '],
    ['multi-byte', 'κόσμε — Привет, мир — 你好，世界 — 😀🎉 '],
  ];
  for (const [kind, unit] of texts) {
    for (const [label, size] of [
      ['1 KiB', 1024],
      ['64 KiB', 64 * 1024],
    ]) {
      let text = Buffer.from(unit.repeat(Math.ceil(size / Buffer.byteLength(unit)) + 1));
      // Cut at a character boundary at or below `size`.
      let end = size;
      while ((text[end] & 0xc0) === 0x80) end--;
      text = text.subarray(0, end);
      if (!isValidUtf8(text) || !isValidUTF8(text)) throw new Error('bench text is not UTF-8');
      rows.push(compare('utf8', `${kind} ${label}`, text.length, () => isValidUtf8(text), () => isValidUTF8(text), 'ws isValidUTF8'));
    }
  }
  // Short strings run the JavaScript loops on both sides (ws below 24 bytes, ours below 32).
  const short = Buffer.from('hello, wörld');
  rows.push(compare('utf8', `short (${short.length} B)`, short.length, () => isValidUtf8(short), () => isValidUTF8(short), 'ws isValidUTF8'));
  return rows;
}

/** All frame-level rows. */
export function frameBenchmarks() {
  return [...parseRows(), ...encodeRows(), ...maskRows(), ...utf8Rows()].filter((row) => row !== undefined);
}
