/**
 * createServer over real loopback sockets: options passed through, compressionThreshold switching
 * permessage-deflate on.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, echoServer, onCleanUp } from '../../test/echo-server.ts';
import { connect } from './create-client.ts';
import { createServer } from './create-server.ts';

afterEach(cleanUp);

describe('createServer', () => {
  it('is a WebSocketServer with the options passed through', async () => {
    const { wss } = await echoServer({ maxPayloadLength: 1234 });
    expect(wss.options.maxPayloadLength).toBe(1234);
    expect(wss.options.heartbeat).toBe(false);
  });

  it('refuses a missing mode as the server does', () => {
    expect(() => createServer({})).toThrow(/exactly one of/);
    expect(() => createServer(null as never)).toThrow(TypeError);
  });

  it('compressionThreshold switches permessage-deflate on; without it the server declines the offer', async () => {
    const { url } = await echoServer({ compressionThreshold: 0 });
    const ws = await connect(url, { compressionThreshold: 0 });
    onCleanUp(() => ws.terminate());
    expect(ws.extensions).toBe('permessage-deflate');
    ws.send('x'.repeat(100));
    const [data] = (await once(ws, 'message')) as [Buffer];
    expect(data.toString()).toBe('x'.repeat(100));

    const { url: plain } = await echoServer();
    const offered = await connect(plain);
    onCleanUp(() => offered.terminate());
    expect(offered.extensions).toBe('');
  });

  it('compressionThreshold with perMessageDeflate: false is refused at once', () => {
    expect(() => createServer({ noServer: true, perMessageDeflate: false, compressionThreshold: 1024 })).toThrow(
      /createServer: compressionThreshold turns permessage-deflate on/,
    );
    expect(createServer({ noServer: true, perMessageDeflate: false }).options.mode).toBe('noServer');
  });
});
