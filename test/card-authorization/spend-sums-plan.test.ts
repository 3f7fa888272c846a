// The spend windows and the card's velocity are summed inside every card batch
// (card_spend_sums, migrations 1451 and 1470). Whatever the planner's statistics say of
// card_authorizations, the sums must read the rows they count and not the neighbours of other
// accounts or cards. Under bench:card-auth the planner once read about 2,700 rows of other cards for
// each 5 it counted, because two indexes looked equally cheap to a table it still thought empty.
//
// The check runs the function's own query (its text from pg_catalog, `queries` bound as a parameter,
// planned for the value as the function's setting asks) under EXPLAIN ANALYZE, on a table filled in
// one go with no statistics yet, then again after ANALYZE, and adds up what every scan of
// card_authorizations read and threw away.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { rowsScanned, spendSumsQuery, type PlanNode } from './support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const accounts = 300
const cardsPerAccount = 2
const perCard = 6


describe('card spend sums', () => {
  it('read only the rows of the account and card they sum, before and after the table has statistics', async () => {
    const w = h.workspaces.a
    const now = Date.now()
    const rows: Record<string, unknown>[] = []
    const cards: { account: string; card: string }[] = []
    for (let a = 0; a < accounts; a++) {
      const account = randomUUID()
      for (let c = 0; c < cardsPerAccount; c++) {
        const card = randomUUID()
        cards.push({ account, card })
        for (let n = 0; n < perCard; n++) {
          rows.push({
            workspace_id: w, id: randomUUID(), card_id: card, account_id: account, type: 'authorization', state: n === 0 ? 'DECLINED' : 'PENDING',
            direction: 'DEBITS', requested_amount: 100, amount: n === 0 ? 0 : 100, net_amount: n === 0 ? 0 : 100, currency: 'USD', network: 'CARD',
            // Within the last minute: every row is inside both the rolling window and the velocity window.
            created_at: new Date(now - 1_000 - n * 5_000).toISOString(),
          })
        }
      }
    }
    await h.sql`insert into card_authorizations select * from jsonb_populate_recordset(null::card_authorizations, ${h.sql.json(rows as never)})`

    const query = await spendSumsQuery(h)
    const asked = cards.filter((_, i) => i % 15 === 0) // 40 messages, on 40 accounts
    const queries = asked.map((c, i) => ({
      i, w, a: c.account, c: c.card, since: new Date(now - 60_000).toISOString(),
      windows: [null, new Date(now - 31 * 86_400_000).toISOString()],
    }))

    const measure = async () => {
      const sums = await h.sql.unsafe(query, [JSON.stringify(queries)])
      const [{ 'QUERY PLAN': [plan] }] = await h.sql.unsafe(`explain (analyze, format json) ${query}`, [JSON.stringify(queries)])
      return { sums, read: rowsScanned(plan.Plan as PlanNode).card_authorizations ?? { kept: 0, removed: 0 } }
    }

    for (const when of ['without statistics', 'after analyze']) {
      if (when === 'after analyze') await h.sql`analyze card_authorizations`
      const { sums, read } = await measure()
      // What is summed is right: per account, its two cards' approved (non-declined) rows; per card, its own.
      for (const q of queries) {
        const window = sums.find((s) => s.i === q.i && s.k === 1)
        assert.equal(BigInt(window!.debits), BigInt(cardsPerAccount * (perCard - 1) * 100), `${when}: account ${q.i}'s window`)
        assert.equal(sums.some((s) => s.i === q.i && s.k === 0), false, 'a control without a window is not summed')
        const velocity = sums.find((s) => s.i === q.i && s.k === -1)
        assert.equal(Number(velocity!.debits), perCard - 1, `${when}: card ${q.i}'s velocity`)
      }
      // What it read to get there: the counted rows of each account (window) and each account's rows
      // to find the card's (velocity). Nothing of the other 260 accounts.
      const counted = queries.length * cardsPerAccount * (perCard - 1) * 2
      // (PostgreSQL 18 reports rows per loop as a mean: the totals are rounded.)
      const total = Math.round(read.kept + read.removed)
      assert.ok(total <= counted, `${when}: the sums read ${Math.round(read.kept)} rows and threw away ${Math.round(read.removed)}, for ${counted} at most`)
    }
  })
})
