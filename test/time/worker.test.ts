// The live worker's day close, run by two workers at once over the same days: each account is
// accrued, paid and charged once per day and month, and a catch-up after downtime charges nothing
// twice. Also the per-transaction fee function a rail calls, in a linked group and when funds are short.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { WorkspaceClock } from '../../src/platform/clock.js'
import { createLogger } from '../../src/platform/logger.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { applyInTransaction, auditLedger, expiredStatements, type LedgerCommand } from '../../src/ledger/index.js'
import { getAccount } from '../../src/accounts/index.js'
import { recordOwed, transactionFees } from '../../src/fees/index.js'
import { closeDueDays, dayCloseRound } from '../../src/statements/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { balances, fundingAccount, openAccount, transfer } from '../support/accounts.js'

let baseMs = Date.parse('2032-04-29T15:00:00Z')
// What the day close rounds log (their failures, each naming its workspace).
const logged: string[] = []
const log = createLogger('error', new Writable({ write(chunk, _enc, done) { logged.push(String(chunk)); done() } }))
let h: Harness
before(async () => { h = await startHarness({ clock: new WorkspaceClock(() => baseMs) }) })
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

const product = async (key: string, body: unknown) => {
  const res = await h.request('POST', '/v0/accounts/products', { body, key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body.id as string
}

describe('the live day close', () => {
  it('closes each day once with two workers at once, and catches up after downtime without charging twice', async () => {
    const ws = await h.newWorkspace('worker', 'sandbox')
    const interestId = await product(ws.key, { product_type: 'INTEREST', calculation_method: 'COMPOUNDED_MONTHLY', accrual_payout_schedule: 'MONTHLY', rates: [{ accrual_period: 'DAILY', rate: 200, valid_from: '2032-01-01' }] })
    const feeId = await product(ws.key, { product_type: 'FEE', fee_type: 'MONTHLY_FEE', amount: 300, currency: 'USD' })
    const account = await openAccount(h, { interest_product_id: interestId, fee_product_ids: [feeId] }, ws.key)
    const funding = await fundingAccount(h, ws.key)
    assert.equal((await transfer(h, { amount: 5_000_000, originating_account_id: funding.id, receiving_account_id: account.id }, { key: ws.key })).status, 200)

    const counts = async () => {
      const [row] = await h.sql`select
        (select count(*)::int from ledger_transfers where workspace_id = ${ws.id} and kind = 'FEE') as fees,
        (select count(*)::int from ledger_transfers where workspace_id = ${ws.id} and kind = 'INTEREST') as payouts,
        (select count(*)::int from statements where workspace_id = ${ws.id}) as statements,
        (select count(*)::int from time_account_days where workspace_id = ${ws.id}) as days,
        (select count(*)::int from events where workspace_id = ${ws.id} and type = 'STATEMENT.CREATED') as events`
      return row
    }
    // Two days end (29 and 30 April, a month end): both workers run them at once.
    baseMs = Date.parse('2032-05-01T12:00:00Z')
    await Promise.all([dayCloseRound(h.sql, h.services.clock, log), dayCloseRound(h.sql, h.services.clock, log)])
    assert.deepEqual(await counts(), { fees: 1, payouts: 1, statements: 1, days: 2, events: 1 })
    // Running again changes nothing.
    await Promise.all([dayCloseRound(h.sql, h.services.clock, log), dayCloseRound(h.sql, h.services.clock, log)])
    assert.deepEqual(await counts(), { fees: 1, payouts: 1, statements: 1, days: 2, events: 1 })
    // Down for a month: the next runs close every day since, in order, each once.
    baseMs = Date.parse('2032-06-03T12:00:00Z')
    await Promise.all([dayCloseRound(h.sql, h.services.clock, log), dayCloseRound(h.sql, h.services.clock, log), dayCloseRound(h.sql, h.services.clock, log)])
    assert.deepEqual(await counts(), { fees: 2, payouts: 2, statements: 2, days: 2 + 31 + 2, events: 2 })
    const fees = await h.sql`select amount from ledger_transfers where workspace_id = ${ws.id} and kind = 'FEE' order by created_at`
    // April: 2 of 30 days held → 300 × 2/30 = 20; May in full.
    assert.deepEqual(fees.map((f) => f.amount), [20n, 300n])
  })

  it('goes on in every other workspace when one workspace\'s day close fails, and closes its days once it can', async () => {
    // Named so that the stuck one comes first (workspaces are closed in name order).
    const [stuck, fine] = [await h.newWorkspace('worker-a-stuck', 'sandbox'), await h.newWorkspace('worker-b-fine', 'sandbox')]
    for (const ws of [stuck, fine]) {
      const interestId = await product(ws.key, { product_type: 'INTEREST', calculation_method: 'COMPOUNDED_DAILY', accrual_payout_schedule: 'MONTHLY', rates: [{ accrual_period: 'DAILY', rate: 300, valid_from: '2032-01-01' }] })
      const account = await openAccount(h, { interest_product_id: interestId }, ws.key)
      assert.equal((await transfer(h, { amount: 100_000, originating_account_id: (await fundingAccount(h, ws.key)).id, receiving_account_id: account.id }, { key: ws.key })).status, 200)
    }
    const days = async (workspaceId: string) => (await h.sql<{ n: number }[]>`select count(*)::int as n from time_account_days where workspace_id = ${workspaceId}`)[0].n
    // A fault planted in one workspace's day close: its accounts' day rows cannot be written.
    await h.sql.unsafe(`create function test_stuck_day() returns trigger language plpgsql as $$
      begin if new.workspace_id = '${stuck.id}' then raise exception 'planted'; end if; return new; end $$`)
    await h.sql`create trigger test_stuck_day before insert on time_account_days for each row execute function test_stuck_day()`
    baseMs += 2 * 86_400_000
    try {
      logged.length = 0
      await dayCloseRound(h.sql, h.services.clock, log)
      assert.deepEqual(logged.map((l) => JSON.parse(l).workspace), [stuck.id], logged.join(''))
      assert.ok((await days(fine.id)) >= 2, 'the other workspace closed its days')
      assert.equal(await days(stuck.id), 0)
    } finally {
      await h.sql`drop trigger test_stuck_day on time_account_days`
      await h.sql`drop function test_stuck_day()`
    }
    // Once the fault is gone, the next round closes the stuck workspace's days, and nothing twice.
    const fineDays = await days(fine.id)
    await dayCloseRound(h.sql, h.services.clock, log)
    assert.equal(await days(stuck.id), fineDays)
    assert.equal(await days(fine.id), fineDays)
  })
})

describe('per-transaction fees', () => {
  it('go in the rail\'s linked group, and are owed when the account cannot pay them', async () => {
    const ws = await h.newWorkspace('per-transaction', 'sandbox')
    const achFee = await product(ws.key, { product_type: 'FEE', fee_type: 'ACH_FEE', amount: 150, currency: 'USD' })
    const monthly = await product(ws.key, { product_type: 'FEE', fee_type: 'MONTHLY_FEE', amount: 999, currency: 'USD' })
    const opened = await openAccount(h, { fee_product_ids: [achFee, monthly] }, ws.key)
    const funding = await fundingAccount(h, ws.key)
    assert.equal((await transfer(h, { amount: 1_000, originating_account_id: funding.id, receiving_account_id: opened.id }, { key: ws.key })).status, 200)
    const account = (await getAccount(h.sql, ws.id, opened.id))!
    const now = h.services.clock.now(ws.id)
    // A movement out of the account (as ACH would make it), with its fee in the same group.
    const principal = (amount: bigint): LedgerCommand => ({
      id: uuidv7(), kind: 'post', legs: [{ accountId: opened.id, amount: -amount, currency: 'USD' }, { accountId: funding.id, amount, currency: 'USD' }],
      meta: { kind: 'TEST_RAIL', type: 'OUTGOING' },
    })
    const first = await h.sql.begin(async (tx) => {
      const fees = await transactionFees(tx, { workspaceId: ws.id, account, feeType: 'ACH_FEE', currency: 'USD', causeId: uuidv7(), now })
      assert.equal(fees.commands.length, 1, 'only the ACH fee product applies')
      const [result] = await applyInTransaction(tx, [{ workspaceId: ws.id, now, partnerVerified: true, commands: [principal(500n), ...fees.commands] }], { expiredStatements, nowOf: () => now })
      return result
    })
    assert.ok(first.ok)
    assert.equal(first.transfers[1].group_id, first.transfers[0].id, 'one linked group')
    assert.deepEqual(first.transfers[1].details.is_fee, true)
    assert.equal((await balances(h, opened.id, ws.key)).posted, 1_000 - 500 - 150)
    const posted = await h.request('GET', `/v0/transactions/posted?account_id=${opened.id}`, { key: ws.key })
    const feeView = posted.body.result.find((t: any) => t.uuid === first.transfers[1].id)
    assert.ok(feeView.data.lines.every((l: any) => l.is_fee === true))

    // 350 left: a 300 movement and its 150 fee do not fit. The group is refused at the fee; the rail
    // posts the movement alone and records the fee owed.
    await h.sql.begin(async (tx) => {
      const fees = await transactionFees(tx, { workspaceId: ws.id, account, feeType: 'ACH_FEE', currency: 'USD', causeId: uuidv7(), now })
      const move = principal(300n)
      const [refused] = await applyInTransaction(tx, [{ workspaceId: ws.id, now, partnerVerified: true, commands: [move, ...fees.commands] }], { expiredStatements, nowOf: () => now })
      assert.ok(!refused.ok && refused.code === 'insufficient_funds' && refused.index === 1, JSON.stringify(refused))
      const [alone] = await applyInTransaction(tx, [{ workspaceId: ws.id, now, partnerVerified: true, commands: [{ ...move, id: uuidv7() }] }], { expiredStatements, nowOf: () => now })
      assert.ok(alone.ok)
      await recordOwed(tx, fees.owedIfRefused, now)
    })
    assert.equal((await balances(h, opened.id, ws.key)).posted, 50)
    // Funds arrive; the day's close collects the fee, and never below the floor.
    assert.equal((await transfer(h, { amount: 100, originating_account_id: funding.id, receiving_account_id: opened.id }, { key: ws.key })).status, 200)
    baseMs += 86_400_000
    await closeDueDays(h.sql, h.services.clock, ws.id)
    assert.equal((await balances(h, opened.id, ws.key)).posted, 0)
    const owed = await h.sql`select fee_type, amount, remaining from fees_owed where workspace_id = ${ws.id}`
    assert.deepEqual(owed.map((o) => [o.fee_type, o.amount, o.remaining]), [['ACH_FEE', 150n, 0n]])
  })
})
