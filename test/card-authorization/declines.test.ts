// Declined card messages in the transaction views: the ledger records each as a DECLINED hold that
// reserves nothing (a `decline` record), so /v0/transactions/pending lists it with its reason, its
// filters and paging find it, and GET by id reads it, while balances, expiry and the audit ignore it.
// Every response is checked against the spec by the harness.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { auditLedger } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { authorize, available, booksDiscrepancies, fundedCard, simulate, spendControl } from './support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  assert.deepEqual(await booksDiscrepancies(h), [])
  await h.close()
})

const pendingOf = async (id: string) => {
  const res = await h.request('GET', `/v0/transactions/pending/${id}`)
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body
}
const list = async (query: string) => {
  const res = await h.request('GET', `/v0/transactions/pending?${query}`)
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body
}
const advance = async (by: string) => assert.equal((await h.request('POST', '/v0/sandbox/clock/advance', { body: { by } })).status, 200)

/** Asserts a declined answer and its listed hold: DECLINED, hold_decline, the reason, nothing reserved; returns the hold. */
async function declinedHold(res: { status: number; body: any }, reason: string, requested: number, cardId: string) {
  assert.equal(res.status, 201, JSON.stringify(res.body))
  const t = res.body.transaction
  assert.equal(t.state, 'DECLINED')
  assert.equal(t.decline_reason, reason)
  assert.equal(t.amount, 0)
  assert.ok(t.pending_transaction_id, 'a declined message names its declined hold')
  const p = await pendingOf(t.pending_transaction_id)
  assert.equal(p.uuid, t.pending_transaction_id)
  assert.equal(p.reference_id, t.token)
  assert.equal(p.data.status, 'DECLINED')
  assert.equal(p.data.operation, 'hold_decline')
  assert.equal(p.data.reason, reason)
  assert.equal(p.data.amount, 0)
  assert.equal(p.data.total_amount, 0)
  assert.equal(p.data.req_amount, requested)
  assert.equal(p.data.network, 'CARD')
  assert.equal(p.data.external_data.card_id, cardId)
  assert.equal(p.data.external_data.transaction_token, t.token)
  return p
}

describe('declined authorizations in /v0/transactions/pending', () => {
  it('insufficient funds (the ledger refuses the hold): listed DECLINED with its reason; nothing held', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const p = await declinedHold(await authorize(h, card.id, 1_500), 'INSUFFICIENT_FUNDS', 1_500, card.id)
    assert.equal(p.account_id, account.id)
    assert.equal(p.data.available_balance, 1_000)
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 1_000 })
    // A PIN debit and an ATM withdrawal the funds cannot cover are declines too.
    await declinedHold(await simulate(h, 'financial', { card_id: card.id, amount: 5_000, mid: 'M', card_acceptor: { mcc: '5411' } }), 'INSUFFICIENT_FUNDS', 5_000, card.id)
    await declinedHold(await simulate(h, 'financial/withdrawal', { card_id: card.id, amount: 6_000, mid: 'ATM-1' }), 'INSUFFICIENT_FUNDS', 6_000, card.id)
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 1_000 })
  })

  it('a spend control: per transaction (decided before the batch) and a rolling window (under the spend lock)', async () => {
    const single = await spendControl(h, { name: 'per transaction', amount_limit: 500 })
    const { card, account } = await fundedCard(h, 10_000, { spendControlIds: [single.id] })
    await declinedHold(await authorize(h, card.id, 600), 'SPEND_CONTROL_VIOLATION', 600, card.id)
    const window = await spendControl(h, { name: 'a day', amount_limit: 1_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 1 } })
    const other = await fundedCard(h, 10_000, { spendControlIds: [window.id] })
    assert.equal((await authorize(h, other.card.id, 800)).body.transaction.state, 'PENDING')
    await declinedHold(await authorize(h, other.card.id, 300), 'SPEND_CONTROL_VIOLATION', 300, other.card.id)
    assert.deepEqual(await available(h, other.account.id), { posted: 10_000, available: 9_200 })
    assert.deepEqual(await available(h, account.id), { posted: 10_000, available: 10_000 })
  })

  it('a declined original credit is listed as the credit it would have been', async () => {
    const control = await spendControl(h, { name: 'credits', amount_limit: 100, direction: 'CREDITS' })
    const { card, account } = await fundedCard(h, 1_000, { spendControlIds: [control.id] })
    const p = await declinedHold(await simulate(h, 'financial/original_credit', { card_id: card.id, amount: 500, mid: 'M', type: 'person_to_person' }), 'SPEND_CONTROL_VIOLATION', 500, card.id)
    assert.equal(p.data.dc_sign, 'credit')
    const purchase = await declinedHold(await authorize(h, card.id, 5_000), 'INSUFFICIENT_FUNDS', 5_000, card.id)
    assert.equal(purchase.data.dc_sign, 'debit')
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 1_000 })
  })

  it('a credit past the account\'s balance ceiling is declined BALANCE_VIOLATION, as the ledger refuses it', async () => {
    const { card, account } = await fundedCard(h, 900)
    const patched = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { account_type: account.account_type, balance_ceiling: { balance: 1_000 } } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    await declinedHold(await simulate(h, 'financial/original_credit', { card_id: card.id, amount: 500, mid: 'M', type: 'person_to_person' }), 'BALANCE_VIOLATION', 500, card.id)
    assert.deepEqual(await available(h, account.id), { posted: 900, available: 900 })
  })

  it('an inactive card; an incremental authorization of a declined one is refused', async () => {
    const { card } = await fundedCard(h, 1_000)
    assert.equal((await h.request('PATCH', `/v0/cards/${card.id}`, { body: { card_status: 'SUSPENDED' } })).status, 200)
    const res = await authorize(h, card.id, 100)
    await declinedHold(res, 'CARD_NOT_ACTIVE', 100, card.id)
    assert.equal((await h.request('PATCH', `/v0/cards/${card.id}`, { body: { card_status: 'ACTIVE' } })).status, 200)
    const increment = await authorize(h, card.id, 50, { transaction_options: { transaction_id: res.body.transaction.token } })
    assert.equal(increment.status, 400, JSON.stringify(increment.body))
    const clearing = await simulate(h, 'clearing', { original_transaction_id: res.body.transaction.token, amount: 100 })
    assert.equal(clearing.status, 400, JSON.stringify(clearing.body))
  })

  it('the filters and paging of the list find declines; a keyed retry records one decline', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const approved = (await authorize(h, card.id, 400)).body.transaction
    const key = 'decline-once'
    const first = await authorize(h, card.id, 5_000)
    const keyed = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { headers: { 'idempotency-key': key }, body: { card_id: card.id, amount: 7_000, mid: 'MID-1' } })
    const replay = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { headers: { 'idempotency-key': key }, body: { card_id: card.id, amount: 7_000, mid: 'MID-1' } })
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    assert.deepEqual(replay.body, keyed.body)
    const declined = [first.body.transaction.pending_transaction_id, keyed.body.transaction.pending_transaction_id]

    const byCard = await list(`card_id=${card.id}`)
    assert.deepEqual(new Set(byCard.result.map((p: any) => p.uuid)), new Set([approved.pending_transaction_id, ...declined]))
    const onlyDeclined = await list(`card_id=${card.id}&status=DECLINED`)
    assert.deepEqual(onlyDeclined.result.map((p: any) => p.uuid).sort(), [...declined].sort())
    assert.ok(onlyDeclined.result.every((p: any) => p.data.status === 'DECLINED' && p.data.reason === 'INSUFFICIENT_FUNDS'))
    assert.deepEqual((await list(`card_id=${card.id}&status=PENDING`)).result.map((p: any) => p.uuid), [approved.pending_transaction_id])
    assert.equal((await list(`account_id=${account.id}&status=DECLINED,PENDING`)).result.length, 3)
    assert.deepEqual((await list(`reference_id=${keyed.body.transaction.token}`)).result.map((p: any) => p.uuid), [declined[1]])

    // One at a time, newest first, each once.
    const seen: string[] = []
    let token: string | undefined
    for (let page = 0; page < 5; page++) {
      const body = await list(`card_id=${card.id}&limit=1${token ? `&page_token=${token}` : ''}`)
      seen.push(...body.result.map((p: any) => p.uuid))
      token = body.next_page_token ?? undefined
      if (!token) break
    }
    assert.deepEqual(seen, byCard.result.map((p: any) => p.uuid))
    assert.equal(seen.length, 3)
    const records = await h.sql`select count(*)::int as n from ledger_transfers where action = 'decline' and details->>'card_id' = ${card.id}`
    assert.equal(records[0].n, 2)
  })

  it('balances, expiry and the audit ignore declined holds', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const held = (await authorize(h, card.id, 300)).body.transaction
    const declined = (await authorize(h, card.id, 900)).body.transaction
    assert.equal(declined.state, 'DECLINED')
    const row = async (id: string) => (await h.sql`select status, amount::int, captured::int from ledger_holds where id = ${id}`)[0]
    assert.deepEqual({ ...await row(declined.pending_transaction_id) }, { status: 'DECLINED', amount: 0, captured: 0 })
    const [ledger] = await h.sql`select held::int from ledger_accounts where id = ${account.id}`
    assert.equal(ledger.held, 300)
    assert.deepEqual(await booksDiscrepancies(h), [])
    // Past every expiry: the approval expires, the decline stays as it was, nothing is given back twice.
    await advance('P8D')
    assert.equal((await row(held.pending_transaction_id)).status, 'EXPIRED')
    assert.equal((await row(declined.pending_transaction_id)).status, 'DECLINED')
    assert.equal((await pendingOf(declined.pending_transaction_id)).data.status, 'DECLINED')
    const settled = await h.sql`select count(*)::int as n from ledger_transfers where pending_id = ${declined.pending_transaction_id}`
    assert.equal(settled[0].n, 0)
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 1_000 })
    assert.deepEqual(await booksDiscrepancies(h), [])
  })

  it('the audit fails a declined hold that is made to reserve something', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const declined = (await authorize(h, card.id, 2_000)).body.transaction
    // The table refuses it outright…
    await assert.rejects(h.sql`update ledger_holds set amount = 5 where id = ${declined.pending_transaction_id}`)
    // …and an account whose held balance counts it disagrees with its holds.
    await h.sql`update ledger_accounts set held = held + 5 where id = ${account.id}`
    try {
      const report = await auditLedger(h.sql)
      assert.ok(report.discrepancies.some((d) => d.includes(account.id) && d.includes('held')), JSON.stringify(report.discrepancies))
    } finally {
      await h.sql`update ledger_accounts set held = held - 5 where id = ${account.id}`
    }
  })
})
