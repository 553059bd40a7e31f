import { once } from 'node:events';
import { connect as http2Connect } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { startH2Peer } from '../../test/h2-peer.ts';
import { addSession, findSession, pooledSessionCount, releaseSession, retainSession, sessionKey } from './h2-session-pool.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(keep: boolean) {
  const p = await startH2Peer();
  cleanups.push(() => p.close());
  const session = http2Connect(`http://127.0.0.1:${p.port}`);
  cleanups.push(() => session.destroy());
  const key = sessionKey(`http://127.0.0.1:${p.port}`, {});
  return { key, session, pooled: addSession(key, session, keep) };
}

describe('sessionKey', () => {
  it('is the same for the same origin and settings, objects compared by identity', () => {
    const ca = ['pem'];
    expect(sessionKey('https://a:443', { ca, rejectUnauthorized: false })).toBe(sessionKey('https://a:443', { rejectUnauthorized: false, ca }));
    expect(sessionKey('https://a:443', { ca })).not.toBe(sessionKey('https://a:443', { ca: ['pem'] }));
    expect(sessionKey('https://a:443', {})).not.toBe(sessionKey('https://b:443', {}));
    expect(sessionKey('https://a:443', { servername: 'x' })).not.toBe(sessionKey('https://a:443', { servername: 'y' }));
  });
});

describe('the session pool', () => {
  it('shares a session by key, resolves its SETTINGS, and closes it after the last release', async () => {
    const before = pooledSessionCount();
    const { key, session, pooled } = await connect(false);
    expect(findSession(key)).toBe(pooled);
    expect(pooledSessionCount()).toBe(before + 1);
    const settings = await pooled.settings;
    expect(settings.enableConnectProtocol).toBe(true);
    retainSession(pooled, false);
    retainSession(pooled, false);
    releaseSession(pooled);
    expect(session.closed).toBe(false);
    const closed = once(session, 'close');
    releaseSession(pooled);
    await closed;
    expect(findSession(key)).toBeUndefined();
    expect(pooledSessionCount()).toBe(before);
  });

  it('keeps a session asked to be kept, and forgets one that closed', async () => {
    const { key, session, pooled } = await connect(true);
    await pooled.settings;
    retainSession(pooled, true);
    releaseSession(pooled);
    expect(session.closed).toBe(false);
    expect(findSession(key)).toBe(pooled);
    const closed = once(session, 'close');
    session.close();
    await closed;
    expect(findSession(key)).toBeUndefined();
  });

  it('rejects the SETTINGS promise of a session that fails first', async () => {
    const session = http2Connect('http://127.0.0.1:9');
    cleanups.push(() => session.destroy());
    const pooled = addSession(sessionKey('http://127.0.0.1:9', {}), session, false);
    await expect(pooled.settings).rejects.toThrow();
  });
});
