export { Protocol, DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_MAX_FRAGMENTS, SINGLE_WRITE_MAX } from './lib/protocol.ts';
export type { ProtocolHandler, ProtocolOptions, ProtocolState, SendOptions } from './lib/protocol.ts';
export type { Extension, EncodedMessage, ExtensionEncodeOptions } from './lib/extension.ts';
export { ProtocolError, ProtocolErrorCode } from './lib/protocol-error.ts';
