// Database URLs: which server and database one names, and how postgres.js reaches it.

/**
 * Where a database URL points. A `host` query parameter naming a directory (libpq's form, as in
 * `postgres://keel:…@127.0.0.1:5432/keel?host=/run/keel`) means PostgreSQL's Unix-domain socket
 * in that directory, for the URL's port: postgres.js takes a socket only as a separate `path`
 * option, and would send the parameter to the server as a setting.
 *
 * On the same machine a socket costs both sides less than loopback TCP (`npm run
 * bench:pg-transport`; figures in docs/operations.md, "The embedded PostgreSQL").
 */
export function connectionTarget(url: string): { url: string; path?: string } {
  const parsed = new URL(url)
  const dir = parsed.searchParams.get('host')
  if (dir === null || !dir.startsWith('/')) return { url }
  parsed.searchParams.delete('host')
  return { url: parsed.toString(), path: `${dir.replace(/\/+$/, '')}/.s.PGSQL.${parsed.port || '5432'}` }
}

/** The same server's URL for another database on it (the query string kept). */
export function withDatabase(url: string, database: string): string {
  return url.replace(/\/[^/?]*(\?|$)/, `/${database}$1`)
}
