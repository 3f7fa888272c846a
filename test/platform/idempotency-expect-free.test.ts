// expectKeysFree: the Idempotency-Key claim a ledger batch decided from memory sends with its
// writes. It takes the keys' advisory locks as claimKeys does, and fails its transaction with
// keysNotFree unless every key is free: not in flight in another transaction, no outcome stored.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import postgres from 'postgres'
import { connectKeyed } from '../../src/platform/db.js'
import { claimKeys, expectKeysFree, keysNotFree, storeOutcomes, type KeyClaim } from '../../src/platform/idempotency.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { signal } from '../support/signal.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const claimOf = (key: string): KeyClaim => ({ workspaceId: h.workspaces.a, key, requestHash: 'hash', now: new Date() })


const refusal = async (run: () => Promise<unknown>): Promise<string | undefined> => {
  try {
    await run()
    return undefined
  } catch (err) {
    assert.ok(err instanceof postgres.PostgresError, String(err))
    return err.code
  }
}

describe('expectKeysFree', () => {
  it('passes for free keys and holds their locks: another claim of one meets it in flight', async () => {
    const keys = [uuidv7(), uuidv7()]
    const held = signal()
    const release = signal()
    const first = h.sql.begin(async (tx) => {
      await expectKeysFree(tx, keys.map(claimOf))
      held.fire()
      await release.promise
    })
    await held.promise
    const [outcome] = await h.sql.begin((tx) => claimKeys(tx, [claimOf(keys[1])]))
    assert.equal((outcome as { code?: string }).code, 'IDEMPOTENCY_CONCURRENT_USE')
    release.fire()
    await first
  })

  it('fails its transaction when a key is in flight in another transaction', async () => {
    const key = uuidv7()
    const held = signal()
    const release = signal()
    const first = h.sql.begin(async (tx) => {
      await claimKeys(tx, [claimOf(key)])
      held.fire()
      await release.promise
    })
    await held.promise
    assert.equal(await refusal(() => h.sql.begin((tx) => expectKeysFree(tx, [claimOf(uuidv7()), claimOf(key)]))), keysNotFree)
    release.fire()
    await first
  })

  it('fails its transaction when a key has an outcome stored, and nothing of that transaction lands', async () => {
    const key = uuidv7()
    await h.sql.begin((tx) => storeOutcomes(tx, [{ ...claimOf(key), status: 200, json: '{}' }]))
    const other = uuidv7()
    assert.equal(await refusal(() => h.sql.begin(async (tx) => {
      const check = expectKeysFree(tx, [claimOf(other), claimOf(key)])
      const write = storeOutcomes(tx, [{ ...claimOf(other), status: 200, json: '{}' }])
      await Promise.all([check, write])
    })), keysNotFree)
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from idempotency_keys where workspace_id = ${h.workspaces.a} and key = ${other}`
    assert.equal(n, 0)
  })

  it('looks each key up by its primary key on a keyed session, on plans made while the table was small', async () => {
    // Written as "or exists (…)", PostgreSQL planned the lookup on a small table as a hashed subplan
    // and the keyed session kept that plan: every call read every stored outcome, not one per key.
    const keyed = connectKeyed(h.databaseUrl, 1)
    const counts = (tx: postgres.TransactionSql) => tx<{ seq_scan: number; idx_scan: number; idx_tup_fetch: number }[]>`
      select seq_scan::int, idx_scan::int, idx_tup_fetch::int from pg_stat_xact_user_tables where relname = 'idempotency_keys'`
    const call = async (when: string) => {
      const keys = [uuidv7(), uuidv7(), uuidv7()]
      // The session's counts not yet reported, read before and after the call: the difference is the call's.
      const [[before], [after]] = await keyed.begin(async (tx) => {
        const first = await counts(tx)
        await expectKeysFree(tx, keys.map(claimOf))
        return [first, await counts(tx)]
      })
      const read = { seq_scan: after.seq_scan - before.seq_scan, idx_scan: after.idx_scan - before.idx_scan, idx_tup_fetch: after.idx_tup_fetch - before.idx_tup_fetch }
      assert.deepEqual(read, { seq_scan: 0, idx_scan: keys.length, idx_tup_fetch: 0 }, when)
    }
    try {
      await h.sql`analyze idempotency_keys`
      for (let n = 1; n <= 3; n++) await call(`call ${n} on the small table`)
      await h.sql`
        insert into idempotency_keys (workspace_id, key, request_hash, response_status, response_body, created_at)
        select ${h.workspaces.b}, 'grown-' || g, 'hash', 200, '{}', now() from generate_series(1, 5000) as g`
      for (let n = 1; n <= 3; n++) await call(`call ${n} on the grown table`)
    } finally {
      await keyed.end()
    }
  })
})
