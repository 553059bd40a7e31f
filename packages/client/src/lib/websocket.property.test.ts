import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPeer } from '../../test/peer.ts';
import type { Peer } from '../../test/peer.ts';
import { WebSocket } from './websocket.ts';

let p: Peer;
beforeAll(async () => {
  p = await startPeer();
});
afterAll(() => p.close());

/** One message to send: text or bytes, split into 1–3 fragments. */
const messageArb = fc.oneof(
  fc.record({ text: fc.string({ unit: 'grapheme', maxLength: 40 }), cuts: fc.array(fc.nat(40), { maxLength: 2 }) }),
  fc.record({ bytes: fc.uint8Array({ maxLength: 70_000 }), cuts: fc.array(fc.nat(70_000), { maxLength: 2 }) }),
);

function pieces<T extends { length: number; slice(a: number, b?: number): T }>(data: T, cuts: number[]): T[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, data.length)))].sort((a, b) => a - b);
  const out: T[] = [];
  let at = 0;
  for (const point of points) {
    out.push(data.slice(at, point));
    at = point;
  }
  out.push(data.slice(at));
  return out;
}

describe('property: whatever is sent comes back, in order and intact', () => {
  it('echoes any sequence of text/binary messages, each sent whole or in fragments', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { minLength: 1, maxLength: 6 }), async (messages) => {
        const ws = await WebSocket.connect(p.url);
        try {
          const got: Array<[string, boolean]> = [];
          const done = new Promise<void>((resolve) =>
            ws.on('message', (data: Buffer, isBinary: boolean) => {
              got.push([data.toString('hex'), isBinary]);
              if (got.length === messages.length) resolve();
            }),
          );
          const expected: Array<[string, boolean]> = [];
          for (const message of messages) {
            if ('text' in message) {
              // Fragment text on UTF-8 byte boundaries of its encoding: each piece is bytes, the
              // message as a whole stays valid UTF-8.
              const bytes = Buffer.from(message.text);
              const parts = pieces(bytes, message.cuts);
              parts.forEach((part, i) => ws.send(part, { binary: false, fin: i === parts.length - 1 }));
              expected.push([bytes.toString('hex'), false]);
            } else {
              const parts = pieces(message.bytes, message.cuts);
              parts.forEach((part, i) => ws.send(part, { fin: i === parts.length - 1 }));
              expected.push([Buffer.from(message.bytes).toString('hex'), true]);
            }
          }
          await done;
          expect(got).toEqual(expected);
        } finally {
          ws.terminate();
        }
      }),
      { numRuns: 25 },
    );
  });
});
