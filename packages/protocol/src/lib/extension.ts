/**
 * The extension pipeline (RFC 6455 §9): per-message transforms in each direction, owned RSV bits,
 * and transforms that may finish later (a Promise) without reordering messages. permessage-deflate
 * (RFC 7692, @rfc6455/deflate) is the extension this is shaped for.
 *
 * Where every transform returns its result directly, the pipeline returns directly too: no Promise
 * and no microtask on the path. Only a transform that returns a Promise makes the result a Promise.
 */
import { isValidCloseCode, isWebSocketError } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import { ProtocolError, ProtocolErrorCode } from './protocol-error.ts';

/** What an extension's `encode` returns: the payload to frame and the RSV bits to set on its first frame. */
export interface EncodedMessage {
  /** The transformed payload. */
  data: Uint8Array;
  /** RSV bits (RSV1 = 0x4, RSV2 = 0x2, RSV3 = 0x1) to set on the message's first frame; only bits the extension owns. */
  rsv: number;
}

/** Per-message options handed to {@link Extension.encode} (from `sendText`/`sendBinary`'s options). */
export interface ExtensionEncodeOptions {
  /** `false` when the caller asked for this message to go out untransformed (ws's `send(data, { compress: false })`). */
  compress?: boolean | undefined;
}

/**
 * A negotiated extension, as the protocol drives it. Extensions run in the order given for
 * outgoing messages and in reverse order for incoming ones (RFC 6455 §9.1).
 */
export interface Extension {
  /** The extension's registered name, e.g. `permessage-deflate`; used in error messages. */
  readonly name: string;
  /** The RSV bits it owns (RSV1 = 0x4, RSV2 = 0x2, RSV3 = 0x1); two extensions may not own the same bit. */
  readonly rsvBits: number;
  /**
   * Transform an outgoing whole message. Called once per message sent with `fin` true outside a
   * manual fragmentation (manual fragments are sent as they are). `options` carries the caller's
   * per-message wishes (`compress`); it is undefined when the caller gave none. May return a
   * Promise; messages still leave in the order they were sent.
   */
  encode?(payload: Uint8Array, isBinary: boolean, options?: ExtensionEncodeOptions): EncodedMessage | Promise<EncodedMessage>;
  /**
   * Transform an incoming whole message whose first frame had `rsv` bits, at least one of them this
   * extension's. `fragments` are the payloads of its frames, in order. Must enforce `maxLength`
   * WHILE decoding (throw or reject with a WebSocketError `WS_ERR_UNSUPPORTED_MESSAGE_LENGTH`, closeCode 1009)
   * so a small compressed message cannot expand without bound. May return a Promise; messages are
   * still delivered in the order they arrived.
   */
  decode?(fragments: Uint8Array[], rsv: number, maxLength: number): Uint8Array | Promise<Uint8Array>;
  /** Release resources (e.g. zlib streams); called once when the connection closes. */
  close?(): void;
}

/** True for a Promise or any thenable. */
export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Check the extension list given to the protocol: objects with a name and disjoint RSV bits.
 * Returns the RSV bits they own together (the parser's `allowedRsvBits`). Throws TypeError/RangeError.
 */
export function checkExtensions(extensions: readonly Extension[]): number {
  if (!Array.isArray(extensions)) throw new TypeError('extensions must be an array of Extension objects');
  let owned = 0;
  for (const extension of extensions) {
    if (extension === null || typeof extension !== 'object' || typeof extension.name !== 'string') {
      throw new TypeError('each extension must be an object with a string name');
    }
    const bits = extension.rsvBits;
    if (!Number.isInteger(bits) || bits < 0 || bits > 7) {
      throw new RangeError(`extension ${extension.name}: rsvBits must be an integer from 0 to 7, got ${String(bits)}`);
    }
    if ((owned & bits) !== 0) {
      throw new RangeError(`extension ${extension.name}: an earlier extension already owns RSV bits ${owned & bits}`);
    }
    for (const method of ['encode', 'decode', 'close'] as const) {
      if (extension[method] !== undefined && typeof extension[method] !== 'function') {
        throw new TypeError(`extension ${extension.name}: ${method} must be a function when given`);
      }
    }
    owned |= bits;
  }
  return owned;
}

function checkEncoded(extension: Extension, result: EncodedMessage): EncodedMessage {
  if (result === null || typeof result !== 'object' || !(result.data instanceof Uint8Array)) {
    throw new TypeError(`extension ${extension.name}: encode must return { data: Uint8Array, rsv: number }`);
  }
  const rsv = result.rsv;
  if (!Number.isInteger(rsv) || (rsv & ~extension.rsvBits) !== 0) {
    throw new RangeError(`extension ${extension.name}: encode set RSV bits ${String(rsv)} it does not own`);
  }
  return result;
}

/**
 * Run `encoders` (those with `encode`) over an outgoing payload, in order. Returns directly when
 * every transform does; a Promise from the first transform that returns one.
 */
export function encodeMessage(
  encoders: readonly Extension[],
  payload: Uint8Array,
  isBinary: boolean,
  options?: ExtensionEncodeOptions,
): EncodedMessage | Promise<EncodedMessage> {
  return encodeFrom(encoders, 0, payload, isBinary, 0, options);
}

function encodeFrom(
  encoders: readonly Extension[],
  start: number,
  payload: Uint8Array,
  isBinary: boolean,
  rsv: number,
  options: ExtensionEncodeOptions | undefined,
): EncodedMessage | Promise<EncodedMessage> {
  let data = payload;
  let bits = rsv;
  for (let i = start; i < encoders.length; i++) {
    const extension = encoders[i]!;
    const result = options === undefined ? extension.encode!(data, isBinary) : extension.encode!(data, isBinary, options);
    if (isThenable<EncodedMessage>(result)) {
      return Promise.resolve(result).then((value) => {
        const checked = checkEncoded(extension, value);
        return encodeFrom(encoders, i + 1, checked.data, isBinary, bits | checked.rsv, options);
      });
    }
    const checked = checkEncoded(extension, result);
    data = checked.data;
    bits |= checked.rsv;
  }
  return { data, rsv: bits };
}

function checkDecoded(extension: Extension, result: Uint8Array): Uint8Array {
  if (!(result instanceof Uint8Array)) throw new TypeError(`extension ${extension.name}: decode must return a Uint8Array`);
  return result;
}

/**
 * Run the decoders of an incoming message, in reverse order, each only when the message's `rsv`
 * has one of its bits. Returns directly when every transform does. Fragments are joined only if no
 * extension decodes them (then the caller sees one buffer, as for any message).
 */
export function decodeMessage(
  extensions: readonly Extension[],
  fragments: Uint8Array[],
  rsv: number,
  maxLength: number,
): Uint8Array | Promise<Uint8Array> {
  return decodeFrom(extensions, extensions.length - 1, fragments, rsv, maxLength);
}

function decodeFrom(
  extensions: readonly Extension[],
  start: number,
  fragments: Uint8Array[],
  rsv: number,
  maxLength: number,
): Uint8Array | Promise<Uint8Array> {
  let parts = fragments;
  for (let i = start; i >= 0; i--) {
    const extension = extensions[i]!;
    if (extension.decode === undefined || (extension.rsvBits & rsv) === 0) continue;
    const result = extension.decode(parts, rsv, maxLength);
    if (isThenable<Uint8Array>(result)) {
      return Promise.resolve(result).then((value) =>
        decodeFrom(extensions, i - 1, [checkDecoded(extension, value)], rsv, maxLength),
      );
    }
    parts = [checkDecoded(extension, result)];
  }
  return joinFragments(parts);
}

/** One buffer holding `parts` back to back; the part itself when there is only one. */
export function joinFragments(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/**
 * The error an exception from a transform becomes. On the receive side, a WebSocketError that
 * carries a close code that may be sent (the extension's own verdict on the peer's data, such as
 * 1009 for a decompression bomb) is kept as it is; anything else — and every failure to encode our
 * own message — becomes `WS_ERR_EXTENSION_FAILED` (1011) with the original as `cause`.
 */
export function extensionError(err: unknown, direction: 'encode' | 'decode', names: string): WebSocketError {
  if (
    direction === 'decode' &&
    isWebSocketError(err) &&
    typeof err.closeCode === 'number' &&
    isValidCloseCode(err.closeCode)
  ) {
    return err;
  }
  return new ProtocolError(
    ProtocolErrorCode.ExtensionFailed,
    `Extension ${names} failed to ${direction} a message`,
    { cause: err },
  );
}

/**
 * Tell every extension the connection is over (`close`), so it can free its resources (a zlib
 * stream). One extension's cleanup failing must not keep the others from theirs, nor the
 * connection from closing; there is nobody left to report it to.
 */
export function closeExtensions(extensions: readonly Extension[]): void {
  for (const extension of extensions) {
    try {
      extension.close?.();
    } catch {
      // Deliberately swallowed: see above.
    }
  }
}
