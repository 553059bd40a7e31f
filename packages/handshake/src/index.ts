export { createAcceptKey, createAcceptKeyAsync, generateKey } from './lib/accept-key.ts';
export type { RandomSource } from './lib/accept-key.ts';
export { sha1 } from './lib/sha1.ts';
export type { Sha1 } from './lib/sha1.ts';
export { HandshakeError, HandshakeErrorCode, isHandshakeError } from './lib/errors.ts';
export type { HandshakeErrorOptions } from './lib/errors.ts';
export { HandshakeHeaders, normalizeHeaders } from './lib/headers.ts';
export type { HeaderEntries, HeadersInput } from './lib/headers.ts';
export { isToken, parseProtocolHeader, splitHeaderList } from './lib/tokens.ts';
export { formatExtensions, negotiateExtensions, parseExtensionsHeader } from './lib/extensions.ts';
export type {
  AcceptedExtension,
  ClientExtension,
  ExtensionInput,
  ExtensionOffer,
  ExtensionOfferParams,
  ExtensionParamList,
  ExtensionParams,
  ServerExtension,
} from './lib/extensions.ts';
export { buildClientRequest, formatClientRequest } from './lib/client-request.ts';
export type { ClientRequest, ClientRequestOptions } from './lib/client-request.ts';
export { validateServerResponse } from './lib/validate-response.ts';
export type { HandshakeResult, ServerResponse, ValidateServerResponseOptions } from './lib/validate-response.ts';
export { validateClientRequest } from './lib/validate-request.ts';
export type { ClientRequestInput, ValidClientRequest } from './lib/validate-request.ts';
export { negotiateSubprotocol } from './lib/subprotocol.ts';
export type { SubprotocolSelector } from './lib/subprotocol.ts';
export { isOriginAllowed } from './lib/origin.ts';
export type { OriginPolicy } from './lib/origin.ts';
export { buildErrorResponse, buildServerResponse, reasonPhrase } from './lib/server-response.ts';
export type { AcceptedHandshake, ExtraHeaders } from './lib/server-response.ts';
export { acceptClientRequest, admitClientRequest } from './lib/accept-request.ts';
export type { AcceptClientRequestOptions, AcceptedClientRequest, AdmitClientRequestOptions, AdmittedClientRequest } from './lib/accept-request.ts';
export {
  acceptExtendedConnect,
  buildExtendedConnectRefusal,
  buildExtendedConnectRequest,
  buildExtendedConnectResponse,
  validateExtendedConnect,
  validateExtendedConnectResponse,
} from './lib/extended-connect.ts';
export type {
  AcceptExtendedConnectOptions,
  AcceptedExtendedConnect,
  AcceptedExtendedConnectAnswer,
  ExtendedConnectRequest,
  ExtendedConnectRequestOptions,
  ExtendedConnectResult,
  Http2Headers,
  ValidExtendedConnect,
  ValidateExtendedConnectResponseOptions,
} from './lib/extended-connect.ts';
