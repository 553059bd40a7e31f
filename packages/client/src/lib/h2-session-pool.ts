/**
 * The client's HTTP/2 sessions, shared: WebSockets to one origin with the same TLS settings ride
 * streams of one session (RFC 8441's point: one TCP+TLS connection, many WebSockets). A session
 * is counted by the streams that use it and closed (GOAWAY, then TCP) when its last stream has
 * ended, unless `keepHttp2Session` asked to keep it; a kept session is unref'd while idle, so it
 * does not hold the process open. A session that fails, closes or receives GOAWAY leaves the pool
 * at once: the next WebSocket opens a fresh one.
 */
import type { ClientHttp2Session, Settings } from 'node:http2';

/** One pooled session: its remote SETTINGS once received, and how many streams use it. */
export interface PooledSession {
  readonly session: ClientHttp2Session;
  /** Resolves with the server's first SETTINGS (RFC 9113 §6.5), rejects if the session fails first. */
  readonly settings: Promise<Settings>;
}

interface Entry extends PooledSession {
  readonly key: string;
  refs: number;
  keep: boolean;
}

const sessions = new Map<string, Entry>();
const ids = new WeakMap<object, number>();
let nextId = 1;

/** A stable identity for an option value (a CA list, a key, a `tls` object): same object, same id. */
function identity(value: unknown): string {
  if (value === undefined) return '';
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return JSON.stringify(value);
  let id = ids.get(value);
  if (id === undefined) {
    id = nextId++;
    ids.set(value, id);
  }
  return `#${id}`;
}

/**
 * The pool key for an origin and the TLS settings a session was opened with: sessions are shared
 * only when every setting that could change the connection is the same (objects by identity).
 */
export function sessionKey(origin: string, settings: Readonly<Record<string, unknown>>): string {
  let key = origin;
  for (const name of Object.keys(settings).sort()) key += `|${name}=${identity(settings[name])}`;
  return key;
}

/** The pooled session for `key`, if one is open and usable. */
export function findSession(key: string): PooledSession | undefined {
  const entry = sessions.get(key);
  if (entry === undefined) return undefined;
  const { session } = entry;
  if (session.closed || session.destroyed) {
    sessions.delete(key);
    return undefined;
  }
  return entry;
}

/** Add a newly connected session to the pool under `key`. */
export function addSession(key: string, session: ClientHttp2Session, keep: boolean): PooledSession {
  const settings = new Promise<Settings>((resolve, reject) => {
    session.once('remoteSettings', (remote: Settings) => resolve(remote));
    session.once('close', () => reject(new Error('The HTTP/2 session closed before the server sent its SETTINGS.')));
    session.once('error', (err: Error) => reject(err));
  });
  // A rejection nobody awaits (the attempt was aborted) must not become an unhandled one.
  settings.catch(() => undefined);
  const entry: Entry = { key, session, settings, refs: 0, keep };
  const leave = (): void => {
    if (sessions.get(key) === entry) sessions.delete(key);
  };
  session.once('close', leave);
  session.once('goaway', leave);
  // Session errors are reported through the streams and attempts that use it; never thrown.
  session.on('error', leave);
  const previous = sessions.get(key);
  if (previous === undefined || previous.session.closed || previous.session.destroyed) sessions.set(key, entry);
  return entry;
}

/** A stream starts using `pooled`; `keep`: keep the session open once idle (`keepHttp2Session`). */
export function retainSession(pooled: PooledSession, keep: boolean): void {
  const entry = pooled as Entry;
  entry.refs++;
  entry.keep ||= keep;
  entry.session.ref();
}

/** A stream of `pooled` has closed: close the session when it was the last and the session is not kept. */
export function releaseSession(pooled: PooledSession): void {
  const entry = pooled as Entry;
  entry.refs = Math.max(0, entry.refs - 1);
  if (entry.refs > 0) return;
  if (entry.keep && !entry.session.closed && !entry.session.destroyed) {
    entry.session.unref();
    return;
  }
  if (sessions.get(entry.key) === entry) sessions.delete(entry.key);
  if (!entry.session.closed && !entry.session.destroyed) entry.session.close();
}

/** How many sessions the pool holds (for tests and diagnostics). */
export function pooledSessionCount(): number {
  return sessions.size;
}
