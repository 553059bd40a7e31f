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
export { DeflateError, DeflateErrorCode } from './lib/deflate-error.ts';
