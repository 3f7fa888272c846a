// The expiry workers' sweeps read only what may be due. Each round of the hold and card expiry
// workers looks in every workspace, each at its own clock's time (real time plus its offset); the
// index range it reads ends at the furthest clock, so a round with nothing due reads no hold and no
// card, however many are live. Sequential scans are ruled out in the test's transaction so that the
// plan is the index's whatever the table's size: what is counted is what the range lets through.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dueExpiredCard } from '../../src/cards/store.js'
import { dueHolds } from '../../src/ledger/store.js'
import type { Queryable } from '../../src/platform/db.js'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, openAccount, transfer } from '../support/accounts.js'
import { holder, issue, products } from '../cards/support.js'

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
})
