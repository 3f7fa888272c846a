// The spend days a controlled account's windows are read from (ledger_spend_days, migration 1670)
// are the same whichever way they were made: kept by the triggers as payments, holds, captures and
// cancellations land; made by migration 1670's backfill from the records of a database that had them
// before it; made by ledger_refresh_gates when an account comes to have controls. The ledger's audit
// compares each with what the records make.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { auditLedger } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, openAccount, transfer } from '../support/accounts.js'
import { spendControl } from '../card-authorization/support.js'
import { advanceTo, customer, originate } from '../ach/support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

type Day = { account_id: string; day: string; kind: string; type: string; debits: string; credits: string }
const daysOf = async (accounts: string[]): Promise<Day[]> => [...await h.sql<Day[]>`
  select account_id, day::text, kind, type, debits::text, credits::text from ledger_spend_days
  where account_id = any(${accounts}::uuid[]) order by account_id, day, kind, type`]

/** Migration 1670's last statement: the backfill of the accounts that had controls before it. */
function backfill(): string {
  const text = readFileSync(join(import.meta.dirname, '../../migrations/1670_ledger_spend_days.sql'), 'utf8')
  const start = text.lastIndexOf('do $$')
  assert.ok(start > 0, 'the migration ends with its backfill')
  return text.slice(start)
}

describe('spend days', () => {
  it('are the same kept by the triggers, made by the backfill, and made when an account gains controls', async () => {
    const funding = await fundingAccount(h)
    const sc = await spendControl(h, { amount_limit: 1_000_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } })
    const controlled = await openAccount(h, { spend_control_ids: [sc.id] })
    const later = await openAccount(h)
    const send = async (from: string, to: string, amount: number, extra: Record<string, unknown> = {}) => {
      const res = await transfer(h, { amount, originating_account_id: from, receiving_account_id: to, ...extra })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      return res.body
    }
    const complete = async (id: string) => {
      const res = await h.request('PATCH', `/v0/transactions/internal_transfer/${id}`, { body: { status: 'COMPLETE' } })
      assert.equal(res.status, 200, JSON.stringify(res.body))
    }
    for (const account of [controlled, later]) {
      await send(funding.id, account.id, 50_000)
      await send(account.id, funding.id, 1_200)
      const held = await send(account.id, funding.id, 3_000, { capture_mode: 'MANUAL' })
      await complete(held.id)
      await send(account.id, funding.id, 700, { capture_mode: 'MANUAL' })
      const canceled = await send(account.id, funding.id, 400, { capture_mode: 'MANUAL' })
      const res = await h.request('PATCH', `/v0/transactions/internal_transfer/${canceled.id}`, { body: { status: 'CANCELED' } })
      assert.equal(res.status, 200, JSON.stringify(res.body))
    }
    const kept = await daysOf([controlled.id])
    assert.deepEqual(kept.map((d) => [d.kind, d.type, d.debits, d.credits]), [['INTERNAL_TRANSFER', 'ACCOUNT_TO_ACCOUNT', '4900', '50000']],
      'debits: 1,200 posted, 3,000 held then completed, 700 still held; the canceled hold counts nowhere')
    assert.deepEqual(await daysOf([later.id]), [], 'none kept for an account without controls')

    // Made again from the records, as the migration makes them for a database that had controls before it.
    await h.sql`delete from ledger_spend_days where account_id = ${controlled.id}`
    await h.sql.unsafe(backfill())
    assert.deepEqual(await daysOf([controlled.id]), kept)

    // Made when the account comes to have controls, from the records it already has.
    const res = await h.request('PATCH', `/v0/accounts/${later.id}`, { body: { account_type: 'CHECKING', spend_control_ids: [sc.id] } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual((await daysOf([later.id])).map((d) => [d.kind, d.type, d.debits, d.credits]), [['INTERNAL_TRANSFER', 'ACCOUNT_TO_ACCOUNT', '4900', '50000']])
    // And dropped when it has none left.
    const detached = await h.request('PATCH', `/v0/accounts/${later.id}`, { body: { account_type: 'CHECKING', spend_control_ids: [] } })
    assert.equal(detached.status, 200, JSON.stringify(detached.body))
    assert.deepEqual(await daysOf([later.id]), [])
    assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  })
  it('count an ACH debit not yet settled as money in on the day it was promised, until it is canceled or posts', async () => {
    const sc = await spendControl(h, { amount_limit: 1_000_000, direction: 'CREDITS', time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } })
    const c = await customer(h, 0, { terms: { spend_control_ids: [sc.id] } })
    const later = await customer(h, 0)
    const promised = (days: Day[]) => days.filter((d) => d.type === 'ACH.OUTGOING_DEBIT').map((d) => d.credits)
    const debits = []
    for (const who of [c, later]) {
      for (const amount of [700, 300]) {
        const res = await originate(h, who, { amount, dc_sign: 'debit' })
        assert.equal(res.status, 201, JSON.stringify(res.body))
        debits.push(res.body.id)
      }
    }
    assert.deepEqual(promised(await daysOf([c.account.id])), ['1000'])
    assert.deepEqual(await daysOf([later.account.id]), [], 'none kept for an account without controls')
    const attached = await h.request('PATCH', `/v0/accounts/${later.account.id}`, { body: { account_type: 'CHECKING', spend_control_ids: [sc.id] } })
    assert.equal(attached.status, 200, JSON.stringify(attached.body))
    assert.deepEqual(promised(await daysOf([later.account.id])), ['1000'], 'made with the promises that stand')
    // A canceled debit's promise ends; the other is kept when it settles, and counts as its posted entry.
    const canceled = await h.request('PATCH', `/v0/ach/${debits[0]}`, { body: { status: 'CANCELED' } })
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body))
    assert.deepEqual(promised(await daysOf([c.account.id])), ['300'])
    const clock = await h.request('GET', '/v0/sandbox/clock')
    await advanceTo(h, new Date(Date.parse(clock.body.now) + 4 * 24 * 3600_000).toISOString())
    const [{ standing }] = await h.sql<{ standing: number }[]>`select count(*)::int as standing from ledger_promises where account_id = any(${[c.account.id, later.account.id]}::uuid[])`
    assert.equal(standing, 0, 'every debit settled or canceled')
    const days = await daysOf([c.account.id])
    assert.equal(days.filter((d) => d.type === 'ACH.OUTGOING_DEBIT').reduce((sum, d) => sum + Number(d.credits), 0), 300, 'the settled 300, once')
    assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  })
})
