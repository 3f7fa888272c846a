import postgres from 'postgres'
import type { Config } from './config.js'
import { connectionTarget } from './database-url.js'
import { ensureEmbeddedDatabase, startEmbedded } from './embedded-postgres.js'

export type Sql = postgres.Sql<{ bigint: bigint }>
export type Tx = postgres.TransactionSql<{ bigint: bigint }>
/** Anything that runs a query: the pool or an open transaction. */
export type Queryable = Sql | Tx

export const poolSizeDefault = 20
/** What a request that failed for want of the database is told to wait before retrying. */
export const databaseRetryAfterSeconds = 1

// postgres.js's codes for a connection it could not open or lost, and PostgreSQL's classes for a
// server shutting down or refusing connections (57P0x, 53300) and for connection exceptions (08).
const connectionErrorCodes = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300'])

/** Whether an error means the database could not be reached (the request may be retried), not that the request was wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const { code, syscall } = (err ?? {}) as { code?: unknown; syscall?: unknown }
  if (typeof code !== 'string') return false
  // A Unix-domain socket whose server has stopped is a missing file to connect(2).
  if (code === 'ENOENT') return syscall === 'connect'
  return connectionErrorCodes.has(code) || code.startsWith('08')
}

export interface Database {
  sql: Sql
  url: string
  embedded: boolean
  /** False once the embedded server this process joined (started by another) has stopped or moved. */
  stillServing(): boolean
  close(): Promise<void>
}

export function connect(url: string, max = poolSizeDefault): Sql {
  const target = connectionTarget(url)
  return postgres(target.url, {
    path: target.path, // undefined: the URL's host and port
    max,
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
    connection: { application_name: 'keel' },
  }) as unknown as Sql
}

/** The configured external database, or the embedded one under the data directory. */
export async function openDatabase(config: Config, log: (msg: string) => void): Promise<Database> {
  if (config.databaseUrl) {
    const sql = connect(config.databaseUrl)
    return { sql, url: config.databaseUrl, embedded: false, stillServing: () => true, close: () => sql.end({ timeout: 5 }) }
  }
  const server = await startEmbedded(config.dataDir, log)
  await ensureEmbeddedDatabase(server.url)
  const sql = connect(server.url)
  return {
    sql,
    url: server.url,
    embedded: true,
    stillServing: () => server.stillServing?.() ?? true,
    close: async () => { await sql.end({ timeout: 5 }); if (server.owned) await server.stop() },
  }
}

/**
 * Connections Keel holds on the current database, by state (active, idle, idle in transaction…):
 * every Keel process on it, as PostgreSQL sees them (postgres.js does not expose its pool).
 */
export async function keelConnectionStates(sql: Sql): Promise<{ state: string; n: number }[]> {
  return sql<{ state: string; n: number }[]>`
    select coalesce(state, 'unknown') as state, count(*)::int as n from pg_stat_activity
    where datname = current_database() and application_name = 'keel' group by 1`
}

// Array parameters for set-based statements (`unnest($1::uuid[], …)`), written as PostgreSQL array
// literals and sent as one string each. postgres.js would quote and escape every element of a
// JavaScript array (two regular expressions per value); on a ledger batch's few thousand values
// that was a visible share of the server's CPU, and most of those values never need it.

/** Values that need no quoting in an array literal: uuids, integers, ISO timestamps. null or undefined is NULL. */
export type PlainValue = string | number | bigint | null | undefined

/** An array literal of plain values (uuid, int, bigint, timestamptz as ISO strings): joined as they are. */
export function plainArray(values: readonly PlainValue[]): string {
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    out += (i === 0 ? '' : ',') + (v === null || v === undefined ? 'NULL' : v)
  }
  return out + '}'
}

const needsEscape = /["\\]/
const escapes = /["\\]/g

/** An array literal of text values, each quoted (and escaped where it holds a quote or backslash). null or undefined is NULL. */
export function textArray(values: readonly (string | null | undefined)[]): string {
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    out += (i === 0 ? '' : ',') + (v === null || v === undefined ? 'NULL' : needsEscape.test(v) ? `"${v.replace(escapes, '\\$&')}"` : `"${v}"`)
  }
  return out + '}'
}
