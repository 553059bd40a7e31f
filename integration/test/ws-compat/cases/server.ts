/** doc/ws.md, "Class: WebSocketServer": constructor options, events and methods. */
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { cases } from '../harness.ts';

/** Send a WebSocket upgrade request by hand and resolve with the status the server answered. */
export function upgradeStatus(port: number, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

export default cases('Class: WebSocketServer', {});
