/**
 * Choosing the subprotocol (RFC 6455 §4.2.2 step 5.4, `Sec-WebSocket-Protocol`).
 */
import type { ValidClientRequest } from './validate-request.ts';

/**
 * A server's own choice of subprotocol: given the client's offers (most preferred first), return
 * one of them, or `false`/`undefined` to select none.
 */
export type SubprotocolSelector = (
  offered: readonly string[],
  request: ValidClientRequest | undefined,
) => string | false | undefined;

/**
 * The subprotocol to answer with, or `undefined` for none (the server then omits the header, and
 * the client decides whether to go on, RFC 6455 §4.2.2).
 *
 * With a list of supported subprotocols, the first offer (in the client's order of preference) that
 * the server supports wins; names compare exactly. With a selector, its answer is used.
 *
 * @throws {TypeError} when a selector returns something that was not offered: answering with it
 *   would make every conforming client fail the connection.
 */
export function negotiateSubprotocol(
  offered: readonly string[],
  supported: readonly string[] | SubprotocolSelector,
  request?: ValidClientRequest,
): string | undefined {
  if (typeof supported === 'function') {
    const choice = supported(offered, request);
    if (choice === false || choice === undefined) return undefined;
    if (typeof choice !== 'string' || !offered.includes(choice)) {
      throw new TypeError(
        `negotiateSubprotocol: the selector returned ${JSON.stringify(choice)}; it must return one of the offered subprotocols, false or undefined.`,
      );
    }
    return choice;
  }
  if (!Array.isArray(supported)) throw new TypeError('negotiateSubprotocol: supported must be an array of strings or a selector function.');
  return offered.find((protocol) => supported.includes(protocol));
}
