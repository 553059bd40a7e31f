/**
 * ws's verifyClient on our server, both forms, over raw sockets: what it is told, and what each
 * answer puts on the wire.
 */
import { describe, expect, it } from 'vitest';
import type { ServerError } from './server-error.ts';
import type { VerifyClientCallback, VerifyClientInfo } from './ws-options.ts';
import { bodyOf, exchange, headerOf, statusOf, upgradeRequest } from '../../test/raw.ts';
import { serverHarness } from '../../test/harness.ts';

const { listen, dial } = serverHarness();

describe('verifyClient(info), the one-argument form', () => {
  it('is told the origin, whether the connection is TLS, and the request; true accepts', async () => {
    const seen: Array<[string | undefined, boolean, string | undefined]> = [];
    const { url } = await listen({
      verifyClient: (info: VerifyClientInfo) => {
        seen.push([info.origin, info.secure, info.req.url]);
        return true;
      },
    });
    await dial(`${url}/chat?x=1`, { origin: 'https://app.example' });
    expect(seen).toEqual([['https://app.example', false, '/chat?x=1']]);
  });

  it('false refuses with 401 and ws reason phrase as the body; no connection event', async () => {
    const { wss, port } = await listen({ verifyClient: () => false });
    let connected = false;
    wss.on('connection', () => (connected = true));
    const errors: ServerError[] = [];
    wss.on('handshakeError', (err) => errors.push(err));
    const res = await exchange(port, upgradeRequest('/'));
    expect([statusOf(res), bodyOf(res), headerOf(res, 'connection')]).toEqual([401, 'Unauthorized', 'close']);
    expect(connected).toBe(false);
    expect(errors.map((e) => [e.code, e.status])).toEqual([['WS_ERR_HANDSHAKE_REJECTED', 401]]);
  });

  it('a thrown error, or a promise (ws would take it for a yes), answers 500 and names the reason', async () => {
    const { wss, port } = await listen({
      verifyClient: ((info: VerifyClientInfo) => {
        if (info.req.url === '/throws') throw new Error('verifier bug');
        return Promise.resolve(false);
      }) as never,
    });
    const causes: string[] = [];
    wss.on('handshakeError', (err) => causes.push((err.cause as Error).message));
    expect(statusOf(await exchange(port, upgradeRequest('/throws')))).toBe(500);
    expect(statusOf(await exchange(port, upgradeRequest('/promise')))).toBe(500);
    expect(causes[0]).toBe('verifier bug');
    expect(causes[1]).toMatch(/^verifyClient\(info\) returned a promise: declare \(info, callback\)/);
  });
});

describe('verifyClient(info, callback), the two-argument form', () => {
  it('callback(true) accepts, later', async () => {
    const { url } = await listen({ verifyClient: (_info: VerifyClientInfo, done: VerifyClientCallback) => void setTimeout(() => done(true), 10) });
    const ws = await dial(url);
    expect(ws.readyState).toBe(1);
  });

  it('callback(false, code, message, headers) answers that status, body and headers; false alone answers 401', async () => {
    const { port } = await listen({
      verifyClient: (info: VerifyClientInfo, done: VerifyClientCallback) => {
        if (info.req.url === '/busy') done(false, 503, 'come back later', { 'Retry-After': 120 });
        else done(false);
      },
    });
    const busy = await exchange(port, upgradeRequest('/busy'));
    expect([statusOf(busy), bodyOf(busy), headerOf(busy, 'retry-after')]).toEqual([503, 'come back later', '120']);
    const plain = await exchange(port, upgradeRequest('/'));
    expect([statusOf(plain), bodyOf(plain)]).toEqual([401, 'Unauthorized']);
  });

  it('a refusal with a status that is not an HTTP error answers 500; only the first answer counts', async () => {
    const { wss, port } = await listen({
      verifyClient: (_info: VerifyClientInfo, done: VerifyClientCallback) => {
        done(false, 302);
        done(true);
      },
    });
    const causes: string[] = [];
    wss.on('handshakeError', (err) => causes.push((err.cause as Error).message));
    expect(statusOf(await exchange(port, upgradeRequest('/')))).toBe(500);
    expect(causes).toEqual(['verifyClient refused with code 302; a refusal needs an HTTP error status from 400 to 599.']);
  });

  it('runs before authenticate, which is not called for a refused client', async () => {
    const order: string[] = [];
    const { port } = await listen({
      verifyClient: (_info: VerifyClientInfo, done: VerifyClientCallback) => {
        order.push('verifyClient');
        done(false, 403);
      },
      authenticate: () => void order.push('authenticate'),
    });
    expect(statusOf(await exchange(port, upgradeRequest('/')))).toBe(403);
    expect(order).toEqual(['verifyClient']);
  });
});
