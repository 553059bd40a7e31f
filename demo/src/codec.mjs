// The main job until the server and the command-line tool exist: a runnable tour of the codec.
// It encodes RFC 6455 §5.7's example frames, parses them back in one-byte chunks, checks a close
// payload, and shows a protocol violation becoming a typed error with its close code.
import { CloseCode, describeCloseCode } from '@rfc6455/codes';
import { FrameParser, encodeClosePayload, encodeFrame, parseClosePayload } from '@rfc6455/frame';

const hex = (bytes) => Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim();
const text = new TextEncoder();

const frames = [
  ['unmasked text "Hello"', encodeFrame(0x1, text.encode('Hello'))],
  ['masked text "Hello"', encodeFrame(0x1, text.encode('Hello'), { maskKey: Uint8Array.of(0x37, 0xfa, 0x21, 0x3d) })],
  ['fragment "Hel"', encodeFrame(0x1, text.encode('Hel'), { fin: false })],
  ['continuation "lo"', encodeFrame(0x0, text.encode('lo'))],
  ['ping "Hello"', encodeFrame(0x9, text.encode('Hello'))],
  ['close 1000 "bye"', encodeFrame(0x8, encodeClosePayload(CloseCode.NormalClosure, 'bye'))],
];
for (const [label, bytes] of frames) console.log(`${label.padEnd(24)} ${hex(bytes)}`);

// A client receives unmasked frames; feed everything one byte at a time.
const received = [];
const parser = new FrameParser({ role: 'client', onFrame: (frame) => received.push(frame) });
for (const [, bytes] of frames.filter(([label]) => !label.startsWith('masked'))) {
  for (const byte of bytes) parser.push(Uint8Array.of(byte));
}
console.log(`\nparsed ${received.length} frames from one-byte chunks:`);
for (const frame of received) {
  const body = frame.opcode === 0x8 ? JSON.stringify(parseClosePayload(frame.payload)) : JSON.stringify(new TextDecoder().decode(frame.payload));
  console.log(`  fin=${frame.fin ? 1 : 0} opcode=${frame.opcode} ${body}`);
}

// A server must receive masked frames: an unmasked one is a protocol error (RFC 6455 §5.1).
const strict = new FrameParser({ role: 'server', onFrame: () => {} });
const error = strict.push(frames[0][1]);
console.log(`\nunmasked frame sent to a server → ${error?.code}, close ${error?.closeCode} (${describeCloseCode(error?.closeCode ?? 0)})`);
