/**
 * The facade end to end: our client ↔ our server on loopback, through every part at once.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from './websocket-server.ts';
import { echo, nextMessage, serverHarness, until } from '../../test/harness.ts';

const { listen, dial } = serverHarness();

describe('WebSocketServer', () => {
  it('accepts our client, echoes text, binary and empty messages, and reports a clean close', async () => {
    const { wss, url } = await listen();
    const closes: Array<[number, string]> = [];
    wss.on('connection', (ws) => {
      echo(ws);
      ws.on('close', (code: number, reason: Buffer) => closes.push([code, reason.toString()]));
    });
    const client = await dial(`${url}/any/path`);
    expect(wss.clients.size).toBe(1);
    client.send('héllo ✓');
    const [text, textBinary] = await nextMessage(client);
    expect([text.toString(), textBinary]).toEqual(['héllo ✓', false]);
    client.send(new Uint8Array([0, 255, 7]));
    const [bin, binBinary] = await nextMessage(client);
    expect([[...bin], binBinary]).toEqual([[0, 255, 7], true]);
    client.send('');
    const [empty] = await nextMessage(client);
    expect(empty.length).toBe(0);
    client.close(4000, 'bye');
    const [code] = (await once(client, 'close')) as [number, Buffer];
    expect(code).toBe(4000);
    // The server's side closes once the client's close frame comes back to it.
    await until(() => closes.length > 0);
    expect(closes).toEqual([[4000, 'bye']]);
    expect(wss.clients.size).toBe(0);
    expect(wss.connectionCount).toBe(0);
  });

  it('echoes a 16 MiB message', async () => {
    const { wss, url } = await listen();
    wss.on('connection', echo);
    const client = await dial(url);
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 997) big[i] = i & 0xff;
    client.send(big);
    const [back, isBinary] = await nextMessage(client);
    expect(isBinary).toBe(true);
    expect(back.length).toBe(big.length);
    expect(Buffer.compare(back, big)).toBe(0);
  });

  it('address() throws in noServer mode', () => {
    const wss = new WebSocketServer({ noServer: true });
    expect(() => wss.address()).toThrow(/noServer/);
    void wss.close();
  });
});
