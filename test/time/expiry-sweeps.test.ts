// The expiry workers' sweeps read only what may be due. Each round of the hold and card expiry
// workers looks in every workspace, each at its own clock's time (real time plus its offset); the
// index range it reads ends at the furthest clock, so a round with nothing due reads no hold and no
// card, however many are live. Sequential scans are ruled out in the test's transaction so that the
// plan is the index's whatever the table's size: what is counted is what the range lets through.
// And whatever the planner makes of the table, the hold sweeps read each workspace's holds through
// that workspace's range by expiry: an index led by the account would have them skip through every
// account of the workspace to find that none is due.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dueExpiredCard } from '../../src/cards/store.js'
import { applyInTransaction, insertLedgerAccount, nextHoldExpiry, type LedgerRequest } from '../../src/ledger/index.js'
import { dueHolds } from '../../src/ledger/store.js'
import { connect, type Queryable } from '../../src/platform/db.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, openAccount, transfer } from '../support/accounts.js'
import { holder, issue, products } from '../cards/support.js'
import { keptPlans } from '../support/plans.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

/** Rows of `table` read on this connection (since its statistics were last reported), by sequential and index scans. */
async function rowsRead(tx: Queryable, table: string): Promise<number> {
  const [row] = await tx<{ n: number }[]>`
    select (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::int as n from pg_stat_xact_user_tables where relname = ${table}`
  return row?.n ?? 0
}

describe('expiry sweeps', () => {
  it('read no hold and no card when none is due, with many live', async () => {
    const funding = await fundingAccount(h)
    const to = await openAccount(h)
    for (let i = 0; i < 30; i++) {
      const res = await transfer(h, { amount: 1, capture_mode: 'MANUAL', originating_account_id: funding.id, receiving_account_id: to.id })
      assert.equal(res.status, 200, JSON.stringify(res.body))
    }
    const p = await products(h)
    const who = await holder(h)
    for (let i = 0; i < 5; i++) await issue(h, who, p.virtual)
    const [{ holds, cards }] = await h.sql<{ holds: number; cards: number }[]>`
      select (select count(*) from ledger_holds where status = 'PENDING')::int as holds,
        (select count(*) from cards where card_status <> 'TERMINATED')::int as cards`
    assert.ok(holds >= 30 && cards >= 5, `${holds} holds, ${cards} cards live`)

    await h.sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`
      // The counts are the connection's since its statistics were last reported: compare before and after.
      const [holdsBefore, cardsBefore] = [await rowsRead(tx, 'ledger_holds'), await rowsRead(tx, 'cards')]
      assert.equal((await dueHolds(tx, h.services.clock, 100)).length, 0)
      assert.equal(await rowsRead(tx, 'ledger_holds') - holdsBefore, 0, 'the hold sweep read holds that were not due')
      assert.equal(await dueExpiredCard(tx, h.services.clock), undefined)
      assert.equal(await rowsRead(tx, 'cards') - cardsBefore, 0, 'the card sweep read cards that had not expired')
    })
  })

  it('read each workspace\'s holds through its own range by expiry, with many accounts, on a kept plan or a fresh one', async () => {
    const workspaceId = h.workspaces.b
    const source = uuidv7()
    const accounts = Array.from({ length: 200 }, () => uuidv7())
    let n = 0
    for (const id of [source, ...accounts]) {
      await insertLedgerAccount(h.sql, {
        workspace_id: workspaceId, id, kind: 'ACCOUNT', account_number: `7${String(++n).padStart(11, '0')}`,
        currency: 'USD', status: 'ACTIVE_OR_DISBURSED', access_status: 'ACTIVE', floor: null, ceiling: null, created_at: new Date(),
      })
    }
    // Two holds on each account, due in a week.
    const now = h.services.clock.now(workspaceId)
    const meta = { kind: 'TEST', type: 'ACCOUNT_TO_ACCOUNT', details: {} }
    const requests: LedgerRequest[] = accounts.flatMap((id) => [1, 2].map((k) => ({
      workspaceId, now, partnerVerified: true,
      commands: [{ id: uuidv7(), kind: 'pending' as const, debitAccountId: id, creditAccountId: source, amount: BigInt(k), currency: 'USD', expiresAt: new Date(now.getTime() + 7 * 86_400_000 + k), meta }],
    })))
    const results = await h.sql.begin((tx) => applyInTransaction(tx, requests, { nowOf: () => now }))
    assert.ok(results.every((r) => r.ok), 'every hold made')
    await h.sql`analyze ledger_holds`

    for (const mode of ['force_generic_plan', 'force_custom_plan']) {
      const one = connect(h.databaseUrl, 1, { plan_cache_mode: mode })
      try {
        assert.equal((await dueHolds(one, h.services.clock, 100)).length, 0)
        assert.equal((await dueHolds(one, h.services.clock, 100, workspaceId)).length, 0)
        assert.equal((await nextHoldExpiry(one, workspaceId, new Date(now.getTime() + 8 * 86_400_000)))?.getTime(), now.getTime() + 7 * 86_400_000 + 1)
        // EXPLAIN EXECUTE with nulls for values: a custom plan for nulls reads nothing, so the
        // custom plans are read with values of each type instead.
        const plans = await keptPlans(one, mode === 'force_custom_plan' ? { 'timestamp with time zone': `'${now.toISOString()}'`, uuid: `'${workspaceId}'`, bigint: '100', integer: '100' } : undefined)
        const holdScans = plans.filter((p) => /ledger_holds/.test(p.statement)).flatMap((p) => p.scans.filter((s) => s.relation === 'ledger_holds'))
        assert.equal(holdScans.length, 3, `${mode}: each statement reads the holds once: ${JSON.stringify(holdScans)}`)
        for (const scan of holdScans) {
          assert.equal(scan.index, 'ledger_holds_workspace_expiry', `${mode}: ${JSON.stringify(scan)}`)
          assert.match(scan.cond ?? '', /workspace_id = .*expires_at <=/, `${mode}: the range is the workspace's up to its time: ${scan.cond}`)
        }
      } finally {
        await one.end()
      }
    }
  })
})
