/** Test helpers: a recording handler, hex vectors and frame builders for feeding a Protocol. */
import { encodeFrame } from '@rfc6455/frame';
import type { WebSocketError } from '@rfc6455/codes';
import { Protocol } from '../src/lib/protocol.ts';
import type { ProtocolHandler, ProtocolOptions } from '../src/lib/protocol.ts';

/** One recorded callback, in the order it happened; writes are hex, text messages are strings. */
export type Event =
  | ['write', string]
  | ['text', string]
  | ['binary', string]
  | ['ping', string]
  | ['pong', string]
  | ['closing', number, string]
  | ['close', number, string, boolean]
  | ['error', string, number | undefined];

/** Bytes from a hex string; spaces are ignored ("81 05 48"). */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex length: ${hex}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Lowercase hex of bytes, no separators. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Concatenate byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The mask key of RFC 6455 §5.7's examples. */
export const RFC_KEY = fromHex('37fa213d');

/** Options for {@link frame}. */
export interface FrameSpec {
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** Mask with RFC_KEY (what a client sends, so what a server receives). Default true. */
  masked?: boolean;
}

/** One encoded frame, masked with RFC_KEY unless `masked: false`. */
export function frame(opcode: number, payload: Uint8Array | string, spec: FrameSpec = {}): Uint8Array {
  const bytes = typeof payload === 'string' ? utf8(payload) : payload;
  return encodeFrame(opcode, bytes, {
    fin: spec.fin ?? true,
    rsv1: spec.rsv1 ?? false,
    rsv2: spec.rsv2 ?? false,
    rsv3: spec.rsv3 ?? false,
    ...(spec.masked === false ? {} : { maskKey: RFC_KEY }),
  });
}

/** A close frame payload: code big-endian, then the reason. */
export function closePayload(code: number, reason = ''): Uint8Array {
  return concat([new Uint8Array([code >> 8, code & 0xff]), utf8(reason)]);
}

/** A Protocol whose handler records every callback into `events`. */
export interface Recording {
  protocol: Protocol;
  events: Event[];
  /** Return the events so far and forget them. */
  take(): Event[];
  /** Feed bytes (a copy, so the caller's array is not unmasked in place). */
  feed(...chunks: Uint8Array[]): void;
}

/**
 * A Protocol (server by default, or as `options` say) with a recording handler. A client's mask
 * key is RFC_KEY unless `randomMaskKey` is given, so its bytes can be asserted exactly.
 */
/** A handler that records every callback into `events` (text decoded, bytes as hex). */
export function recordingHandler(events: Event[]): ProtocolHandler {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return {
    onWrite: (data) => events.push(['write', toHex(data)]),
    onMessage: (data, isBinary) => events.push(isBinary ? ['binary', toHex(data)] : ['text', decoder.decode(data)]),
    onPing: (payload) => events.push(['ping', toHex(payload)]),
    onPong: (payload) => events.push(['pong', toHex(payload)]),
    onClosing: (code, reason) => events.push(['closing', code, reason]),
    onClose: (code, reason, wasClean) => events.push(['close', code, reason, wasClean]),
    onError: (err: WebSocketError) => events.push(['error', err.code, err.closeCode]),
  };
}

/**
 * A Protocol (server by default, or as `options` say) with a recording handler. A client's mask
 * key is RFC_KEY unless `randomMaskKey` is given, so its bytes can be asserted exactly.
 */
export function record(options: Partial<ProtocolOptions> = {}): Recording {
  const events: Event[] = [];
  const protocol = new Protocol({
    role: 'server',
    randomMaskKey: () => RFC_KEY.slice(),
    ...options,
    handler: recordingHandler(events),
  });
  return {
    protocol,
    events,
    take() {
      return events.splice(0, events.length);
    },
    feed(...chunks) {
      for (const chunk of chunks) protocol.receiveData(chunk.slice());
    },
  };
}

/** Hex of a whole unmasked frame as a server writes it. */
export function serverFrame(opcode: number, payload: Uint8Array | string, spec: FrameSpec = {}): string {
  return toHex(frame(opcode, payload, { ...spec, masked: false }));
}

/** Hex of a close frame a server writes: code and reason. */
export function serverClose(code?: number, reason = ''): string {
  return serverFrame(8, code === undefined ? new Uint8Array(0) : closePayload(code, reason));
}
