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
  /** The keyed sessions (connectKeyed) on the same database, for the ledger's batches. */
  keyed: Sql
  url: string
  embedded: boolean
  /** False once the embedded server this process joined (started by another) has stopped or moved. */
  stillServing(): boolean
  close(): Promise<void>
}

/**
 * What every session starts with. No JIT compilation: a statement whose estimated cost passes
 * `jit_above_cost` (100,000) is compiled to machine code before it runs, which costs hundreds of
 * milliseconds, once per execution, to save microseconds on statements that read a handful of rows
 * by key. Keel's estimates pass it where they cannot be exact: a set-returning function's default
 * of 100 rows for each batch's jsonb (card_spend_over, on PostgreSQL 15 with LLVM: 0.8 to 1 s a
 * call, nearly all of it compiling), and, up to PostgreSQL 17, a keyed session's disabled scans,
 * which add their penalty to the cost of any plan that keeps one. The embedded PostgreSQL is built
 * without JIT.
 */
export const sessionSettingsDefault: Readonly<Record<string, string>> = { application_name: 'keel', jit: 'off' }

/**
 * How long a connection that failed waits before it tries again, in seconds, by how many tries have
 * failed in a row (postgres.js's `backoff`): about 10 ms, 30, 90, 270, 810, then a second. Each
 * try takes one request waiting for a connection with it, answered 503 if the database is still
 * away. With postgres.js's own delays, which grow to 20 s, requests queued for the pool while the
 * database was down waited up to 30 s for their 503, and a connection as long to find it back
 * (`test/platform/database-failure.test.ts`).
 */
export function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(3 ** failures / 100, 1)
}

/** `settings`: run-time parameters every session of the pool starts with, besides sessionSettingsDefault. */
export function connect(url: string, max = poolSizeDefault, settings: Readonly<Record<string, string>> = {}): Sql {
  const target = connectionTarget(url)
  return postgres(target.url, {
    path: target.path, // undefined: the URL's host and port
    max,
    onnotice: () => {},
    backoff: reconnectDelaySeconds,
    types: { bigint: postgres.BigInt },
    connection: { ...sessionSettingsDefault, ...settings },
  }) as unknown as Sql
}

/**
 * How keyed sessions plan: each statement once, for any values (PostgreSQL's generic plan), kept
 * for the session until its owner renews the plans (the ledger's batches: renewPlans in
 * src/ledger/store.ts), and with sequential scans, hash and merge joins and materialized inner
 * scans ruled out, so the only plans left are index lookups driven by the keys a statement is given.
 */
export const keyedSessionSettings: Readonly<Record<string, string>> = {
  plan_cache_mode: 'force_generic_plan',
  enable_seqscan: 'off',
  enable_hashjoin: 'off',
  enable_mergejoin: 'off',
  enable_material: 'off',
}
/**
 * As many as the ledger may keep batches in flight (KEEL_LEDGER_BATCHES_IN_FLIGHT, at most 8);
 * opened as they are needed (2, at the default, and what the reads by key before a batch take: the
 * card facts read), and a failed batch's requests, run one by one, queue for them.
 */
export const keyedPoolSizeDefault = 8

/**
 * A pool of keyed sessions, apart from the main pool: for transactions whose every statement reads
 * and writes rows by key (the ledger's batches, and the card facts read before them), so they skip
 * planning. Apart, because a session keeps the plans made on it: in the main pool a statement the
 * batches share with other work (the Idempotency-Key read) could run on a plan made outside any
 * batch, under other settings.
 */
export function connectKeyed(url: string, max = keyedPoolSizeDefault): Sql {
  return connect(url, max, keyedSessionSettings)
}

/** The configured external database, or the embedded one under the data directory. */
export async function openDatabase(config: Config, log: (msg: string) => void): Promise<Database> {
  if (config.databaseUrl) {
    const sql = connect(config.databaseUrl)
    const keyed = connectKeyed(config.databaseUrl)
    return {
      sql, keyed, url: config.databaseUrl, embedded: false, stillServing: () => true,
      close: async () => { await Promise.all([sql.end({ timeout: 5 }), keyed.end({ timeout: 5 })]) },
    }
  }
  const server = await startEmbedded(config.dataDir, log)
  await ensureEmbeddedDatabase(server.url)
  const sql = connect(server.url)
  const keyed = connectKeyed(server.url)
  return {
    sql,
    keyed,
    url: server.url,
    embedded: true,
    stillServing: () => server.stillServing?.() ?? true,
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), keyed.end({ timeout: 5 })])
      if (server.owned) await server.stop()
    },
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

/** A statement made by a tagged template and not yet sent: what `oneStatement` joins. */
export type Unsent = postgres.PendingQuery<postgres.Row[]>

/**
 * Statements that change rows, sent as one: every part but the last becomes a WITH query, which
 * PostgreSQL runs to completion though nothing reads it. A batch's writes went as one statement
 * each (its records, entries, holds, balances, events, outcomes, messages), and each statement costs
 * its message to build, send, bind, start, end and answer, on both sides, whatever its rows.
 *
 * What a part may be: one INSERT, UPDATE or DELETE made by a tagged template, with no WITH of its
 * own, not yet executed. The parts run on one snapshot, so none may read rows another writes, and
 * no two may change one row (PostgreSQL would skip the second change without a word). Statement
 * triggers fire once the whole statement is done.
 */
export function oneStatement(tx: Queryable, parts: readonly Unsent[]): Promise<unknown> {
  if (parts.length <= 1) return parts.length ? parts[0].execute() : Promise.resolve()
  const n = parts.length
  return composed(tx, joinedWrites, parts, (i) => (i === 0 ? 'with w0 as (' : i < n - 1 ? `), w${i} as (` : ') '), '').execute()
}

/**
 * Checks run as one statement: selects whose rows nobody reads, each there to fail the transaction
 * (expect_none and the like) or to take locks. `select (select count(x.*) from (check 1) as x) as c0, …`,
 * so every row of each is made, every column of it; with `base`, its one row's columns first:
 * `select b.*, … from (base) as b`.
 * They run in order on one snapshot: a check that must read what a lock taken in the same statement
 * lets through belongs in a later statement. Not yet sent.
 */
export function allOf<R extends readonly object[] = postgres.Row[]>(tx: Queryable, checks: readonly Unsent[], base?: postgres.PendingQuery<R>): postgres.PendingQuery<R> {
  if (checks.length === 0) {
    if (!base) throw new Error('allOf needs a check or a base')
    return base
  }
  if (!base && checks.length === 1) return checks[0] as unknown as postgres.PendingQuery<R>
  const k = checks.length
  const parts = base ? [...checks, base] : checks
  const root = base ? checksWithBase : checksAlone
  // count(x.*), not count(*): a column nothing reads could be left out, and with it what would fail.
  const start = base ? 'select b.*, (select count(x.*) from (' : 'select (select count(x.*) from ('
  return composed(tx, root, parts as readonly Unsent[], (i) => (i === 0 ? start : i < k ? `) as x) as c${i - 1}, (select count(x.*) from (` : `) as x) as c${k - 1} from (`),
    base ? ') as b' : `) as x) as c${k - 1}`) as unknown as postgres.PendingQuery<R>
}

/**
 * A tagged query of `parts`' texts, `between(i)` before part i and `end` after the last, with their
 * values in order; its strings kept per sequence of parts' call sites (under `root`), so it has a
 * text of its own call site as any tagged query has (postgres.js's patch keeps its text and
 * signature by it). Each part a tagged template (a call site's strings), not yet executed.
 */
function composed(tx: Queryable, root: JoinedNode, parts: readonly Unsent[], between: (i: number) => string, end: string): Unsent {
  const tagged = parts as unknown as readonly { strings: TemplateStringsArray; args: unknown[] }[]
  let node = root
  for (const p of tagged) {
    // A query made otherwise (unsafe) has new strings each time: kept here, they would pile up.
    if (!Array.isArray(p.strings.raw)) throw new Error('only queries made by a tagged template can be joined')
    let next = node.next.get(p.strings)
    if (!next) node.next.set(p.strings, next = { next: new Map() })
    node = next
  }
  if (!node.strings) {
    const out: string[] = []
    tagged.forEach((p, i) => {
      const head = between(i) + p.strings[0]
      // A part's first string joins the last string of the part before it.
      if (out.length === 0) out.push(head)
      else out[out.length - 1] += head
      out.push(...p.strings.slice(1))
    })
    out[out.length - 1] += end
    node.strings = Object.assign(out, { raw: out }) as unknown as TemplateStringsArray
  }
  const args = tagged.flatMap((p) => p.args)
  return (tx as unknown as (s: TemplateStringsArray, ...a: unknown[]) => Unsent)(node.strings, ...args)
}

interface JoinedNode { strings?: TemplateStringsArray; next: Map<TemplateStringsArray, JoinedNode> }
const joinedWrites: JoinedNode = { next: new Map() }
const checksWithBase: JoinedNode = { next: new Map() }
const checksAlone: JoinedNode = { next: new Map() }

// Array parameters for set-based statements (`unnest($1::uuid[])`), written as PostgreSQL array
// literals and sent as one string each. postgres.js would quote and escape every element of a
// JavaScript array (two regular expressions per value); on a ledger batch's few thousand values
// that was a visible share of the server's CPU, and most of those values never need it.
//
// A batch's inserts read their rows as `select unnest($1::uuid[]), unnest($2::int8[]), …`, one
// unnest per column in the select list, not `select * from unnest($1, $2, …)`. In FROM, unnest of
// several arrays is a function scan that first copies each array into a tuplestore of its own
// (allocated and freed by every statement, 16 KB or more each: 30 for a batch's transfers and their
// entries); in the select list the arrays are read a row at a time, side by side, a shorter one
// padded with NULL as in FROM. In a CPU profile of PostgreSQL under bench:transfers:realistic the
// tuplestores' setting up was about a tenth of its time; the transfers-and-entries statement took
// 16.5–19.1 µs a row against 45.1–46.2 (pg_stat_statements, two pairs of runs, docs/throughput/ledger.md). Reads
// that join keys to a table take them the same way, from a subquery's select list:
// `join (select unnest($1::uuid[]) as w, unnest($2::uuid[]) as i) as k on …`.

/** Values that need no quoting in an array literal: uuids, integers, ISO timestamps. null or undefined is NULL. */
export type PlainValue = string | number | bigint | null | undefined

// Where no value needs more than its text and the separators, the literal is one `join`, where a
// string built value by value (`out += …`) made two or three short-lived strings a value. These two
// functions were a tenth of what the server allocated at 1,000 card authorizations a second (a
// sampling heap profile); four literals of three values each (uuids, bigints, short texts)
// allocated 1,145 bytes built value by value and 825 joined.

/** An array literal of plain values (uuid, int, bigint, timestamptz as ISO strings): joined as they are. */
export function plainArray(values: readonly PlainValue[]): string {
  if (values.every(isPresent)) return `{${values.join(',')}}`
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    out += (i === 0 ? '' : ',') + (v === null || v === undefined ? 'NULL' : v)
  }
  return out + '}'
}

const isPresent = (v: PlainValue): boolean => v !== null && v !== undefined
/** A text an array literal takes between double quotes as it is. */
const isPlainText = (v: string | null | undefined): v is string => v !== null && v !== undefined && v.indexOf('"') === -1 && v.indexOf('\\') === -1

const escapes = /["\\]/g
/**
 * What JSON.stringify writes as an escape that an array literal would read differently: control
 * characters (\n and the like) and UTF-16 surrogates (it escapes a lone one). A text without them,
 * JSON.stringify quotes exactly as an array literal needs: `\"` and `\\`, in one pass of native
 * code, in half the time of the regular expression's replace and with less garbage (measured on a
 * 1 KB JSON body; JSON bodies, stored responses and events, are most of the texts escaped here).
 */
const jsonEscapes = /[\u0000-\u001f\ud800-\udfff]/

/** An array literal of text values, each quoted (and escaped where it holds a quote or backslash). null or undefined is NULL. */
export function textArray(values: readonly (string | null | undefined)[]): string {
  if (values.length === 0) return '{}'
  if (values.every(isPlainText)) return `{"${values.join('","')}"}`
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    // Two searches for one character each, in native code: a regular expression's test cost about
    // twice as much on the short texts most of these are (an id, a status, a currency).
    out += (i === 0 ? '' : ',') + (v === null || v === undefined ? 'NULL' : v.indexOf('"') === -1 && v.indexOf('\\') === -1 ? `"${v}"` : jsonEscapes.test(v) ? `"${v.replace(escapes, '\\$&')}"` : JSON.stringify(v))
  }
  return out + '}'
}
