/**
 * The error catalogue: every stable `WS_ERR_*` code any @rfc6455 package puts on an error, in one
 * place, with the close code a connection ends with because of it.
 *
 * Each package raises one class of error, all built on {@link WebSocketError}:
 *
 * ```
 * Error
 * ├── WebSocketError            @rfc6455/codes      code, closeCode, cause
 * │   ├── FrameError            @rfc6455/frame      a frame the peer sent breaks RFC 6455 §5
 * │   ├── ProtocolError         @rfc6455/protocol   a sequence of frames breaks §5.4/§8, or misuse
 * │   ├── HandshakeError        @rfc6455/handshake  a request or response breaks §4 (+ HTTP status)
 * │   ├── DeflateError          @rfc6455/deflate    RFC 7692: bad DEFLATE data, a bad negotiation
 * │   ├── ClientError           @rfc6455/client     dialing, redirects, proxies, timeouts (+ answer)
 * │   ├── ServerError           @rfc6455/server     refused handshakes, heartbeat, slow consumers, forwarding
 * │   ├── RedisAdapterError     @rfc6455/redis      forwarding through Redis, missed messages
 * │   └── BrowserError          @rfc6455/browser    the reconnecting browser client
 * │       └── InvalidJsonError                      a text message that is not JSON (keeps its text)
 * └── HttpError                 @rfc6455/server     thrown by an application to refuse a handshake
 * ```
 *
 * Callers match on `err.code` (a value of {@link ErrorCode}), not with `instanceof`: two copies of
 * a package in one dependency tree break `instanceof`, a string survives copies, bundlers and
 * serialization. Misuse by the caller (a bad argument) is not in this catalogue: it throws a
 * `TypeError`, `RangeError` or a WHATWG `DOMException` at once.
 */
import {
  WS_BAD_MESSAGE,
  WS_CLOSED_ABNORMALLY,
  WS_FORBIDDEN,
  WS_INTERNAL_SERVER_ERROR,
  WS_MESSAGE_TOO_LARGE,
  WS_PROTOCOL_ERROR,
  WS_TRY_AGAIN_LATER,
} from './close-codes.ts';

/** Every stable error code of the toolkit, by name. Match `err.code` against these values. */
export const ErrorCode = {
  // ── The peer's frames (@rfc6455/frame, @rfc6455/protocol) ────────────────────────────────
  /**
   * 1002: a reserved opcode (0x3–0x7, 0xB–0xF), RFC 6455 §5.2; or, as ws reports them, a
   * continuation frame with no fragmented message in progress, or a text or binary frame while one
   * is (§5.4; the message says which).
   */
  InvalidOpcode: 'WS_ERR_INVALID_OPCODE',
  /** 1002: RSV1 set where no negotiated extension owns it (§5.2; RFC 7692 §6 for control and continuation frames). */
  UnexpectedRsv1: 'WS_ERR_UNEXPECTED_RSV_1',
  /** 1002: RSV2 or RSV3 set where no negotiated extension owns it, §5.2 (ws's code; the message says which). */
  UnexpectedRsv23: 'WS_ERR_UNEXPECTED_RSV_2_3',
  /** 1002: a control frame without FIN (control frames are never fragmented), §5.5. */
  ExpectedFin: 'WS_ERR_EXPECTED_FIN',
  /** 1002: a control frame with a payload over 125 bytes (§5.5), or a close frame with a payload of exactly one byte (§5.5.1). */
  InvalidControlPayloadLength: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
  /** 1002: a 64-bit length with its most significant bit set, or a length not minimally encoded, §5.2. */
  InvalidPayloadLength: 'WS_ERR_INVALID_PAYLOAD_LENGTH',
  /** 1009: a data frame longer than 2^53 − 1 bytes, more than JavaScript can count (ws's code). */
  UnsupportedDataPayloadLength: 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
  /** 1002: a server received an unmasked frame, §5.1. */
  ExpectedMask: 'WS_ERR_EXPECTED_MASK',
  /** 1002: a client received a masked frame, §5.1. */
  UnexpectedMask: 'WS_ERR_UNEXPECTED_MASK',
  /** 1002: a close code that may not appear on the wire, §7.4. */
  InvalidCloseCode: 'WS_ERR_INVALID_CLOSE_CODE',
  /** 1007: bytes that are not UTF-8 where UTF-8 is required (a text message, a close reason), §8.1. */
  InvalidUtf8: 'WS_ERR_INVALID_UTF8',
  /** 1009: a frame or message over the configured limit (ws's `maxPayload`), or a compressed message that inflates past it (ws's code). */
  UnsupportedMessageLength: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
  /** 1008: a message in more frames than `maxFragments`, or an incomplete frame held in more pieces than `maxBufferedChunks` (ws's code). */
  TooManyBufferedParts: 'WS_ERR_TOO_MANY_BUFFERED_PARTS',
  /** 1011: an extension's transform threw or rejected; the details stay in `cause`, off the wire. */
  ExtensionFailed: 'WS_ERR_EXTENSION_FAILED',
  /** No close code: a protocol method was called in a state that does not allow it. */
  InvalidState: 'WS_ERR_INVALID_STATE',

  // ── permessage-deflate (@rfc6455/deflate) ───────────────────────────────────────────────
  /** 1007: a compressed payload that is not valid DEFLATE data (RFC 7692 §7.2.2). */
  InvalidCompressedData: 'WS_ERR_INVALID_COMPRESSED_DATA',
  /** 1006: the server's permessage-deflate response answers none of the client's offers (RFC 7692 §7.1); nothing is sent. */
  InvalidDeflateResponse: 'WS_ERR_INVALID_DEFLATE_RESPONSE',
  /** No close code: the codec was used after `close()`, or work in progress was cut short by it. */
  DeflateClosed: 'WS_ERR_DEFLATE_CLOSED',

  // ── The opening handshake (@rfc6455/handshake) ──────────────────────────────────────────
  /** Client, 1006: the server answered the upgrade with a status other than 101. */
  UnexpectedStatus: 'WS_ERR_UNEXPECTED_STATUS',
  /** 400 / client 1006: the `Upgrade` header is missing or is not `websocket`, §4.1–§4.2.1. */
  InvalidUpgradeHeader: 'WS_ERR_INVALID_UPGRADE_HEADER',
  /** 400 / client 1006: the `Connection` header does not contain `upgrade`, §4.1–§4.2.1. */
  InvalidConnectionHeader: 'WS_ERR_INVALID_CONNECTION_HEADER',
  /** Client, 1006: `Sec-WebSocket-Accept` is missing or is not the value for our key, §4.1. */
  InvalidAccept: 'WS_ERR_INVALID_ACCEPT',
  /** 400 / client 1006: a malformed `Sec-WebSocket-Protocol` header, §4.1. */
  InvalidProtocolHeader: 'WS_ERR_INVALID_PROTOCOL_HEADER',
  /** Client, 1006: the server selected a subprotocol the client did not offer, §4.1. */
  UnexpectedSubprotocol: 'WS_ERR_UNEXPECTED_SUBPROTOCOL',
  /** 400 / client 1006: a malformed `Sec-WebSocket-Extensions` header, §9.1. */
  InvalidExtensionHeader: 'WS_ERR_INVALID_EXTENSION_HEADER',
  /** Client, 1006: the server accepted an extension the client did not offer, §4.1. */
  UnexpectedExtension: 'WS_ERR_UNEXPECTED_EXTENSION',
  /** 405: the upgrade request is not a GET, §4.2.1. */
  InvalidMethod: 'WS_ERR_INVALID_METHOD',
  /** 400: the upgrade request is not HTTP/1.1 or later, §4.2.1. */
  InvalidHttpVersion: 'WS_ERR_INVALID_HTTP_VERSION',
  /** 400: the upgrade request has no `Host` header, §4.2.1. */
  MissingHost: 'WS_ERR_MISSING_HOST',
  /** 400: `Sec-WebSocket-Key` is missing or is not 16 bytes in base64, §4.2.1. */
  InvalidKey: 'WS_ERR_INVALID_KEY',
  /** 426: a `Sec-WebSocket-Version` other than 13 (or 8), §4.2.2; the answer says which we speak. */
  UnsupportedVersion: 'WS_ERR_UNSUPPORTED_VERSION',
  /** 403: the origin policy refused the request's `Origin`, §4.2.2 and §10.2. */
  ForbiddenOrigin: 'WS_ERR_FORBIDDEN_ORIGIN',
  /**
   * 400 / client 1006: an HTTP/2 extended CONNECT without `:scheme`, `:path` or `:authority`, or
   * with a `:scheme` other than `http`/`https` (RFC 8441 §4–§5).
   */
  InvalidPseudoHeader: 'WS_ERR_INVALID_PSEUDO_HEADER',
  /** 501: an HTTP/2 extended CONNECT whose `:protocol` is not `websocket` (RFC 8441 §4, RFC 9220 §3). */
  UnsupportedConnectProtocol: 'WS_ERR_UNSUPPORTED_CONNECT_PROTOCOL',

  // ── The Node client (@rfc6455/client) ───────────────────────────────────────────────────
  /** 1006: no open connection within the handshake timeout (proxy, redirects and TLS included). */
  HandshakeTimeout: 'WS_ERR_HANDSHAKE_TIMEOUT',
  /** 1006: the connection could not be opened (TCP or TLS failed; in a browser, any failure before open). */
  ConnectionFailed: 'WS_ERR_CONNECTION_FAILED',
  /** 1006: more redirects than `maxRedirects`. */
  TooManyRedirects: 'WS_ERR_TOO_MANY_REDIRECTS',
  /** 1006: a redirect's `Location` is missing or is not a ws/wss/http/https URL. */
  InvalidRedirect: 'WS_ERR_INVALID_REDIRECT',
  /** 1006: the proxy refused the CONNECT request or failed. */
  ProxyConnectFailed: 'WS_ERR_PROXY_CONNECT_FAILED',
  /** 1006: `close()` or `terminate()` was called before the connection opened. */
  Aborted: 'WS_ERR_ABORTED',
  /** 1006: no pong within the heartbeat timeout of a ping; the connection was terminated. */
  HeartbeatTimeout: 'WS_ERR_HEARTBEAT_TIMEOUT',
  /** 1006: the connection ended without a closing handshake (iteration throws this). */
  ClosedAbnormally: 'WS_ERR_CLOSED_ABNORMALLY',
  /** No close code: data was sent while the connection was not OPEN; it was not sent. */
  NotOpen: 'WS_ERR_NOT_OPEN',
  /**
   * 1006: the HTTP/2 stream that carried the connection was reset (RST_STREAM) or its session went
   * away before the closing handshake completed, RFC 8441 §6 (the TCP reset of RFC 6455).
   */
  StreamReset: 'WS_ERR_STREAM_RESET',
  /**
   * 1006: `http2: true`, but the server did not choose `h2` in ALPN or did not send
   * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 §3); nothing was sent.
   */
  ExtendedConnectUnsupported: 'WS_ERR_EXTENDED_CONNECT_UNSUPPORTED',

  // ── The Node server (@rfc6455/server) ───────────────────────────────────────────────────
  /** 1013: the peer's buffered outgoing data passed `maxBufferedAmount` under `backpressure: 'close'`. */
  SlowConsumer: 'WS_ERR_SLOW_CONSUMER',
  /** A socket error before the handshake completed; the socket was destroyed. */
  HandshakeSocket: 'WS_ERR_HANDSHAKE_SOCKET',
  /** 500: the `authenticate` hook threw something that is not an HTTP error. */
  AuthenticateFailed: 'WS_ERR_AUTHENTICATE_FAILED',
  /** The handshake was refused with an HTTP error response (`cause` has the precise code). */
  HandshakeRejected: 'WS_ERR_HANDSHAKE_REJECTED',

  // ── Across server processes: the adapter seam (@rfc6455/server, @rfc6455/redis) ─────────
  /**
   * A publish or broadcast reached this node's connections but could not be handed to the other
   * nodes (the adapter is disconnected, closed, its retry bound is full, or Redis refused it);
   * `cause` has the reason. Reported, never silent: the server's 'forwardError', a rejected promise.
   */
  ForwardFailed: 'WS_ERR_FORWARD_FAILED',
  /**
   * This node may have missed messages of other nodes: its subscription was down (pub/sub), or
   * entries were trimmed from a stream before it read them (streams).
   */
  MessagesMissed: 'WS_ERR_MESSAGES_MISSED',
  /** A message arrived from another node in a format this adapter does not read (another version or another program); it was dropped. */
  InvalidAdapterMessage: 'WS_ERR_INVALID_ADAPTER_MESSAGE',

  // ── The browser client (@rfc6455/browser) ───────────────────────────────────────────────
  /** A send would take the reconnect queue past `maxQueuedMessages` or `maxQueuedBytes`. */
  QueueFull: 'WS_ERR_QUEUE_FULL',
  /** A send or `connect()` after the socket was closed for good. */
  Closed: 'WS_ERR_CLOSED',
  /** A queued or buffered message was dropped because the socket closed before it went out. */
  NotSent: 'WS_ERR_NOT_SENT',
  /** A text message that is not JSON in `parse: 'json'` mode; its raw text is on the error. */
  InvalidJson: 'WS_ERR_INVALID_JSON',
  /** The browser fired `error` on the native socket; browsers give no detail, on purpose. */
  Network: 'WS_ERR_NETWORK',
  /** A connection attempt did not open within `connectTimeoutMs`. */
  ConnectTimeout: 'WS_ERR_CONNECT_TIMEOUT',
  /** The URL (or what the URL provider returned) is not a ws:, wss:, http: or https: URL. */
  InvalidUrl: 'WS_ERR_INVALID_URL',
  /** The URL provider threw or rejected. */
  UrlProvider: 'WS_ERR_URL_PROVIDER',
  /** The subprotocols provider threw, rejected, or returned something that is not a string or a list of strings. */
  ProtocolsProvider: 'WS_ERR_PROTOCOLS_PROVIDER',
  /** Reconnecting stopped after `maxRetries` failed attempts in a row. */
  GaveUp: 'WS_ERR_GAVE_UP',
} as const;

/** One of the stable error codes of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The close code each error code ends a connection with, for the codes that end one. A code absent
 * from this table carries no close code (caller misuse, or an error about an HTTP exchange).
 */
export const ERROR_CLOSE_CODES: Readonly<Partial<Record<ErrorCode, number>>> = Object.freeze({
  WS_ERR_INVALID_OPCODE: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_RSV_1: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_RSV_2_3: WS_PROTOCOL_ERROR,
  WS_ERR_EXPECTED_FIN: WS_PROTOCOL_ERROR,
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: WS_PROTOCOL_ERROR,
  WS_ERR_INVALID_PAYLOAD_LENGTH: WS_PROTOCOL_ERROR,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: WS_MESSAGE_TOO_LARGE,
  WS_ERR_EXPECTED_MASK: WS_PROTOCOL_ERROR,
  WS_ERR_UNEXPECTED_MASK: WS_PROTOCOL_ERROR,
  WS_ERR_INVALID_CLOSE_CODE: WS_PROTOCOL_ERROR,
  WS_ERR_INVALID_UTF8: WS_BAD_MESSAGE,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: WS_MESSAGE_TOO_LARGE,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: WS_FORBIDDEN,
  WS_ERR_EXTENSION_FAILED: WS_INTERNAL_SERVER_ERROR,
  WS_ERR_INVALID_COMPRESSED_DATA: WS_BAD_MESSAGE,
  WS_ERR_INVALID_DEFLATE_RESPONSE: WS_CLOSED_ABNORMALLY,
  WS_ERR_HANDSHAKE_TIMEOUT: WS_CLOSED_ABNORMALLY,
  WS_ERR_CONNECTION_FAILED: WS_CLOSED_ABNORMALLY,
  WS_ERR_TOO_MANY_REDIRECTS: WS_CLOSED_ABNORMALLY,
  WS_ERR_INVALID_REDIRECT: WS_CLOSED_ABNORMALLY,
  WS_ERR_PROXY_CONNECT_FAILED: WS_CLOSED_ABNORMALLY,
  WS_ERR_ABORTED: WS_CLOSED_ABNORMALLY,
  WS_ERR_HEARTBEAT_TIMEOUT: WS_CLOSED_ABNORMALLY,
  WS_ERR_CLOSED_ABNORMALLY: WS_CLOSED_ABNORMALLY,
  WS_ERR_STREAM_RESET: WS_CLOSED_ABNORMALLY,
  WS_ERR_EXTENDED_CONNECT_UNSUPPORTED: WS_CLOSED_ABNORMALLY,
  WS_ERR_SLOW_CONSUMER: WS_TRY_AGAIN_LATER,
});

const KNOWN = new Set<string>(Object.values(ErrorCode));

/** Whether `code` is one of the catalogue's codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN.has(code);
}
