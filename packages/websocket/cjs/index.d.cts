// Types of the CommonJS entry: `const WebSocket = require('@rfc6455/websocket')`.
import type * as umbrella from '../dist/index.js' with { 'resolution-mode': 'import' };

declare const WebSocket: typeof umbrella.default;
type WebSocket = umbrella.WebSocket;
export = WebSocket;
