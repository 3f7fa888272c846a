// A MANUAL transfer's hold past its expires_at, met by a read before the expiry worker has run:
// the read shows it EXPIRED and its funds available, and writes nothing (reads never write). A
// write that meets it (a transfer, an account change) expires it in its own transaction. The clock
// is injected and the worker never runs here.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { auditLedger } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { balanceOf, balances, fundingAccount, openAccount, transfer } from '../support/accounts.js'

let h: Harness
let now = Date.parse('2031-03-01T12:00:00Z')
const clock = { now: () => new Date(now) }
before(async () => { h = await startHarness({ clock }) })
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

const minuteMs = 60_000

/** Two fresh accounts, the first funded with `funds`, and a MANUAL hold of `amount` from it due in a minute. */
async function heldTransfer(funds: number, amount: number): Promise<{ from: any; to: any; hold: any; expiresAt: number }> {
  const funding = await fundingAccount(h)
  const from = await openAccount(h)
  const to = await openAccount(h)
  assert.equal((await transfer(h, { amount: funds, originating_account_id: funding.id, receiving_account_id: from.id })).status, 200)
  const expiresAt = now + minuteMs
  const hold = await transfer(h, { amount, capture_mode: 'MANUAL', expires_at: new Date(expiresAt).toISOString(), originating_account_id: from.id, receiving_account_id: to.id })
  assert.equal(hold.status, 200, JSON.stringify(hold.body))
  assert.equal(hold.body.status, 'PENDING')
  return { from, to, hold: hold.body, expiresAt }
}

const stored = async (id: string) => {
  const [row] = await h.sql<{ transfer: string; hold: string }[]>`
    select t.status as transfer, hl.status as hold from ledger_transfers t join ledger_holds hl on hl.workspace_id = t.workspace_id and hl.id = t.id where t.id = ${id}`
  return row
}
const updates = async (id: string) => (await h.sql`select 1 from events where resource_id = ${id} and type = 'TRANSACTION.PENDING.UPDATED'`).length

describe('a hold past its expiry, read before the worker runs', () => {
  it('is PENDING until expires_at and EXPIRED from then on, through GET internal_transfer', async () => {
    const { from, hold, expiresAt } = await heldTransfer(100, 30)
    now = expiresAt - 1
    assert.equal((await h.request('GET', `/v0/transactions/internal_transfer/${hold.id}`)).body.status, 'PENDING')
    assert.deepEqual(await stored(hold.id), { transfer: 'PENDING', hold: 'PENDING' })
    now = expiresAt
    const got = await h.request('GET', `/v0/transactions/internal_transfer/${hold.id}`)
    assert.equal(got.status, 200)
    assert.equal(got.body.status, 'EXPIRED')
    assert.deepEqual(await stored(hold.id), { transfer: 'PENDING', hold: 'PENDING' })
    assert.equal(await updates(hold.id), 0)
    assert.deepEqual(await balances(h, from.id), { posted: 100, available: 100 })
  })

  it('shows EXPIRED through GET pending/{id}, with the funds given back', async () => {
    const { from, hold, expiresAt } = await heldTransfer(100, 40)
    now = expiresAt + minuteMs
    const got = await h.request('GET', `/v0/transactions/pending/${hold.id}`)
    assert.equal(got.status, 200)
    assert.deepEqual([got.body.data.status, got.body.data.operation, got.body.data.available_balance], ['EXPIRED', 'hold_expire', 100])
    assert.deepEqual(await stored(hold.id), { transfer: 'PENDING', hold: 'PENDING' })
    assert.deepEqual(await balances(h, from.id), { posted: 100, available: 100 })
  })

  it('lists it as EXPIRED, and a status filter sees it as it is', async () => {
    const { from, hold, expiresAt } = await heldTransfer(100, 25)
    now = expiresAt + 1
    const pending = await h.request('GET', `/v0/transactions/pending?account_id=${from.id}&status=PENDING`)
    assert.equal(pending.status, 200)
    assert.deepEqual(pending.body.result, [])
    const expired = await h.request('GET', `/v0/transactions/pending?account_id=${from.id}&status=EXPIRED`)
    assert.deepEqual(expired.body.result.map((p: any) => [p.uuid, p.data.status]), [[hold.id, 'EXPIRED']])
    assert.equal(await updates(hold.id), 0)
  })

  it('is shown expired by a workspace-wide pending list too', async () => {
    const { hold, expiresAt } = await heldTransfer(100, 26)
    now = expiresAt + 1
    const all = await h.request('GET', '/v0/transactions/pending?status=EXPIRED&limit=100')
    assert.equal(all.status, 200)
    assert.ok(all.body.result.some((p: any) => p.uuid === hold.id))
    assert.deepEqual(await stored(hold.id), { transfer: 'PENDING', hold: 'PENDING' })
  })

  it('no longer counts in the balances of GET accounts/{id}, the first read to meet it', async () => {
    const { from, to, hold, expiresAt } = await heldTransfer(100, 60)
    assert.deepEqual(await balances(h, from.id), { posted: 100, available: 40 })
    now = expiresAt + 1
    assert.deepEqual(await balances(h, from.id), { posted: 100, available: 100 })
    assert.deepEqual(await balances(h, to.id), { posted: 0, available: 0 })
    assert.deepEqual(await stored(hold.id), { transfer: 'PENDING', hold: 'PENDING' })
  })

  it('no longer counts in the balances of GET accounts (the list)', async () => {
    const { from, hold, expiresAt } = await heldTransfer(100, 61)
    now = expiresAt + 1
    const list = await h.request('GET', `/v0/accounts?id=${from.id}`)
    assert.equal(list.status, 200)
    assert.deepEqual(list.body.accounts.map((a: any) => [balanceOf(a, 'ACCOUNT_BALANCE'), balanceOf(a, 'AVAILABLE_BALANCE')]), [[100, 100]])
    assert.deepEqual(await stored(hold.id), { transfer: 'PENDING', hold: 'PENDING' })
  })

  it('no longer counts in an internal account\'s balances', async () => {
    const funding = await fundingAccount(h)
    const to = await openAccount(h)
    const opening = balanceOf(funding, 'AVAILABLE_BALANCE')
    const hold = await transfer(h, { amount: 500, capture_mode: 'MANUAL', expires_at: new Date(now + minuteMs).toISOString(), originating_account_id: funding.id, receiving_account_id: to.id })
    assert.equal(hold.status, 200)
    const held = (await h.request('GET', `/v0/internal_accounts/${funding.id}`)).body
    assert.equal(balanceOf(held, 'AVAILABLE_BALANCE'), opening - 500)
    now += minuteMs
    const one = (await h.request('GET', `/v0/internal_accounts/${funding.id}`)).body
    assert.equal(balanceOf(one, 'AVAILABLE_BALANCE'), opening)
    assert.deepEqual(await stored(hold.body.id), { transfer: 'PENDING', hold: 'PENDING' })
    const hold2 = await transfer(h, { amount: 7, capture_mode: 'MANUAL', expires_at: new Date(now + minuteMs).toISOString(), originating_account_id: funding.id, receiving_account_id: to.id })
    now += minuteMs
    const listed = (await h.request('GET', '/v0/internal_accounts')).body.internal_accounts.find((a: any) => a.id === funding.id)
    assert.equal(balanceOf(listed, 'AVAILABLE_BALANCE'), opening)
    assert.deepEqual(await stored(hold2.body.id), { transfer: 'PENDING', hold: 'PENDING' })
  })

  it('frees the funds for the next transfer once a read has met it', async () => {
    const { from, to, expiresAt } = await heldTransfer(100, 70)
    assert.equal((await transfer(h, { amount: 100, originating_account_id: from.id, receiving_account_id: to.id })).body.code, 'INSUFFICIENT_FUNDS')
    now = expiresAt
    await balances(h, from.id)
    const spent = await transfer(h, { amount: 100, originating_account_id: from.id, receiving_account_id: to.id })
    assert.equal(spent.status, 200, JSON.stringify(spent.body))
    assert.deepEqual(await balances(h, from.id), { posted: 0, available: 0 })
  })

  it('is shown expired by many reads at once, none of which writes', async () => {
    const { from, hold, expiresAt } = await heldTransfer(100, 35)
    now = expiresAt + 1
    const reads = await Promise.all([
      ...[1, 2, 3].map(() => h.request('GET', `/v0/transactions/internal_transfer/${hold.id}`)),
      ...[1, 2, 3].map(() => h.request('GET', `/v0/transactions/pending/${hold.id}`)),
      ...[1, 2, 3].map(() => h.request('GET', `/v0/accounts/${from.id}`)),
    ])
    for (const r of reads) assert.equal(r.status, 200, JSON.stringify(r.body))
    for (const r of reads.slice(0, 3)) assert.equal(r.body.status, 'EXPIRED')
    for (const r of reads.slice(3, 6)) assert.equal(r.body.data.status, 'EXPIRED')
    for (const r of reads.slice(6)) assert.equal(balanceOf(r.body, 'AVAILABLE_BALANCE'), 100)
    assert.equal(await updates(hold.id), 0)
  })

  it('refuses a COMPLETE after a read has expired it', async () => {
    const { from, hold, expiresAt } = await heldTransfer(100, 20)
    now = expiresAt + 1
    assert.equal((await h.request('GET', `/v0/transactions/internal_transfer/${hold.id}`)).body.status, 'EXPIRED')
    const late = await h.request('PATCH', `/v0/transactions/internal_transfer/${hold.id}`, { body: { status: 'COMPLETE' } })
    assert.deepEqual([late.status, late.body.code], [422, 'INVALID_STATUS'])
    assert.deepEqual(await balances(h, from.id), { posted: 100, available: 100 })
  })

  // The posting path releases the due holds of the accounts it locks, in the batch's transaction.
  it('frees the funds for a transfer that no read has preceded, and records the release', async () => {
    const { from, to, hold, expiresAt } = await heldTransfer(100, 70)
    now = expiresAt
    const spent = await transfer(h, { amount: 100, originating_account_id: from.id, receiving_account_id: to.id })
    assert.equal(spent.status, 200, JSON.stringify(spent.body))
    const [row] = await h.sql<{ status: string }[]>`select status from ledger_holds where id = ${hold.id}`
    assert.equal(row.status, 'EXPIRED')
    const events = await h.sql<{ type: string; resource_view: string | null }[]>`select type, resource_view from events where resource_id = ${hold.id} order by id`
    assert.deepEqual(events.map((e) => [e.type, e.resource_view]), [['TRANSACTION.PENDING.CREATED', 'pending_transaction_created'], ['TRANSACTION.PENDING.UPDATED', 'pending_transaction']])
    const pending = await h.request('GET', `/v0/transactions/pending/${hold.id}`)
    assert.deepEqual([pending.body.data.status, pending.body.data.operation], ['EXPIRED', 'hold_expire'])
    assert.deepEqual(await balances(h, from.id), { posted: 0, available: 0 })
  })

  it('is released by initiate_closure and account PATCHes before their checks', async () => {
    for (const close of ['initiate_closure', 'patch'] as const) {
      const { from, to, hold, expiresAt } = await heldTransfer(100, 70)
      // Move the funds away but the held 70, then let the hold pass its expiry.
      assert.equal((await transfer(h, { amount: 30, originating_account_id: from.id, receiving_account_id: to.id })).status, 200)
      const early = await h.request('PATCH', `/v0/accounts/${from.id}`, { body: { status: 'CLOSED' } })
      assert.deepEqual([early.status, early.body.code], [422, 'BALANCE_VIOLATION'])
      assert.match(early.body.detail, /70 posted and 70 held/)
      now = expiresAt
      if (close === 'initiate_closure') {
        // What is left (70, no longer held) is swept to the destination, and the account closes.
        const res = await h.request('POST', `/v0/accounts/${from.id}/initiate_closure`, {
          body: { reason: 'CUSTOMER_REQUEST_TRANSFER', reason_details: 'moving', payment_method: 'INTERNAL_TRANSFER_TO_CUSTOMER_ACCOUNT', destination_id: to.id },
        })
        assert.equal(res.status, 200, JSON.stringify(res.body))
        assert.equal(res.body.status, 'CLOSED')
      } else {
        // The check no longer counts the hold (a refused PATCH changes nothing, the release included)…
        const refused = await h.request('PATCH', `/v0/accounts/${from.id}`, { body: { status: 'CLOSED' } })
        assert.deepEqual([refused.status, refused.body.code], [422, 'BALANCE_VIOLATION'])
        assert.match(refused.body.detail, /70 posted and 0 held/)
        // …and an accepted one commits the release with its change.
        const renamed = await h.request('PATCH', `/v0/accounts/${from.id}`, { body: { nickname: 'savings' } })
        assert.equal(renamed.status, 200, JSON.stringify(renamed.body))
        assert.equal(balanceOf(renamed.body, 'AVAILABLE_BALANCE'), 70)
      }
      const [row] = await h.sql<{ status: string }[]>`select status from ledger_holds where id = ${hold.id}`
      assert.equal(row.status, 'EXPIRED', close)
      const events = await h.sql<{ type: string }[]>`select type from events where resource_id = ${hold.id} and type = 'TRANSACTION.PENDING.UPDATED'`
      assert.equal(events.length, 1, close)
    }
  })

  it('leaves a hold before its expiry reserved for a transfer in the same instant', async () => {
    const { from, to, expiresAt } = await heldTransfer(100, 70)
    now = expiresAt - 1
    const spent = await transfer(h, { amount: 100, originating_account_id: from.id, receiving_account_id: to.id })
    assert.deepEqual([spent.status, spent.body.code], [422, 'INSUFFICIENT_FUNDS'])
  })
})
