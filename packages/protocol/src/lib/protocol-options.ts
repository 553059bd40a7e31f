/**
 * What a {@link Protocol} is built from and reports to: its options, the handler's callbacks, the
 * options of a send, the connection states, and the defaults and checks of the limits. Kept apart
 * from the state machine so the contract can be read on one page.
 */
import type { Role } from '@rfc6455/frame';
import { DEFAULT_MAX_BUFFERED_CHUNKS, DEFAULT_MAX_PAYLOAD_LENGTH } from '@rfc6455/frame';
import { checkOptionKeys } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import type { Extension } from './extension.ts';
import { checkExtensions } from './extension.ts';

/** The connection states of RFC 6455 §4–§7 (and of the WHATWG `readyState`). */
export type ProtocolState = 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

/**
 * What the protocol reports to the I/O layer. Every callback is required. Payloads handed to
 * callbacks may be views into a chunk given to `receiveData` (unmasked in place); they stay valid
 * as long as the caller does not reuse that chunk's memory.
 */
export interface ProtocolHandler {
  /** Bytes to send to the peer, in order. Write them as they come; never reorder. */
  onWrite(data: Uint8Array): void;
  /** A whole message. Text arrives as validated UTF-8 bytes (`isBinary` false); decode when a string is needed. */
  onMessage(data: Uint8Array, isBinary: boolean): void;
  /** A ping arrived (after the automatic pong, when `autoPong` is on). */
  onPing(payload: Uint8Array): void;
  /** A pong arrived. */
  onPong(payload: Uint8Array): void;
  /**
   * The closing handshake began: the peer's close frame arrived (its code, 1005 when it had none)
   * or we sent ours (our code). Start the close timer now. Fires at most once.
   */
  onClosing(code: number, reason: string): void;
  /**
   * The connection is over at the protocol level; end the TCP connection (a server at once, a
   * client after waiting, with a timeout, for the server to close first: RFC 6455 §7.1.1). `code`
   * and `reason` are the peer's close frame's, 1005 when it had no code, 1006 when none arrived.
   * `wasClean` is true when close frames went both ways without failure. Fires exactly once.
   */
  onClose(code: number, reason: string, wasClean: boolean): void;
  /** The peer broke the protocol (or an extension failed); a close frame with `err.closeCode` and onClose follow. */
  onError(err: WebSocketError): void;
}

/** Options of {@link Protocol}. */
export interface ProtocolOptions {
  /** This endpoint's role: a client masks what it sends and expects unmasked frames; a server the reverse. */
  role: Role;
  /** The callbacks that receive events and bytes to write. */
  handler: ProtocolHandler;
  /** Largest payload of one incoming frame, in bytes. Default 64 MiB. Over it: WS_ERR_UNSUPPORTED_MESSAGE_LENGTH (1009). */
  maxPayloadLength?: number;
  /**
   * Largest incoming message, in bytes: the sum of its frames on the wire and, for a message an
   * extension decodes, its decoded size. Default 64 MiB. Over it: WS_ERR_UNSUPPORTED_MESSAGE_LENGTH (1009).
   */
  maxMessageLength?: number;
  /** Most frames one incoming message may span. Default 131072. Over it: WS_ERR_TOO_MANY_BUFFERED_PARTS (1008). */
  maxFragments?: number;
  /**
   * Most pieces (chunks given to `receiveData`) one incomplete frame may be held in: the frame
   * parser's limit, ws's `maxBufferedChunks`. Default 262144. Over it: WS_ERR_TOO_MANY_BUFFERED_PARTS (1008).
   */
  maxBufferedChunks?: number;
  /** Answer each ping with a pong carrying the same payload (RFC 6455 §5.5.2). Default true. */
  autoPong?: boolean;
  /**
   * Deliver text messages and close reasons without checking that they are UTF-8 (ws's
   * `skipUTF8Validation`; RFC 6455 §8.1 requires the check, so only for a trusted peer). A close
   * reason that is not UTF-8 is then decoded with U+FFFD replacements. Default false.
   */
  skipUtf8Validation?: boolean;
  /** Negotiated extensions, in the order of the handshake's `Sec-WebSocket-Extensions`. Default none. */
  extensions?: readonly Extension[];
  /** Source of a client's 4-byte mask keys (RFC 6455 §5.3). Default: @rfc6455/frame's `generateMaskKey` (CSPRNG). */
  randomMaskKey?: () => Uint8Array;
  /** Initial state: 'OPEN' (default) once the I/O layer has done the handshake, or 'CONNECTING' and call `open()` later. */
  state?: 'CONNECTING' | 'OPEN';
}

/** Options of `sendText` and `sendBinary`. */
export interface SendOptions {
  /** False to send a fragment of a larger message; the next call continues it. Default true. */
  fin?: boolean | undefined;
  /**
   * Handed to each extension's `encode` (e.g. `false` sends this message uncompressed under
   * permessage-deflate). Ignored for manual fragments, which extensions never transform.
   */
  compress?: boolean | undefined;
  /**
   * Completion hook for this one send: called with `true` right after the last byte of its frame
   * was handed to `onWrite` (inside the `send` call when nothing waits before it, later when the
   * message waits behind an asynchronous extension encode), or with `false` when a send that
   * returned true will never be written (the connection failed or ended first, or the encode
   * failed). Called at most once; not called when the send returns false.
   */
  onWritten?: ((written: boolean) => void) | undefined;
}

/** Default `maxMessageLength`: 64 MiB, as the frame parser's default payload limit. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;

/**
 * Default `maxFragments`: 131072. Empty continuation frames cost no bytes, so without a count a
 * peer could grow a message's fragment list forever; 2^17 leaves room for Autobahn's 4 MiB messages
 * in 64-byte frames (65536 fragments) while bounding the list.
 */
export const DEFAULT_MAX_FRAGMENTS = 131_072;

/** {@link ProtocolOptions} checked, with every default filled in. */
export interface ResolvedProtocolOptions {
  readonly role: Role;
  readonly handler: ProtocolHandler;
  readonly state: 'CONNECTING' | 'OPEN';
  readonly extensions: readonly Extension[];
  /** The RSV bits the extensions own (RFC 6455 §5.2), for the frame parser. */
  readonly ownedRsv: number;
  readonly randomMaskKey: (() => Uint8Array) | undefined;
  readonly maxMessageLength: number;
  readonly maxFragments: number;
  readonly maxPayloadLength: number;
  readonly maxBufferedChunks: number;
  readonly autoPong: boolean;
  readonly skipUtf8Validation: boolean;
}

// Every key of ProtocolOptions, tied to the type: adding an option without listing it fails to compile.
const OPTION_KEYS: ReadonlySet<string> = new Set(
  Object.keys({
    role: true,
    handler: true,
    maxPayloadLength: true,
    maxMessageLength: true,
    maxFragments: true,
    maxBufferedChunks: true,
    autoPong: true,
    skipUtf8Validation: true,
    extensions: true,
    randomMaskKey: true,
    state: true,
  } satisfies Record<keyof ProtocolOptions, true>),
);

// ws's names where ours differ, so a key brought from ws says what to write here.
const OPTION_HINTS = {
  maxPayload: 'use maxMessageLength (a whole message) or maxPayloadLength (one frame)',
  skipUTF8Validation: 'use skipUtf8Validation',
};

function checkLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`${name} must be a non-negative integer or Infinity, got ${String(value)}`);
  }
  return value;
}

/**
 * Check the options of a {@link Protocol}, in a fixed order (so the same bad input always names
 * the same option), and fill in the defaults.
 *
 * @throws {TypeError} for an unknown, missing or mistyped option, {RangeError} for a limit out of range.
 */
export function resolveProtocolOptions(options: ProtocolOptions): ResolvedProtocolOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('Protocol needs an options object');
  // No option is silently ignored: an unknown key is a mistake the caller should hear about.
  checkOptionKeys('new Protocol(options)', options, OPTION_KEYS, OPTION_HINTS);
  const { role, handler } = options;
  if (role !== 'client' && role !== 'server') throw new TypeError(`role must be 'client' or 'server', got ${String(role)}`);
  if (handler === null || typeof handler !== 'object') throw new TypeError('handler must be an object of callbacks');
  for (const name of ['onWrite', 'onMessage', 'onPing', 'onPong', 'onClosing', 'onClose', 'onError'] as const) {
    if (typeof handler[name] !== 'function') throw new TypeError(`handler.${name} must be a function`);
  }
  const state = options.state ?? 'OPEN';
  if (state !== 'OPEN' && state !== 'CONNECTING') throw new TypeError(`state must be 'CONNECTING' or 'OPEN', got ${String(state)}`);
  const extensions = options.extensions ?? [];
  const ownedRsv = checkExtensions(extensions);
  if (options.randomMaskKey !== undefined && typeof options.randomMaskKey !== 'function') {
    throw new TypeError('randomMaskKey must be a function returning a 4-byte Uint8Array');
  }
  for (const name of ['autoPong', 'skipUtf8Validation'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof options[name]}`);
  }
  const maxMessageLength = checkLimit('maxMessageLength', options.maxMessageLength, DEFAULT_MAX_MESSAGE_LENGTH);
  const maxFragments = checkLimit('maxFragments', options.maxFragments, DEFAULT_MAX_FRAGMENTS);
  const maxPayloadLength = checkLimit('maxPayloadLength', options.maxPayloadLength, DEFAULT_MAX_PAYLOAD_LENGTH);
  const maxBufferedChunks = checkLimit('maxBufferedChunks', options.maxBufferedChunks, DEFAULT_MAX_BUFFERED_CHUNKS);
  return {
    role,
    handler,
    state,
    extensions,
    ownedRsv,
    randomMaskKey: options.randomMaskKey,
    maxMessageLength,
    maxFragments,
    maxPayloadLength,
    maxBufferedChunks,
    autoPong: options.autoPong ?? true,
    skipUtf8Validation: options.skipUtf8Validation ?? false,
  };
}
