export {
  Opcode,
  WS_OPCODE_CONTINUATION,
  WS_OPCODE_TEXT,
  WS_OPCODE_BINARY,
  WS_OPCODE_CLOSE,
  WS_OPCODE_PING,
  WS_OPCODE_PONG,
  HANDSHAKE_GUID,
  PROTOCOL_VERSION,
  isKnownOpcode,
  isControlOpcode,
  isDataOpcode,
} from './lib/opcodes.ts';
export {
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
  WS_SERVICE_RESTART,
  WS_TRY_AGAIN_LATER,
  WS_BAD_GATEWAY,
  WS_TLS_HANDSHAKE_FAIL,
  CloseCode,
  ws,
  all,
  describeCloseCode,
  isValidCloseCode,
  isApplicationCloseCode,
} from './lib/close-codes.ts';
export { WebSocketError, isWebSocketError, closeStatus } from './lib/errors.ts';
export type { WebSocketErrorOptions } from './lib/errors.ts';
export { ErrorCode, ERROR_CLOSE_CODES, isErrorCode } from './lib/error-codes.ts';
export { CONNECTING, OPEN, CLOSING, CLOSED, defineReadyStateConstants, readyStateName } from './lib/ready-state.ts';
export type { ReadyState } from './lib/ready-state.ts';
export { utf8ByteLength } from './lib/utf8-length.ts';
export { checkCloseArguments, MAX_CLOSE_REASON_BYTES } from './lib/close-arguments.ts';
export type { CloseCodePolicy } from './lib/close-arguments.ts';
export { checkOptionKeys } from './lib/option-keys.ts';
export type { OptionHints } from './lib/option-keys.ts';
