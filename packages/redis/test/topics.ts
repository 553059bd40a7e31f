/**
 * How the tests' servers let a client choose its topics: `?topics=a,b` on its URL, then the
 * messages `sub:<topic>` (answered `subscribed:<topic>`), `unsub:<topic>` (answered
 * `unsubscribed:<topic>`) and `hello` (answered `hello`: the server has seen the connection).
 */
import type { WebSocketServer } from '@rfc6455/server';

/** Wire a server so that clients choose their topics (see the file's comment). */
export function handleTopics(wss: WebSocketServer): void {
  wss.on('connection', (ws, request) => {
    const topics = new URL(request.url ?? '/', 'ws://x').searchParams.get('topics');
    for (const topic of topics ? topics.split(',') : []) ws.subscribe(topic);
    ws.on('message', (data) => {
      const text = String(data);
      if (text === 'hello') ws.send('hello');
      else if (text.startsWith('unsub:')) {
        ws.unsubscribe(text.slice(6));
        ws.send(`unsubscribed:${text.slice(6)}`);
      } else if (text.startsWith('sub:')) {
        ws.subscribe(text.slice(4));
        ws.send(`subscribed:${text.slice(4)}`);
      }
    });
  });
}

