/**
 * The part of @rfc6455/codes both entries re-export: the seed's close constants, `CloseCode`, and
 * the error base with its code catalogue, so the same names work in Node and in a browser.
 */
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
  ErrorCode,
  WebSocketError,
  isWebSocketError,
  closeStatus,
} from '@rfc6455/codes';
