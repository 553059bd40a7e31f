/**
 * Choosing the CONNECT proxy for a connection: an explicit proxy URL, or with `proxy: 'env'` the
 * conventional environment variables (`HTTPS_PROXY` for wss, `HTTP_PROXY` for ws, `NO_PROXY`
 * exclusions; lower-case names win over upper-case ones, as curl reads them).
 */

/** The environment to read; `process.env` by default, a plain object in tests. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

function envValue(env: ProxyEnv, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Whether `host:port` is excluded by a `NO_PROXY` list: entries separated by commas or spaces,
 * `*` for every host, a host name matching itself and its subdomains (a leading `.` or `*.` is
 * ignored), an optional `:port`, IP literals compared as written.
 */
export function isNoProxy(host: string, port: number, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (let entry of noProxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const portMatch = /^(.*?):(\d+)$/.exec(entry);
    // A bare IPv6 literal has colons but no brackets: only "[…]:port" carries a port.
    if (portMatch !== null && (!portMatch[1]!.includes(':') || portMatch[1]!.startsWith('['))) {
      entry = portMatch[1]!;
      entryPort = Number(portMatch[2]);
    }
    entry = entry.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    if (entryPort !== undefined && entryPort !== port) continue;
    if (name === entry || name.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/**
 * The proxy to use for a connection to `host:port`, or undefined for a direct connection.
 * `option` is the `proxy` option: undefined (direct), `'env'`, or a proxy URL.
 *
 * @throws {TypeError} for a proxy URL that does not parse or is not http:/https:.
 */
export function resolveProxy(
  option: string | URL | undefined,
  target: { host: string; port: number; secure: boolean },
  env: ProxyEnv = process.env,
): URL | undefined {
  if (option === undefined) return undefined;
  let value: string | URL | undefined = option;
  if (option === 'env') {
    if (isNoProxy(target.host, target.port, envValue(env, 'no_proxy'))) return undefined;
    value = target.secure ? (envValue(env, 'https_proxy') ?? envValue(env, 'http_proxy')) : envValue(env, 'http_proxy');
    if (value === undefined) return undefined;
  }
  let url: URL;
  try {
    // "host:port" without a scheme is common in proxy variables: read it as http.
    url = new URL(typeof value === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? `http://${value}` : value);
  } catch (err) {
    throw new TypeError(`proxy ${JSON.stringify(String(value))} is not a valid URL such as 'http://host:3128'`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`proxy must be an http: or https: URL, got ${JSON.stringify(url.protocol)}`);
  }
  return url;
}
