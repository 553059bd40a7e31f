'use strict';
/* global module, require -- a CommonJS file: the package's `require` export condition */
// `require('@rfc6455/websocket')` gives what `require('ws')` gives: the WebSocket class itself,
// with .WebSocket, .Server, .WebSocketServer and .createWebSocketStream. Node 20.19+ can require()
// the ES module build; this file only picks its default export, so CommonJS and ESM callers share
// one module instance (one class, one instanceof).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the one way to reach the ES build from CommonJS
module.exports = require('../dist/index.js').default;
