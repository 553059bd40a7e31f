/**
 * Fuzz target: @rfc6455/frame's FrameParser. Invariants checked on every input:
 * - `push` never throws, whatever the bytes;
 * - a failure carries a documented code and the one close code that code maps to;
 * - after a failure, further pushes deliver nothing and return the same error;
 * - every delivered frame obeys RFC 6455 §5 (known opcode, masking by role, control frames final
 *   and ≤ 125 bytes, payload ≤ maxPayloadLength);
 * - chunking does not matter: the whole stream and the stream cut anywhere give the same frames
 *   and the same error.
 */
import { FrameParser } from '@rfc6455/frame';
import type { Frame } from '@rfc6455/frame';
import { cutAt, fromHex, toHex } from '@rfc6455/testing';
import type { WireInput } from './wire.ts';

/** Every FrameParser error code and its close code (from the frame package's README/docs). */
export const FRAME_ERRORS: Readonly<Record<string, number>> = {
  WS_ERR_INVALID_OPCODE: 1002,
  WS_ERR_UNEXPECTED_RSV_1: 1002,
  WS_ERR_UNEXPECTED_RSV_2_3: 1002,
  WS_ERR_EXPECTED_FIN: 1002,
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 1002,
  WS_ERR_INVALID_PAYLOAD_LENGTH: 1002,
  WS_ERR_EXPECTED_MASK: 1002,
  WS_ERR_UNEXPECTED_MASK: 1002,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 1008,
  WS_ERR_INVALID_CLOSE_CODE: 1002,
  WS_ERR_INVALID_UTF8: 1007,
};

/** What one run of the parser produced, in comparable form. */
interface Outcome {
  frames: string[];
  error: string | undefined;
}

function describeFrame(f: Frame): string {
  return `${f.fin ? 'F' : '-'}${f.rsv1 ? 1 : 0}${f.rsv2 ? 1 : 0}${f.rsv3 ? 1 : 0}:${f.opcode}:${f.masked ? 'm' : 'u'}:${toHex(f.payload)}`;
}

function run(input: WireInput, chunks: Uint8Array[]): Outcome {
  const frames: string[] = [];
  const parser = new FrameParser({
    role: input.role,
    maxPayloadLength: input.limits.maxPayloadLength,
    onFrame: (f) => {
      if (f.opcode > 0xa || (f.opcode > 0x2 && f.opcode < 0x8)) throw new Error(`delivered a reserved opcode ${f.opcode}`);
      if (f.masked !== (input.role === 'server')) throw new Error(`delivered a frame masked=${f.masked} to a ${input.role}`);
      if (f.opcode >= 0x8 && (!f.fin || f.payload.length > 125)) throw new Error('delivered a fragmented or oversized control frame');
      if (f.payload.length > input.limits.maxPayloadLength) throw new Error(`delivered ${f.payload.length} bytes over maxPayloadLength`);
      if (f.payload.length !== f.payloadLength) throw new Error('payload.length differs from payloadLength');
      frames.push(describeFrame(f));
    },
  });
  let error: { code: string; closeCode?: number | undefined } | undefined;
  for (const c of chunks) {
    const e = parser.push(c);
    if (e !== undefined) {
      if (error !== undefined && e.code !== error.code) throw new Error(`error changed from ${error.code} to ${e.code}`);
      error = e;
    } else if (error !== undefined) {
      throw new Error('push returned nothing after a failure');
    }
  }
  if (error !== undefined) {
    const expected = FRAME_ERRORS[error.code];
    if (expected === undefined) throw new Error(`undocumented error code ${error.code}`);
    if (error.closeCode !== expected) throw new Error(`${error.code} carried close code ${String(error.closeCode)}, documented ${expected}`);
    const count = frames.length;
    const again = parser.push(Uint8Array.of(0x81, 0x00, 0x82, 0x00));
    if (again?.code !== error.code) throw new Error('a push after a failure did not return the stored error');
    if (frames.length !== count) throw new Error('a frame was delivered after a failure');
  }
  return { frames, error: error?.code };
}

/** Check every invariant for one input; throws an Error naming the first violation. */
export function checkFrameParser(input: WireInput): void {
  const bytes = fromHex(input.hex);
  const whole = run(input, bytes.length === 0 ? [] : [bytes.slice()]);
  const cut = run(input, cutAt(bytes, input.cuts));
  if (JSON.stringify(whole) !== JSON.stringify(cut)) {
    throw new Error(`chunking changed the outcome: whole ${JSON.stringify(whole)} vs cut ${JSON.stringify(cut)}`);
  }
}
