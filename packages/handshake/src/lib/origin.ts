/**
 * Origin policy (RFC 6455 §4.2.2 step 4, §10.2): a server refuses browser connections from pages
 * it does not trust, which is what stops cross-site WebSocket hijacking. Non-browser clients can
 * send any `Origin`, so this is a browser-facing defence, not authentication.
 */

/**
 * Which origins may connect: a list of exact origins (`https://example.com`, `http://localhost:8080`,
 * or `null` for opaque origins), compared ASCII case-insensitively, or a callback that decides,
 * receiving `undefined` when the client sent no `Origin`.
 */
export type OriginPolicy = readonly string[] | ((origin: string | undefined) => boolean);

/**
 * Whether `origin` passes `policy`. A list only admits the origins it names, so a request without
 * `Origin` (non-browser clients usually send none) is refused by a list; use a callback to admit
 * those too. A callback admits only when it returns exactly `true`.
 */
export function isOriginAllowed(origin: string | undefined, policy: OriginPolicy): boolean {
  if (typeof policy === 'function') return policy(origin) === true;
  if (!Array.isArray(policy)) throw new TypeError('isOriginAllowed: policy must be an array of origins or a function.');
  if (origin === undefined) return false;
  // Origins serialise as scheme://host[:port] (RFC 6454 §6.2); scheme and host are case-insensitive
  // and the port is digits, so comparing lower-cased strings is exact. A trailing slash is tolerated
  // in the list, as people paste URLs there.
  const wanted = origin.trim().toLowerCase();
  return policy.some((allowed) => typeof allowed === 'string' && stripSlash(allowed.trim().toLowerCase()) === wanted);
}

function stripSlash(value: string): string {
  return value.endsWith('/') ? value.slice(0, -1) : value;
}
