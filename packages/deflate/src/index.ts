export {
  PERMESSAGE_DEFLATE,
  createDeflateOffer,
  formatDeflateOffer,
  acceptDeflateOffer,
  acceptDeflateResponse,
  deflateConfigFromResponse,
} from './lib/negotiation.ts';
export type {
  DeflateConfig,
  DeflateOfferOptions,
  DeflateServerOptions,
  DeflateParams,
  DeflateParamsInput,
} from './lib/negotiation.ts';
export { createDeflateServerNegotiator, createDeflateClientNegotiator } from './lib/negotiators.ts';
export type { DeflateServerNegotiator, DeflateClientNegotiator } from './lib/negotiators.ts';
export { createDeflateError } from './lib/deflate-errors.ts';
export type { DeflateErrorCode } from './lib/deflate-errors.ts';
