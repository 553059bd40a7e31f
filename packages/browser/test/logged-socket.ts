/**
 * The browser `WebSocket` on a fake page and fake native sockets, with every event it dispatches
 * written to a log as one short line (`open`, `close <code> <wasClean> <willReconnect>`,
 * `error <code>`, `reconnect <attempt> <delayMs>`, `reconnected <attempt>`, `giveup <n> <code>`,
 * `message <json>`).
 */
import { WebSocket } from '../src/lib/websocket.ts';
import type { UrlSource, WebSocketOptions } from '../src/lib/options.ts';
import type { WebSocketErrorEvent } from '../src/lib/events.ts';
import { FakeWebSocket, flush } from './fake-websocket.ts';
import type { FakePage } from './fake-websocket.ts';

/** Describes one event as a log line. */
function describeEvent(event: Event): string {
  const e = event as Event & Record<string, unknown>;
  switch (event.type) {
    case 'close':
      return `close ${String(e.code)} ${String(e.wasClean)} ${String(e.willReconnect)}`;
    case 'error':
      return `error ${(event as WebSocketErrorEvent).error.code}`;
    case 'reconnect':
      return `reconnect ${String(e.attempt)} ${String(e.delayMs)}`;
    case 'reconnected':
      return `reconnected ${String(e.attempt)}`;
    case 'giveup':
      return `giveup ${String(e.attempts)} ${String(e.code)}`;
    case 'message':
      return `message ${JSON.stringify(e.data)}`;
    default:
      return event.type;
  }
}

/** A socket on `page` over {@link FakeWebSocket}, logging to `log`; random 0.5 makes jitter exact. */
export function loggedSocket<T = string | ArrayBuffer | Blob>(page: FakePage, log: string[], url: UrlSource, options: WebSocketOptions = {}): WebSocket<T> {
  const socket = new WebSocket<T>(url, undefined, { WebSocket: FakeWebSocket, environment: page, random: () => 0.5, ...options });
  for (const type of ['open', 'close', 'error', 'reconnect', 'reconnected', 'giveup', 'message'] as const) {
    socket.addEventListener(type, (event: Event) => log.push(describeEvent(event)));
  }
  return socket;
}

/** Makes the current attempt fail the way a refused connection does in a browser: `error`, then `close` 1006. */
export async function refuse(): Promise<void> {
  FakeWebSocket.last.serverError();
  FakeWebSocket.last.serverClose(1006, '', false);
  await flush();
}
