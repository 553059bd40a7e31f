/**
 * Test extensions on RSV1: XOR every byte with 0x5a (reversible, so both ends can run it), as a
 * synchronous transform or as one whose results wait until the test releases them — the shape of
 * permessage-deflate through zlib, without zlib (the protocol package may not import deflate).
 */
import { WebSocketError } from '@rfc6455/codes';
import type { EncodedMessage, Extension } from '../src/lib/extension.ts';

const KEY = 0x5a;

/** The bytes of `parts`, back to back, each XORed with 0x5a. */
export function xor(parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) for (const byte of part) out[at++] = byte ^ KEY;
  return out;
}

/** The XOR extension, synchronous; logs its calls into `log`, enforces maxLength while decoding. */
export function xorExtension(log: string[] = []): Extension {
  return {
    name: 'x-xor',
    rsvBits: 0x4,
    encode(payload) {
      log.push(`encode ${payload.length}`);
      return { data: xor([payload]), rsv: 0x4 };
    },
    decode(fragments, rsv, maxLength) {
      log.push(`decode ${fragments.length} rsv=${rsv} max=${maxLength}`);
      const length = fragments.reduce((n, p) => n + p.length, 0);
      if (length > maxLength) {
        throw new WebSocketError('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', `decoded ${length} > ${maxLength}`, { closeCode: 1009 });
      }
      return xor(fragments);
    },
    close() {
      log.push('close');
    },
  };
}

/** The XOR extension whose every encode and decode stays pending until {@link HeldXor.release}. */
export interface HeldXor {
  readonly extension: Extension;
  /** How many transforms wait. */
  readonly pending: number;
  /** Finish the waiting transforms, the newest first (the protocol must keep message order anyway). */
  release(): void;
}

/** A {@link HeldXor}: transforms finish only when the test says so. */
export function heldXorExtension(): HeldXor {
  const waiting: Array<() => void> = [];
  const hold = <T>(value: T): Promise<T> => new Promise<T>((resolve) => waiting.push(() => resolve(value)));
  return {
    extension: {
      name: 'x-xor-held',
      rsvBits: 0x4,
      encode: (payload): Promise<EncodedMessage> => hold({ data: xor([payload]), rsv: 0x4 }),
      decode: (fragments): Promise<Uint8Array> => hold(xor(fragments)),
    },
    get pending() {
      return waiting.length;
    },
    release() {
      for (const finish of waiting.splice(0).reverse()) finish();
    },
  };
}

/** A deterministic pseudo-random source (xorshift), so delays are random but reproducible. */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

// Every transform an asyncXorExtension has started and that has not settled yet.
const inFlight = new Set<Promise<unknown>>();

/** `value()` after `ms` milliseconds (its exception as the rejection), tracked by {@link transformsSettled}. */
export function later<T>(ms: number, value: () => T): Promise<T> {
  const promise = new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(value());
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    }, ms),
  );
  inFlight.add(promise);
  const forget = (): void => {
    inFlight.delete(promise);
  };
  promise.then(forget, forget);
  return promise;
}

/** The XOR extension, each transform finishing after a random delay of 0–9 ms. */
export function asyncXorExtension(seed: number): Extension {
  const sync = xorExtension();
  const random = prng(seed);
  return {
    name: 'x-xor-async',
    rsvBits: 0x4,
    encode: (payload, isBinary) => later(Math.floor(random() * 10), () => sync.encode!(payload, isBinary) as EncodedMessage),
    decode: (fragments, rsv, max) => later(Math.floor(random() * 10), () => sync.decode!(fragments, rsv, max) as Uint8Array),
  };
}

/**
 * Resolves once every transform of every asyncXorExtension has finished and the protocol has
 * handled its result (a macrotask after the last settles, so the protocol's `then` callbacks ran).
 * Waits for the transforms themselves, never for a fixed time.
 */
export async function transformsSettled(): Promise<void> {
  do {
    await Promise.allSettled([...inFlight]);
    await new Promise<void>((resolve) => setImmediate(resolve));
  } while (inFlight.size > 0);
}
