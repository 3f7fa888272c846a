// `keel ledger check` checks what card authorization keeps beside the ledger, too: each account's card
// spend by day, each card's approvals by minute, which accounts have their spend kept by MCC and
// sub-type, and those kinds. Faults planted in those rows make it exit non-zero and name each one.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { auditCardSpend } from '../../src/card-authorization/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { runKeel } from '../support/keel-process.js'
import { authorize, fundedCard, merchant, spendControl } from './support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const check = (workspaceId: string, json = true) => runKeel(h.databaseUrl, ['ledger', 'check', '--workspace', workspaceId, ...(json ? ['--json'] : [])])

describe('keel ledger check, for card spend', () => {
  it('is clean on spend the API wrote, and names every planted fault in the days, minutes and kinds kept', async () => {
    const w = h.workspaces.a
    const groceries = { amount_limit: 100_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 }, merchant_category_codes: ['5411'] }
    const [listedA, listedB] = [await spendControl(h, groceries), await spendControl(h, groceries)]
    const a = await fundedCard(h, 10_000, { spendControlIds: [listedA.id] })
    const b = await fundedCard(h, 10_000, { spendControlIds: [listedB.id] })
    const c = await fundedCard(h, 10_000)
    for (const [card, amount] of [[a.card, 100], [a.card, 40], [c.card, 70]] as const) {
      const res = await authorize(h, card.id, amount, { card_acceptor: { ...merchant, mcc: '5411' } })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      assert.equal(res.body.transaction.state, 'PENDING')
    }
    const clean = await check(w)
    assert.equal(clean.code, 0, clean.stdout + clean.stderr)
    const report = JSON.parse(clean.stdout)
    assert.deepEqual(report.discrepancies, [])
    assert.equal(report.checked.card_messages, 3)

    const [kindA] = await h.sql<{ day: string; sub_type: string }[]>`select day::text, sub_type from card_spend_kinds where workspace_id = ${w} and account_id = ${a.account.id}`
    const [dayC] = await h.sql<{ day: string }[]>`select day::text from card_spend_days where workspace_id = ${w} and account_id = ${c.account.id}`
    const [minuteC] = await h.sql<{ minute: string }[]>`select to_char(minute, 'YYYY-MM-DD"T"HH24:MI"Z"') as minute from card_velocity_minutes where workspace_id = ${w} and card_id = ${c.card.id}`
    const subType = kindA.sub_type || 'none'
    await h.sql.begin(async (tx) => {
      // 1. A day of c's that counts a cent more than its message.
      await tx`update card_spend_days set debits = debits + 1 where workspace_id = ${w} and account_id = ${c.account.id}`
      // 2. A minute of c's card with an approval it never had.
      await tx`update card_velocity_minutes set approvals = approvals + 1 where workspace_id = ${w} and card_id = ${c.card.id}`
      // 3. A kind of a's with a credit no message made.
      await tx`update card_spend_kinds set credits = credits + 2 where workspace_id = ${w} and account_id = ${a.account.id}`
      // 4. b names a window listing groceries, but is no longer kept by kind.
      await tx`delete from card_spend_kinds_kept where workspace_id = ${w} and account_id = ${b.account.id}`
      // 5. A kind kept of c, which names no such window: named even when it sums to nothing.
      await tx`insert into card_spend_kinds (workspace_id, account_id, day, mcc, sub_type, debits, credits) values (${w}, ${c.account.id}, ${dayC.day}, '5411', '', 0, 0)`
    })
    const faulty = await check(w)
    assert.equal(faulty.code, 1, faulty.stdout + faulty.stderr)
    const expected = [
      `account ${c.account.id}: card spend day ${dayC.day} kept 71/0 (debits/credits) but its card messages make 70/0`,
      `card ${c.card.id}: minute ${minuteC.minute} kept 2 approvals but its card messages make 1`,
      `account ${a.account.id}: card spend day ${kindA.day} MCC 5411, sub-type ${subType} kept 140/2 (debits/credits) but its card messages make 140/0`,
      `account ${b.account.id}: names a rolling window that lists MCCs or sub-types, but its card spend is not kept by kind`,
      `account ${c.account.id}: card spend day ${dayC.day} MCC 5411, sub-type none kept 0/0 (debits/credits), but the account is not kept by kind`,
    ]
    assert.deepEqual([...JSON.parse(faulty.stdout).discrepancies].sort(), [...expected].sort())
    // The same from the library, and nothing of another workspace.
    assert.deepEqual([...(await auditCardSpend(h.sql, w)).discrepancies].sort(), [...expected].sort())
    assert.deepEqual((await auditCardSpend(h.sql, h.workspaces.b)).discrepancies, [])
    // The text report says what it checked, and exits 1 too.
    const text = await check(w, false)
    assert.equal(text.code, 1, text.stdout + text.stderr)
    assert.match(text.stdout, /3 approved card messages/)
    assert.match(text.stdout, /5 discrepancies:/)
  })
})
