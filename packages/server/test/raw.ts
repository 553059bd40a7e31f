/**
 * Raw node:net helpers for the server's tests — send exact request bytes, read exact response
 * bytes — are @rfc6455/testing's, shared with every other suite; this file only names them for
 * the tests that import them from here.
 */
export { bodyOf, exchange, headerOf, openSocket, portOf, rawHandshake, statusOf, upgradeRequest } from '@rfc6455/testing';
