export * from './index.ts';
export {
  PerMessageDeflate,
  DEFAULT_COMPRESSION_THRESHOLD,
  SYNC_INFLATE_MAX_LENGTH,
} from './lib/per-message-deflate.ts';
export { deflateMessage, SYNC_DEFLATE_MAX_LENGTH } from './lib/deflate-message.ts';
export type { DeflateMessageOptions } from './lib/deflate-message.ts';
export type { PerMessageDeflateOptions, EncodeOptions } from './lib/per-message-deflate.ts';
export type { EncodedMessage, Extension } from '@rfc6455/protocol';
export { ZlibLimiter, defaultZlibLimiter } from './lib/zlib-limiter.ts';
