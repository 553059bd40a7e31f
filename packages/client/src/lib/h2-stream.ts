/**
 * What changes when a connection rides an HTTP/2 stream (RFC 8441) instead of a TCP or TLS socket:
 * the stream's END_STREAM is the FIN of RFC 6455 and RST_STREAM its reset (RFC 8441 §6), so an
 * abnormal end is sent as RST_STREAM(CANCEL) and a reset received is reported as
 * `WS_ERR_STREAM_RESET` (close 1006). Everything else — framing, the closing handshake, flow
 * control as write backpressure (a stream's `writableLength` holds what the peer's window has not
 * admitted yet) — is the same Duplex code as over TCP.
 */
import { constants } from 'node:http2';
import type { Http2Stream } from 'node:http2';
import { addAbortSignal } from 'node:stream';
import type { Duplex } from 'node:stream';
import { ClientError, ClientErrorCode } from './client-error.ts';

/** The HTTP version a connection runs over: `'1.1'` (an upgraded socket) or `'2'` (an extended CONNECT stream). */
export type HttpVersion = '1.1' | '2';

/** Whether `socket` is an HTTP/2 stream (Node's ServerHttp2Stream or ClientHttp2Stream). */
export function isHttp2Stream(socket: Duplex): socket is Duplex & Http2Stream {
  return 'rstCode' in socket && 'session' in socket && typeof (socket as Partial<Http2Stream>).close === 'function';
}

/** The HTTP version of a connection over `socket`. */
export function httpVersionOf(socket: Duplex): HttpVersion {
  return isHttp2Stream(socket) ? '2' : '1.1';
}

/**
 * End the transport at once, without a closing handshake: `destroy()` for a socket; for an
 * HTTP/2 stream RST_STREAM with CANCEL (RFC 8441 §6: "RST exceptions are represented with
 * RST_STREAM frames with the CANCEL error code"), leaving the session and its other streams be.
 */
export function destroyTransport(socket: Duplex): void {
  if (isHttp2Stream(socket) && !socket.destroyed) {
    // Node resets with CANCEL when an AbortSignal destroys the stream; close(CANCEL) would queue
    // END_STREAM before the RST_STREAM, which the peer reads as a clean end of its input.
    const controller = new AbortController();
    addAbortSignal(controller.signal, socket);
    controller.abort();
    return;
  }
  socket.destroy();
}

/** Whether `err` is the AbortError with which {@link destroyTransport} destroyed a stream (not news to anyone). */
export function isOwnAbort(socket: Duplex, err: Error): boolean {
  return isHttp2Stream(socket) && err.name === 'AbortError';
}

// RFC 9113 §7: the error codes of RST_STREAM and GOAWAY, by value.
const ERROR_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

/** The name of an HTTP/2 error code (RFC 9113 §7), such as `CANCEL` or `PROTOCOL_ERROR`. */
export function http2ErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

/** The error a connection reports when its stream was reset: `WS_ERR_STREAM_RESET`, close code 1006. */
export function streamResetError(stream: Http2Stream, cause?: unknown): ClientError {
  const code = stream.rstCode ?? constants.NGHTTP2_NO_ERROR;
  return new ClientError(
    ClientErrorCode.StreamReset,
    `The HTTP/2 stream was reset (RST_STREAM ${http2ErrorName(code)}) before the closing handshake completed.`,
    { cause },
  );
}
