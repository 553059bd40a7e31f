/**
 * Delivery across the closing handshake, sans-I/O: a client and a server Protocol joined by a wire
 * the test drives (test/pair.ts). The promise under test (docs/delivery.md): on a connection whose
 * closing handshake completes, every message a send accepted reaches the peer's application, in
 * order, whichever end closes and whatever crosses the close frame on the wire; a send that is not
 * accepted says so at once (false); one accepted and then not written says so (onWritten false).
 */
import { describe, expect, it } from 'vitest';
import { pair } from '../../test/pair.ts';
import type { End, Pair, SendKind } from '../../test/pair.ts';
import { closePayload, concat, frame, record, serverClose, toHex, utf8 } from '../../test/recorder.ts';
import { heldXorExtension, xor, xorExtension } from '../../test/xor-extension.ts';
import type { HeldXor } from '../../test/xor-extension.ts';
import type { Extension } from './extension.ts';

type Mode = 'plain' | 'sync extension' | 'held extension';

interface Setup {
  link: Pair;
  /** The held transforms of both ends (mode 'held extension'), else empty. */
  held: HeldXor[];
}

function setUp(mode: Mode): Setup {
  const held: HeldXor[] = [];
  const extensions = (): readonly Extension[] => {
    if (mode === 'plain') return [];
    if (mode === 'sync extension') return [xorExtension()];
    const h = heldXorExtension();
    held.push(h);
    return [h.extension];
  };
  return { link: pair(extensions), held };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Finish held transforms and move bytes both ways until nothing moves any more. */
async function settle({ link, held }: Setup): Promise<void> {
  for (let round = 0; round < 50; round++) {
    let moved = 0;
    for (const h of held) {
      moved += h.pending;
      h.release();
    }
    await nextTurn();
    moved += link.deliver(link.client) + link.deliver(link.server);
    if (moved === 0) return;
  }
  throw new Error('the pair did not settle in 50 rounds');
}

/** The ledger invariants of a cleanly closed pair: everything accepted was written and received, in order. */
function expectNothingLost(a: End, b: End, code: number): void {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    expect(from.dropped, `${from.role}: accepted, then dropped`).toEqual([]);
    expect(from.written, `${from.role}: accepted but not written`).toEqual(from.accepted);
    expect(to.received, `${to.role} received what ${from.role} accepted`).toEqual(from.accepted);
    expect(from.closeEvents.at(-1)).toEqual(['close', code, true]);
    expect(from.protocol.state).toBe('CLOSED');
  }
}

const modes: Mode[] = ['plain', 'sync extension', 'held extension'];
const kinds: SendKind[] = ['text', 'binary', 'raw'];

describe('every accepted message crosses the closing handshake (both directions, either initiator)', () => {
  for (const mode of modes) {
    for (const kind of kinds) {
      for (const initiator of ['client', 'server'] as const) {
        for (const order of ['close first', 'crossing data first'] as const) {
          for (const chunk of [0, 1, 5]) {
            it(`${mode}, ${kind}, ${initiator} closes, ${order}, chunks of ${chunk || 'all'}`, async () => {
              const setup = setUp(mode);
              const { link } = setup;
              const closer = link[initiator];
              const other = initiator === 'client' ? link.server : link.client;
              for (let i = 1; i <= 3; i++) {
                expect(link.client.send(kind, `c${i}`)).toBe(true);
                expect(link.server.send(kind, `s${i}`)).toBe(true);
              }
              expect(closer.protocol.sendClose(1000)).toBe(true);
              // Refused at once, not accepted and lost: the closing handshake has begun.
              expect(closer.send(kind, 'after close')).toBe(false);
              // The other end has not seen the close yet: these cross the close frame on the wire.
              expect(other.send(kind, 'crossing 1')).toBe(true);
              expect(other.send(kind, 'crossing 2')).toBe(true);
              if (order === 'close first') {
                // Held encodes finish first, so the close frame is on the wire behind the messages.
                for (const h of setup.held) h.release();
                await nextTurn();
                link.deliver(closer, chunk);
                // The other end has the close frame now: a send is refused, and it answers with its close.
                expect(other.send(kind, 'after the peer close')).toBe(false);
              } else {
                link.deliver(other, chunk);
              }
              await settle(setup);
              expectNothingLost(link.client, link.server, 1000);
              expect(closer.refused).toEqual(['after close']);
              expect(other.refused).toEqual(order === 'close first' ? ['after the peer close'] : []);
            });
          }
        }
      }
    }
  }
});

describe('the close frame waits for messages still being encoded', () => {
  it('an encode in flight when sendClose is called: the message is written, then the close frame', async () => {
    const setup = setUp('held extension');
    const { link, held } = setup;
    expect(link.client.send('text', 'in flight')).toBe(true);
    expect(link.client.protocol.sendClose(1000)).toBe(true);
    expect(link.client.protocol.state).toBe('CLOSING');
    // Nothing on the wire yet: the close frame may not overtake the message (RFC 6455 §5.4).
    expect(link.client.outgoing).toEqual([]);
    expect(link.client.written).toEqual([]);
    held[0]!.release();
    await nextTurn();
    expect(link.client.outgoing.map(toHex)).toEqual([
      toHex(frame(1, xor([utf8('in flight')]), { rsv1: true })),
      toHex(frame(8, closePayload(1000))),
    ]);
    expect(link.client.written).toEqual(['in flight']);
    await settle(setup);
    expectNothingLost(link.client, link.server, 1000);
  });

  it('the peer close arrives while our encode is in flight: our reply close follows the message', async () => {
    const setup = setUp('held extension');
    const { link, held } = setup;
    expect(link.client.send('binary', 'mine')).toBe(true);
    expect(link.server.protocol.sendClose(1001)).toBe(true);
    link.deliver(link.server);
    // The client has the close frame; its reply waits behind the message being encoded.
    expect(link.client.closeEvents).toEqual([['closing', 1001]]);
    expect(link.client.outgoing).toEqual([]);
    held[0]!.release();
    await nextTurn();
    expect(link.client.outgoing.map(toHex)).toEqual([
      toHex(frame(2, xor([utf8('mine')]), { rsv1: true })),
      toHex(frame(8, closePayload(1001))),
    ]);
    await settle(setup);
    expectNothingLost(link.client, link.server, 1001);
  });

  it('an end of stream with an encode in flight reports the send as not written (onWritten false) and the close as not clean', async () => {
    const setup = setUp('held extension');
    const { link, held } = setup;
    expect(link.client.send('text', 'never written')).toBe(true);
    link.client.protocol.receiveEof();
    expect(link.client.dropped).toEqual(['never written']);
    expect(link.client.closeEvents).toEqual([['close', 1006, false]]);
    held[0]!.release();
    await nextTurn();
    // The encode that finished afterwards writes nothing and reports nothing twice.
    expect(link.client.outgoing).toEqual([]);
    expect(link.client.written).toEqual([]);
    expect(link.client.dropped).toEqual(['never written']);
  });
});

describe('messages in the same chunk as the close frame', () => {
  it('a message still being decoded when the close frame arrives is delivered before closing and close', async () => {
    const held = heldXorExtension();
    const r = record({ extensions: [held.extension] });
    r.protocol.sendClose(1000);
    r.take();
    // One TCP chunk: a compressed message, a plain one, the peer's close frame.
    r.feed(concat([frame(1, xor([utf8('deflated')]), { rsv1: true }), frame(1, 'plain'), frame(8, closePayload(1000))]));
    expect(r.take()).toEqual([]);
    expect(r.protocol.state).toBe('CLOSING');
    held.release();
    await nextTurn();
    expect(r.take()).toEqual([
      ['text', 'deflated'],
      ['text', 'plain'],
      ['close', 1000, '', true],
    ]);
  });

  it('the peer closes first with a message still being decoded: closing comes after the message, our close frame at once', async () => {
    const held = heldXorExtension();
    const r = record({ extensions: [held.extension] });
    r.feed(concat([frame(2, xor([utf8('last')]), { rsv1: true }), frame(8, closePayload(1001))]));
    // Our close frame goes out (nothing of ours is queued); the events wait behind the decode.
    expect(r.take()).toEqual([['write', serverClose(1001)]]);
    held.release();
    await nextTurn();
    expect(r.take()).toEqual([
      ['binary', toHex(utf8('last'))],
      ['closing', 1001, ''],
      ['close', 1001, '', true],
    ]);
  });
});
