/** doc/ws.md, the module's shape: what `import`/`require` of ws gives a program. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cases, check, same } from '../harness.ts';

/**
 * What a CommonJS program gets from `const WebSocket = require(name)`, looked at in a plain Node
 * child process (vitest's own module loader would answer for itself instead). Ours is the built
 * dist/, which is what `npm i` installs.
 */
function requireShape(name: string): Record<string, string> {
  const script = `const W = require(${JSON.stringify(name)}); console.log(JSON.stringify({
    type: typeof W, self: W.WebSocket === W, Server: typeof W.Server, WebSocketServer: typeof W.WebSocketServer,
    same: W.Server === W.WebSocketServer, stream: typeof W.createWebSocketStream, OPEN: W.OPEN }));`;
  const cwd = fileURLToPath(new URL('../../..', import.meta.url));
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8' })) as Record<string, string>;
}

export default cases('Class: WebSocket / module exports', {
  'import.default-is-websocket': async (impl) => {
    const WebSocket = impl.module['default'];
    check(typeof WebSocket === 'function', 'the default export is the WebSocket class');
    same([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED], [0, 1, 2, 3], 'ready state constants');
  },
  'import.named': async (impl) => {
    check(typeof impl.WebSocketServer === 'function', 'import { WebSocketServer }');
    check(typeof impl.createWebSocketStream === 'function', 'import { createWebSocketStream }');
    check(impl.module['WebSocket'] === impl.module['default'], 'import { WebSocket } is the default export');
  },
  'import.require': async (impl) => {
    same(
      requireShape(impl.name === 'ws' ? 'ws' : '@rfc6455/websocket'),
      { type: 'function', self: true, Server: 'function', WebSocketServer: 'function', same: true, stream: 'function', OPEN: 1 },
      "require(): the WebSocket class, with .WebSocket, .Server, .WebSocketServer and .createWebSocketStream",
    );
  },
});
