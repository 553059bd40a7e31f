/**
 * Two Protocols, a client and a server, joined by a wire the test drives: what one end writes
 * waits in its `outgoing` list until the test delivers it to the other, whole, byte by byte or in
 * chunks of any size, so every interleaving of data and close frames can be written down exactly.
 * Each end keeps the ledger a delivery test needs: what its application received, which of its
 * sends were accepted, written (onWritten true), dropped (onWritten false) or refused (false).
 */
import { Opcode } from '@rfc6455/codes';
import { encodeFrame } from '@rfc6455/frame';
import type { Extension } from '../src/lib/extension.ts';
import { Protocol } from '../src/lib/protocol.ts';
import { concat, RFC_KEY } from './recorder.ts';

/** How a message is sent: `sendText`, `sendBinary`, or `sendRaw` of a frame encoded beforehand (a broadcast). */
export type SendKind = 'text' | 'binary' | 'raw';

/** One end of a {@link Pair}. */
export interface End {
  readonly protocol: Protocol;
  readonly role: 'client' | 'server';
  /** Bytes written and not yet delivered to the peer, in write order. */
  readonly outgoing: Uint8Array[];
  /** Messages delivered to this end's application, as text (binary payloads are UTF-8 here too). */
  readonly received: string[];
  /** Sends that returned true, in call order. */
  readonly accepted: string[];
  /** Sends whose onWritten said true, in call order. */
  readonly written: string[];
  /** Sends whose onWritten said false: accepted, then never written. */
  readonly dropped: string[];
  /** Sends that returned false (the closing handshake had begun). */
  readonly refused: string[];
  /** onClosing, then onClose, as they happened. */
  readonly closeEvents: Array<['closing', number] | ['close', number, boolean]>;
  /** Send `label` as a message of `kind`, recording the outcome; returns what the protocol returned. */
  send(kind: SendKind, label: string): boolean;
}

/** A client and a server Protocol joined by a test-driven wire. */
export interface Pair {
  readonly client: End;
  readonly server: End;
  /**
   * Deliver what `from` has written so far to its peer: in one chunk (`chunk` 0, the default), or
   * cut into chunks of `chunk` bytes (1: byte by byte). Returns how many bytes moved.
   */
  deliver(from: End, chunk?: number): number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A pair of connected Protocols; `extensions` makes each end's extension list (the same kind on both). */
export function pair(extensions: (role: 'client' | 'server') => readonly Extension[] = () => []): Pair {
  const makeEnd = (role: 'client' | 'server'): End => {
    const outgoing: Uint8Array[] = [];
    const end: End = {
      role,
      outgoing,
      received: [],
      accepted: [],
      written: [],
      dropped: [],
      refused: [],
      closeEvents: [],
      protocol: new Protocol({
        role,
        randomMaskKey: () => RFC_KEY.slice(),
        extensions: extensions(role),
        handler: {
          // The protocol may reuse nothing it wrote, but the test keeps a copy to be sure.
          onWrite: (data) => outgoing.push(data.slice()),
          onMessage: (data) => end.received.push(decoder.decode(data)),
          onPing: () => {},
          onPong: () => {},
          onClosing: (code) => end.closeEvents.push(['closing', code]),
          onClose: (code, _reason, wasClean) => end.closeEvents.push(['close', code, wasClean]),
          onError: (err) => {
            throw new Error(`${role}: unexpected protocol error ${err.code}: ${err.message}`);
          },
        },
      }),
      send(kind, label) {
        const onWritten = (written: boolean): void => {
          (written ? end.written : end.dropped).push(label);
        };
        const bytes = encoder.encode(label);
        let ok: boolean;
        if (kind === 'text') ok = end.protocol.sendText(label, { onWritten });
        else if (kind === 'binary') ok = end.protocol.sendBinary(bytes, { onWritten });
        else {
          const frame = encodeFrame(Opcode.Text, bytes, role === 'client' ? { maskKey: RFC_KEY } : {});
          ok = end.protocol.sendRaw(frame, { onWritten });
        }
        (ok ? end.accepted : end.refused).push(label);
        return ok;
      },
    };
    return end;
  };
  const client = makeEnd('client');
  const server = makeEnd('server');
  return {
    client,
    server,
    deliver(from, chunk = 0) {
      const to = from === client ? server : client;
      const bytes = concat(from.outgoing.splice(0));
      if (bytes.length === 0) return 0;
      const size = chunk <= 0 ? bytes.length : chunk;
      for (let at = 0; at < bytes.length; at += size) to.protocol.receiveData(bytes.slice(at, at + size));
      return bytes.length;
    },
  };
}
