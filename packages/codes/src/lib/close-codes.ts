/**
 * Close status codes (RFC 6455 §7.4), under the names the Perl `WebSocket` distribution exports and
 * under an idiomatic `CloseCode` object. The IANA registry (RFC 6455 §11.7) adds 1012–1014, which
 * the seed did not name; they follow the seed's style here.
 */

/** 1000: normal closure; the purpose of the connection has been fulfilled. */
export const WS_OK = 1000;
/** 1001: going away: a server going down or a browser leaving the page. */
export const WS_GONE = 1001;
/** 1002: the endpoint is terminating the connection because of a protocol error. */
export const WS_PROTOCOL_ERROR = 1002;
/** 1003: the endpoint received a type of data it cannot accept. */
export const WS_NOT_ACCEPTABLE = 1003;
/** 1005: no status code was present. Reserved: never sent in a close frame. */
export const WS_NO_STATUS = 1005;
/** 1006: the connection closed without a close frame. Reserved: never sent in a close frame. */
export const WS_CLOSED_ABNORMALLY = 1006;
/** 1007: a message's data was not consistent with its type (e.g. non-UTF-8 in a text message). */
export const WS_BAD_MESSAGE = 1007;
/** 1008: a message violated the endpoint's policy. */
export const WS_FORBIDDEN = 1008;
/** 1009: a message was too big to process. */
export const WS_MESSAGE_TOO_LARGE = 1009;
/** 1010: the client expected the server to negotiate an extension that it did not. */
export const WS_EXTENSIONS_NOT_AVAILABLE = 1010;
/** 1011: the server met an unexpected condition that prevented it from fulfilling the request. */
export const WS_INTERNAL_SERVER_ERROR = 1011;
/** 1012: the service is restarting (IANA registry). */
export const WS_SERVICE_RESTART = 1012;
/** 1013: try again later: a temporary condition such as overload (IANA registry). */
export const WS_TRY_AGAIN_LATER = 1013;
/** 1014: a gateway or proxy received an invalid response from the upstream server (IANA registry). */
export const WS_BAD_GATEWAY = 1014;
/** 1015: the TLS handshake failed. Reserved: never sent in a close frame. */
export const WS_TLS_HANDSHAKE_FAIL = 1015;

/** The close codes by idiomatic name. Values are the same numbers as the `WS_*` constants. */
export const CloseCode = {
  NormalClosure: WS_OK,
  GoingAway: WS_GONE,
  ProtocolError: WS_PROTOCOL_ERROR,
  UnsupportedData: WS_NOT_ACCEPTABLE,
  NoStatusReceived: WS_NO_STATUS,
  AbnormalClosure: WS_CLOSED_ABNORMALLY,
  InvalidFramePayloadData: WS_BAD_MESSAGE,
  PolicyViolation: WS_FORBIDDEN,
  MessageTooBig: WS_MESSAGE_TOO_LARGE,
  MandatoryExtension: WS_EXTENSIONS_NOT_AVAILABLE,
  InternalError: WS_INTERNAL_SERVER_ERROR,
  ServiceRestart: WS_SERVICE_RESTART,
  TryAgainLater: WS_TRY_AGAIN_LATER,
  BadGateway: WS_BAD_GATEWAY,
  TLSHandshake: WS_TLS_HANDSHAKE_FAIL,
} as const;

/** A close code RFC 6455 or the IANA registry names (1000–1015 less the unassigned 1004). */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * The seed's `:ws` export group: the twelve close constants the Perl distribution exports, by name.
 * `import { ws } from '@rfc6455/codes'; ws.WS_OK === 1000`.
 */
export const ws = {
  WS_OK,
  WS_GONE,
  WS_PROTOCOL_ERROR,
  WS_NOT_ACCEPTABLE,
  WS_NO_STATUS,
  WS_CLOSED_ABNORMALLY,
  WS_BAD_MESSAGE,
  WS_FORBIDDEN,
  WS_MESSAGE_TOO_LARGE,
  WS_EXTENSIONS_NOT_AVAILABLE,
  WS_INTERNAL_SERVER_ERROR,
  WS_TLS_HANDSHAKE_FAIL,
} as const;

/** The seed's `:all` export group: every `WS_*` close constant, including the IANA-registered 1012–1014. */
export const all = {
  ...ws,
  WS_SERVICE_RESTART,
  WS_TRY_AGAIN_LATER,
  WS_BAD_GATEWAY,
} as const;

const DESCRIPTIONS: ReadonlyMap<number, string> = new Map([
  [WS_OK, 'Normal closure: the purpose for which the connection was established has been fulfilled.'],
  [WS_GONE, 'Going away: the endpoint is leaving, such as a server going down or a browser leaving a page.'],
  [WS_PROTOCOL_ERROR, 'Protocol error: the endpoint is terminating the connection due to a protocol error.'],
  [WS_NOT_ACCEPTABLE, 'Unsupported data: the endpoint received a type of data it cannot accept.'],
  [1004, 'Reserved: the meaning might be defined in the future.'],
  [WS_NO_STATUS, 'No status received: the close frame carried no status code (never sent on the wire).'],
  [WS_CLOSED_ABNORMALLY, 'Abnormal closure: the connection closed without a close frame (never sent on the wire).'],
  [WS_BAD_MESSAGE, 'Invalid frame payload data: the message data was not consistent with its type, such as non-UTF-8 text.'],
  [WS_FORBIDDEN, 'Policy violation: the endpoint received a message that violates its policy.'],
  [WS_MESSAGE_TOO_LARGE, 'Message too big: the endpoint received a message too big for it to process.'],
  [WS_EXTENSIONS_NOT_AVAILABLE, 'Mandatory extension: the client expected the server to negotiate one or more extensions.'],
  [WS_INTERNAL_SERVER_ERROR, 'Internal error: the server met an unexpected condition that prevented it from fulfilling the request.'],
  [WS_SERVICE_RESTART, 'Service restart: the service is restarting.'],
  [WS_TRY_AGAIN_LATER, 'Try again later: a temporary condition, such as overload, made the endpoint close.'],
  [WS_BAD_GATEWAY, 'Bad gateway: a gateway or proxy received an invalid response from the upstream server.'],
  [WS_TLS_HANDSHAKE_FAIL, 'TLS handshake failure: the TLS handshake could not be completed (never sent on the wire).'],
]);

/**
 * What a close code means, in the words of RFC 6455 §7.4 and the IANA registry, or of its range:
 * 3000–3999 are registered by libraries and frameworks, 4000–4999 are private use.
 */
export function describeCloseCode(code: number): string {
  const known = DESCRIPTIONS.get(code);
  if (known !== undefined) return known;
  if (!Number.isInteger(code)) return 'Not a close code: close codes are integers.';
  if (code >= 3000 && code <= 3999) return 'Registered for use by libraries, frameworks and applications (IANA).';
  if (code >= 4000 && code <= 4999) return 'Private use: the meaning is agreed between the applications.';
  if (code >= 1000 && code <= 2999) return 'Reserved for the WebSocket protocol and its extensions; unassigned.';
  if (code >= 0 && code <= 999) return 'Not used: codes below 1000 are not close codes.';
  return 'Out of range: close codes are 16-bit integers from 1000 to 4999.';
}

/**
 * Whether `code` may appear in a close frame on the wire (RFC 6455 §7.4.1–§7.4.2): 1000–1003,
 * 1007–1014 and 3000–4999. Never 1004 (reserved), 1005, 1006 or 1015 (reserved for local reporting),
 * other codes below 3000, or anything outside 0–4999. A receiver fails the connection with 1002 on
 * any other code.
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/**
 * Whether an application may pass `code` to `WebSocket.close()` (WHATWG WebSockets standard): only
 * 1000 or 3000–4999. The other valid wire codes are for the library itself to send.
 */
export function isApplicationCloseCode(code: number): boolean {
  return code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999);
}
