import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Sql } from './db.js'

export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations')
// Any fixed number; every Keel process agrees on it, so only one applies migrations at a time.
const migrationLockKey = 7_120_240_001

/** Applies the forward-only migrations not yet applied, in name order, in one transaction. */
export async function migrate(sql: Sql): Promise<string[]> {
  const files = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort()
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${migrationLockKey})`
    await tx`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`
    const done = new Set((await tx<{ name: string }[]>`select name from schema_migrations`).map((r) => r.name))
    const applied: string[] = []
    for (const file of files) {
      if (done.has(file)) continue
      await tx.unsafe(readFileSync(join(migrationsDir, file), 'utf8'))
      await tx`insert into schema_migrations (name) values (${file})`
      applied.push(file)
    }
    return applied
  })
}
