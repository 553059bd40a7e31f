/**
 * `createWebSocketStream(ws, options)`: a Node `Duplex` over one WebSocket connection, with ws's
 * semantics (ws 8, doc/ws.md and its lib/stream.js behaviour): each message is pushed as one
 * chunk (a string for text in object mode), a full read buffer pauses the socket and reading
 * resumes it; each write is one `send`; `end()` starts the closing handshake and finishes when
 * our half of TCP is done; `destroy()` terminates the connection; an `error` on the connection
 * destroys the stream with it. The stream emits `close` once the connection is CLOSED.
 */
import { Duplex } from 'node:stream';
import type { DuplexOptions } from 'node:stream';
import { CLOSED, CONNECTING } from '@rfc6455/codes';
import type { WebSocket } from './websocket.ts';

/**
 * The `Duplex` options a stream over a connection may take. `objectMode`, `writableObjectMode`,
 * `autoDestroy` and `emitClose` are the stream's own (ws forces them too); giving one is an error.
 */
export type WebSocketStreamOptions = Omit<DuplexOptions, 'objectMode' | 'writableObjectMode' | 'autoDestroy' | 'emitClose' | 'read' | 'write' | 'writev' | 'final' | 'destroy' | 'construct'>;

/** The `Duplex` constructor options this function knows (Node 20's `DuplexOptions`), and those it sets itself. */
const DUPLEX_OPTIONS = new Set([
  'allowHalfOpen',
  'readableObjectMode',
  'readableHighWaterMark',
  'writableHighWaterMark',
  'writableCorked',
  'highWaterMark',
  'encoding',
  'decodeStrings',
  'defaultEncoding',
  'signal',
]);
const FORCED = new Map([
  ['objectMode', 'the stream is never in object mode for writes; use readableObjectMode for string messages'],
  ['writableObjectMode', 'writes are bytes (or strings with decodeStrings: false), sent as one message each'],
  ['autoDestroy', 'the stream is destroyed when the connection ends'],
  ['emitClose', "the stream emits 'close' once the connection is CLOSED"],
  ['read', 'reading is the connection'],
  ['write', 'each write is ws.send()'],
  ['writev', 'each write is ws.send()'],
  ['final', 'end() closes the connection'],
  ['destroy', 'destroy() terminates the connection'],
  ['construct', 'the stream is ready at once'],
]);

function checkStreamOptions(options: unknown): WebSocketStreamOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new TypeError('createWebSocketStream(ws, options): options must be an object of Duplex options');
  for (const key of Object.keys(options)) {
    const forced = FORCED.get(key);
    if (forced !== undefined) throw new TypeError(`createWebSocketStream(ws, options): ${key} cannot be set (${forced})`);
    if (!DUPLEX_OPTIONS.has(key)) {
      throw new TypeError(`createWebSocketStream(ws, options): unknown option ${JSON.stringify(key)}; Duplex options are ${[...DUPLEX_OPTIONS].join(', ')}`);
    }
  }
  return options as WebSocketStreamOptions;
}

/**
 * A `Duplex` stream over `ws` (ws's `createWebSocketStream`): read the messages, write messages.
 *
 * @throws {TypeError} when `ws` is not a WebSocket or `options` has a key `Duplex` does not take
 *   (or one the stream sets itself).
 */
export function createWebSocketStream(ws: WebSocket, options?: WebSocketStreamOptions): Duplex {
  if (ws === null || typeof ws !== 'object' || typeof ws.send !== 'function' || typeof ws.terminate !== 'function') {
    throw new TypeError('createWebSocketStream(ws, options): ws must be a WebSocket');
  }
  const duplexOptions = checkStreamOptions(options);
  let terminateOnDestroy = true;
  const duplex = new Duplex({ ...duplexOptions, autoDestroy: false, emitClose: false, objectMode: false, writableObjectMode: false });

  ws.on('message', (message, isBinary) => {
    const data = !isBinary && duplex.readableObjectMode ? String(message) : message;
    if (!duplex.push(data)) ws.pause();
  });

  ws.once('error', (err) => {
    if (duplex.destroyed) return;
    // The connection fails itself (its close frame goes out): terminating it now could cut that
    // frame off. Before open there is nothing to terminate either.
    terminateOnDestroy = false;
    duplex.destroy(err);
  });

  ws.once('close', () => {
    if (!duplex.destroyed) duplex.push(null);
  });

  duplex._destroy = (err, callback) => {
    if (ws.readyState === CLOSED) {
      callback(err);
      process.nextTick(emitClose, duplex);
      return;
    }
    let called = false;
    ws.once('error', (error) => {
      called = true;
      callback(error);
    });
    ws.once('close', () => {
      if (!called) callback(err);
      process.nextTick(emitClose, duplex);
    });
    if (terminateOnDestroy) ws.terminate();
  };

  duplex._final = (callback) => {
    if (ws.readyState === CONNECTING) {
      ws.once('open', () => duplex._final(callback));
      return;
    }
    const socket = ws.socket;
    // No socket after CONNECTING: the handshake failed, and its 'error' destroys the stream.
    if (socket === undefined) return;
    if (socket.writableFinished) {
      callback();
      if (duplex.readableEnded) duplex.destroy();
    } else {
      // 'end' follows on the readable side once the connection is CLOSED (the null pushed above).
      socket.once('finish', () => callback());
      ws.close();
    }
  };

  duplex._read = () => {
    if (ws.isPaused) ws.resume();
  };

  duplex._write = (chunk: Buffer | string, _encoding, callback) => {
    if (ws.readyState === CONNECTING) {
      ws.once('open', () => duplex._write(chunk, _encoding, callback));
      return;
    }
    ws.send(chunk, callback);
  };

  duplex.on('end', onEnd);
  duplex.on('error', onError);
  return duplex;
}

function emitClose(stream: Duplex): void {
  stream.emit('close');
}

/** Both halves are done: destroy the stream (it emits 'close' once the connection is CLOSED). */
function onEnd(this: Duplex): void {
  if (!this.destroyed && this.writableFinished) this.destroy();
}

/** An error destroys the stream; with no listener of the application's, it is thrown as streams do. */
function onError(this: Duplex, err: Error): void {
  this.removeListener('error', onError);
  this.destroy();
  if (this.listenerCount('error') === 0) this.emit('error', err);
}
