/**
 * The client side of the opening handshake as the WebSocket constructor starts it: resolve the
 * dial options, offer permessage-deflate (RFC 7692 §5), build the request and the Dialer, bound
 * it by the handshake timeout, and make the extension objects the server's answer turned on. The
 * Dialer does the I/O; this module only wires it to the connection.
 */
import type { ClientRequest as HttpRequest, IncomingMessage } from 'node:http';
import { PERMESSAGE_DEFLATE, createDeflateClientNegotiator } from '@rfc6455/deflate';
import type { DeflateClientNegotiator } from '@rfc6455/deflate';
import { PerMessageDeflate } from '@rfc6455/deflate/node';
import { buildClientRequest } from '@rfc6455/handshake';
import type { Extension } from '@rfc6455/protocol';
import { ClientError, ClientErrorCode } from './client-error.ts';
import { Dialer } from './dial.ts';
import type { DialResult } from './dial.ts';
import { resolveDialOptions } from './options.ts';
import type { PerMessageDeflateOptions, WebSocketOptions } from './options.ts';

/** What the connection does with the outcome of the handshake. */
export interface DialHooks {
  /** The handshake succeeded; `createExtensions` makes the negotiated extensions, in order. */
  onOpen(result: DialResult, createExtensions: () => Extension[]): void;
  /** The handshake failed (refused, timed out, aborted, network error). */
  onFail(err: ClientError): void;
  /** A non-101 answer: true when the application takes it over ('unexpected-response' listener). */
  onUnexpectedResponse(request: HttpRequest, response: IncomingMessage): boolean;
}

/** A handshake ready to start. */
export interface DialSetup {
  /** The request URL in ws:/wss: form. */
  readonly url: string;
  /** The dialer; call `start()` to connect. It fails with WS_ERR_HANDSHAKE_TIMEOUT when not open within `handshakeTimeoutMs`. */
  readonly dialer: Dialer;
}

/**
 * Prepare the handshake to `url` offering `protocols`; the handshake timeout runs from now.
 *
 * @throws {SyntaxError} for an invalid URL or subprotocol.
 * @throws {TypeError|RangeError} for an invalid dial option, naming it.
 */
export function setUpDial(
  url: string | URL,
  protocols: string | readonly string[] | undefined,
  opts: WebSocketOptions,
  hooks: DialHooks,
): DialSetup {
  const dial = resolveDialOptions(opts);
  const deflate = dial.perMessageDeflate;
  // RFC 7692 §5: offer permessage-deflate; the negotiator checks the server's answer.
  const negotiator = deflate === undefined ? undefined : createDeflateClientNegotiator(deflate.offers ?? {});
  const offers = negotiator === undefined ? [] : negotiator.offers.map((params) => ({ name: PERMESSAGE_DEFLATE, params }));
  const request = buildClientRequest(url, {
    protocols: protocols ?? opts.protocols,
    origin: opts.origin,
    headers: opts.headers,
    extensions: offers,
  });
  const dialer = new Dialer(
    request,
    opts,
    dial,
    {
      onOpen: (result) => {
        clearTimeout(timer);
        hooks.onOpen(result, () => negotiatedExtensions(negotiator, deflate));
      },
      onFail: (err) => {
        clearTimeout(timer);
        hooks.onFail(err);
      },
      onUnexpectedResponse: (req, res) => hooks.onUnexpectedResponse(req, res),
    },
    offers,
    negotiator === undefined ? [] : [negotiator],
  );
  const timer = setTimeout(() => {
    dialer.abort(
      new ClientError(ClientErrorCode.HandshakeTimeout, `Opening handshake did not complete within handshakeTimeoutMs (${dial.handshakeTimeoutMs} ms)`),
    );
  }, dial.handshakeTimeoutMs);
  return { url: request.url, dialer };
}

/** The extension objects for what the server accepted: permessage-deflate or nothing. */
function negotiatedExtensions(negotiator: DeflateClientNegotiator | undefined, settings: PerMessageDeflateOptions | undefined): Extension[] {
  const extensions: Extension[] = [];
  // The negotiator has a config only when the server accepted permessage-deflate.
  if (negotiator?.config !== undefined && settings !== undefined) {
    extensions.push(
      new PerMessageDeflate({
        role: 'client',
        config: negotiator.config,
        compressionThreshold: settings.compressionThreshold,
        level: settings.level,
        memLevel: settings.memLevel,
      }),
    );
  }
  return extensions;
}
