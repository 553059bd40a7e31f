// Delivery style of FrameParser, measured: the callback it has (onFrame called inside push) against
// a pull variant built on it (push returns the array of frames the chunk completed, the shape of
// Python websockets' events_received()). Run standalone:
//   cd bench && node --expose-gc src/pull-vs-callback.mjs
// Frames are unmasked (client role), so delivery is a large share of the work and any cost of the
// style shows. The ratio column is pull / callback: below 1 means pulling is slower.
import { Buffer } from 'node:buffer';
import { FrameParser, encodeFrame } from '@rfc6455/frame';
import { cutEvery } from '@rfc6455/testing';
import { compare, printTable } from './harness.mjs';

/** About 1 MiB of unmasked binary frames of `size` bytes in 64 KiB chunks. */
function serverStream(size) {
  const count = Math.floor((1024 * 1024) / (size + 4));
  const frames = [];
  for (let i = 0; i < count; i++) frames.push(encodeFrame(2, new Uint8Array(size).fill(i & 0xff)));
  return { chunks: cutEvery(Buffer.concat(frames), 65536), bytes: count * size, count };
}

/** The pull variant: a fresh array of the frames each push completed, handed to the caller. */
function createPullParser() {
  let out = [];
  const parser = new FrameParser({ role: 'client', onFrame: (frame) => out.push(frame) });
  return (chunk) => {
    out = [];
    const error = parser.push(chunk);
    if (error) throw error;
    return out;
  };
}

export function pullVsCallbackBenchmarks() {
  const rows = [];
  for (const [label, size] of [
    ['16 B', 16],
    ['1 KiB', 1024],
  ]) {
    const { chunks, bytes, count } = serverStream(size);
    let pulled = 0;
    const pull = createPullParser();
    const pullAll = () => {
      for (let i = 0; i < chunks.length; i++) {
        const frames = pull(chunks[i]);
        for (let j = 0; j < frames.length; j++) pulled += frames[j].payload.length > -1 ? 1 : 0;
      }
    };
    let called = 0;
    const parser = new FrameParser({ role: 'client', onFrame: (frame) => (called += frame.payload.length > -1 ? 1 : 0) });
    const callbackAll = () => {
      for (let i = 0; i < chunks.length; i++) parser.push(chunks[i]);
    };
    const row = compare('delivery', `${label} ×${count} frames, pull (array per push)`, bytes, pullAll, callbackAll, 'callback (onFrame)');
    if (row === undefined) continue;
    if (pulled === 0 || called === 0 || pulled % count !== 0 || called % count !== 0) {
      throw new Error(`delivery ${label}: frame counts ${pulled} / ${called} are not multiples of ${count}`);
    }
    rows.push(row);
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = pullVsCallbackBenchmarks();
  printTable(rows);
}
