// Waiting for requests to reach a lock the test holds, by asking PostgreSQL, one query after
// another: never by the clock, so a busy machine only makes it ask more times.
import assert from 'node:assert/strict'
import type { Sql } from '../../src/platform/db.js'

/** Bound on polling pg_locks for requests to reach a lock (each poll is one query). */
export const lockPollsMax = 20_000

/**
 * Waits until at least `n` sessions of this database wait for a lock (of `locktype` when given:
 * 'advisory', 'transactionid', …), and answers how many do; fails after lockPollsMax queries.
 */
export async function untilLockWaiters(sql: Sql, n: number, locktype?: string): Promise<number> {
  let waiting = 0
  for (let poll = 0; poll < lockPollsMax && waiting < n; poll++) {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where not l.granted and a.datname = current_database() ${locktype === undefined ? sql`` : sql`and l.locktype = ${locktype}`}`
    waiting = row.n
  }
  assert.ok(waiting >= n, `${n} sessions wait for a ${locktype ?? ''} lock (${waiting} do)`)
  return waiting
}
