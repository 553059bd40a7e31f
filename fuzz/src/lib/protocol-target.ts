/**
 * Fuzz target: @rfc6455/protocol's Protocol with a recording handler. The peer's bytes arrive in
 * chunks, the application acts between chunks (send, ping, close), then the stream ends (EOF).
 * Invariants:
 * - nothing throws out of `receiveData` / `receiveEof` or out of sends made with valid arguments;
 * - errors carry documented codes and their close codes; at most one error;
 * - onClosing at most once and before onClose; onClose exactly once after EOF;
 * - no event at all after onClose (no message, ping, pong, error, closing, or write);
 * - text messages are valid UTF-8 and no message is longer than maxMessageLength;
 * - every byte the protocol writes parses, for the peer's role, as valid frames (masked iff we are
 *   a client), and nothing follows our close frame;
 * - without application actions, chunking does not change the events.
 */
import { FrameParser } from '@rfc6455/frame';
import { Protocol } from '@rfc6455/protocol';
import type { ProtocolHandler } from '@rfc6455/protocol';
import { cutAt, fromHex, toHex } from '@rfc6455/testing';
import fc from 'fast-check';
import { FRAME_ERRORS } from './frame-target.ts';
import { wireInputArb } from './wire.ts';
import type { WireInput } from './wire.ts';

/** Codes the protocol adds to the frame parser's, with their close codes. */
export const PROTOCOL_ERRORS: Readonly<Record<string, number>> = {
  ...FRAME_ERRORS,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 1008,
  WS_ERR_EXTENSION_FAILED: 1011,
};

/** Something the application does between two chunks. */
export type Action = 'none' | 'text' | 'binary' | 'fragment' | 'ping' | 'pong' | 'close' | 'fail';

/** A protocol input: the peer's stream plus the application's actions (one per chunk boundary). */
export interface ProtocolInput extends WireInput {
  actions: Action[];
}

/** Arbitrary protocol inputs. */
export function protocolInputArb(): fc.Arbitrary<ProtocolInput> {
  return fc
    .tuple(
      wireInputArb(),
      fc.oneof(
        { weight: 2, arbitrary: fc.constant([] as Action[]) },
        { weight: 3, arbitrary: fc.array(fc.constantFrom<Action>('none', 'text', 'binary', 'fragment', 'ping', 'pong', 'close', 'fail'), { maxLength: 6 }) },
      ),
    )
    .map(([wire, actions]) => ({ ...wire, actions }));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function run(input: ProtocolInput, chunks: Uint8Array[], actions: readonly Action[]): string[] {
  const events: string[] = [];
  const written: Uint8Array[] = [];
  let closed = 0;
  let closing = 0;
  let errors = 0;
  const after = (what: string): void => {
    if (closed > 0) throw new Error(`${what} after onClose`);
  };
  const handler: ProtocolHandler = {
    onWrite(data) {
      after('onWrite');
      written.push(data.slice());
    },
    onMessage(data, isBinary) {
      after('onMessage');
      if (data.length > input.limits.maxMessageLength) throw new Error(`message of ${data.length} bytes over maxMessageLength`);
      if (!isBinary) utf8.decode(data);
      events.push(`message:${isBinary ? 'b' : 't'}:${toHex(data)}`);
    },
    onPing(payload) {
      after('onPing');
      events.push(`ping:${toHex(payload)}`);
    },
    onPong(payload) {
      after('onPong');
      events.push(`pong:${toHex(payload)}`);
    },
    onClosing(code, reason) {
      after('onClosing');
      if (++closing > 1) throw new Error('onClosing twice');
      events.push(`closing:${code}:${reason}`);
    },
    onClose(code, reason, wasClean) {
      if (++closed > 1) throw new Error('onClose twice');
      events.push(`close:${code}:${reason}:${wasClean}`);
    },
    onError(err) {
      after('onError');
      if (++errors > 1) throw new Error('onError twice');
      const expected = PROTOCOL_ERRORS[err.code];
      if (expected === undefined) throw new Error(`undocumented error code ${err.code}`);
      if (err.closeCode !== expected) throw new Error(`${err.code} carried close code ${String(err.closeCode)}, documented ${expected}`);
      events.push(`error:${err.code}`);
    },
  };
  const protocol = new Protocol({
    role: input.role,
    handler,
    maxPayloadLength: input.limits.maxPayloadLength,
    maxMessageLength: input.limits.maxMessageLength,
    maxFragments: input.limits.maxFragments,
    randomMaskKey: () => Uint8Array.of(1, 2, 3, 4),
  });
  const app = { fragmentOpen: false };
  for (let i = 0; i < chunks.length; i++) {
    protocol.receiveData(chunks[i]!);
    act(protocol, actions[i] ?? 'none', app);
  }
  protocol.receiveEof();
  if (closed !== 1) throw new Error(`onClose fired ${closed} times after EOF`);
  if (protocol.state !== 'CLOSED') throw new Error(`state ${protocol.state} after onClose`);
  checkOutput(input.role, written);
  return events;
}

/**
 * Perform one application action with valid arguments. While our own fragmented text message is
 * open, only sendText may continue it (anything else is caller misuse, a TypeError by design), so
 * 'binary' finishes the text message instead.
 */
function act(protocol: Protocol, action: Action, app: { fragmentOpen: boolean }): void {
  switch (action) {
    case 'text':
      // A discarded send (closing or closed) does not finish the fragment, as far as the protocol is concerned.
      if (protocol.sendText('héllo')) app.fragmentOpen = false;
      break;
    case 'binary':
      if (!app.fragmentOpen) protocol.sendBinary(Uint8Array.of(0, 255));
      else if (protocol.sendText('end')) app.fragmentOpen = false;
      break;
    case 'fragment':
      if (protocol.sendText('a', { fin: false })) app.fragmentOpen = true;
      break;
    case 'ping':
      protocol.sendPing('p');
      break;
    case 'pong':
      protocol.sendPong();
      break;
    case 'close':
      protocol.sendClose(1000, 'bye');
      break;
    case 'fail':
      protocol.fail(1011, 'app');
      break;
    case 'none':
      break;
  }
}

/** Our own output must be valid for the peer: parse it with the peer's role. */
function checkOutput(role: 'client' | 'server', written: readonly Uint8Array[]): void {
  let closeSeen = false;
  const parser = new FrameParser({
    role: role === 'client' ? 'server' : 'client',
    allowedRsvBits: 0,
    onFrame: (f) => {
      if (closeSeen) throw new Error('a frame was written after our close frame');
      if (f.opcode === 0x8) closeSeen = true;
    },
  });
  for (const w of written) {
    const err = parser.push(w);
    if (err !== undefined) throw new Error(`our own output is invalid: ${err.code} ${err.message}`);
  }
}

/** Check every invariant for one input; throws an Error naming the first violation. */
export function checkProtocol(input: ProtocolInput): void {
  const bytes = fromHex(input.hex);
  const pieces = cutAt(bytes, input.cuts);
  run(input, pieces, input.actions);
  if (input.actions.length === 0) {
    const whole = run(input, bytes.length === 0 ? [] : [bytes.slice()], []);
    const cut = run(input, cutAt(bytes, input.cuts), []);
    if (JSON.stringify(whole) !== JSON.stringify(cut)) {
      throw new Error(`chunking changed the events: ${JSON.stringify(whole)} vs ${JSON.stringify(cut)}`);
    }
  }
}
