// A database of its own for one bench run: a new database on DATABASE_URL's server, or an embedded
// PostgreSQL in a temporary folder. stop() drops the one, or stops the other; either way the run's
// folder goes too.
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seqBlockSize, transferSeqPosition } from '../../src/ledger/index.js'
import { withDatabase } from '../../src/platform/database-url.js'
import { connect, type Sql } from '../../src/platform/db.js'
import { ensureEmbeddedDatabase, startEmbedded } from '../../src/platform/embedded-postgres.js'

export interface BenchDatabase {
  url: string
  /** A folder for this run's files (the embedded server's data among them). */
  dir: string
  stop(): Promise<void>
}

export async function openBenchDatabase(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-'))
  chmodSync(dir, 0o755) // the embedded server runs as the postgres user and must reach its folder
  const removeDir = () => rmSync(dir, { recursive: true, force: true })
  const serverUrl = process.env.DATABASE_URL
  if (serverUrl) {
    const name = `keel_bench_${randomBytes(4).toString('hex')}`
    const admin = connect(serverUrl, 1)
    await admin.unsafe(`create database ${name}`)
    return {
      url: withDatabase(serverUrl, name),
      dir,
      stop: async () => {
        // BENCH_KEEP_DATABASE=1 leaves the run's database on the server, to look into afterwards.
        if (process.env.BENCH_KEEP_DATABASE === '1') console.log(`database kept: ${name}`)
        else await admin.unsafe(`drop database if exists ${name} with (force)`)
        await admin.end()
        removeDir()
      },
    }
  }
  const server = await startEmbedded(dir, () => {})
  await ensureEmbeddedDatabase(server.url)
  return { url: server.url, dir, stop: async () => { await server.stop(); removeDir() } }
}

/**
 * Counts the ledger batches that write records from now on: each takes one block of the records'
 * sequence (seqBlockSize). Call at a window's start; the function it returns, at its end.
 */
export async function ledgerBatchesFrom(sql: Sql): Promise<() => Promise<number>> {
  const start = await transferSeqPosition(sql)
  return async () => Number((await transferSeqPosition(sql) - start) / BigInt(seqBlockSize))
}

/**
 * Counts the bytes of WAL the database server writes from now on, all of its databases and its
 * autovacuum included (pg_current_wal_lsn). Unlike CPU time, a figure the machine's load does not
 * move: what a request asks of the database's storage. Call at a window's start; the function it
 * returns, at its end.
 */
export async function walBytesFrom(sql: Sql): Promise<() => Promise<number>> {
  const position = async () => BigInt((await sql<{ at: string }[]>`select (pg_current_wal_lsn() - '0/0'::pg_lsn)::text as at`)[0].at)
  const start = await position()
  return async () => Number((await position()) - start)
}
