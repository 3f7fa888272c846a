// The Card Transaction Simulations end to end: every message kind moves the money it should
// through the ledger, shows in the transaction views with its card fields, and answers the spec's
// status with the transaction's token and state. The clock is injected.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { cvvOf } from '../cards/support.js'
import { authorize, available, booksDiscrepancies, fundedCard, merchant, simulate } from './support.js'

let h: Harness
let now = Date.parse('2031-03-01T12:00:00Z')
const clock = { now: () => new Date(now) }
before(async () => { h = await startHarness({ clock }) })
after(async () => {
  assert.deepEqual(await booksDiscrepancies(h), [])
  await h.close()
})
const dayMs = 24 * 60 * 60 * 1000

const pendingOf = async (holdId: string) => {
  const res = await h.request('GET', `/v0/transactions/pending/${holdId}`)
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body
}

describe('authorization and its follow-ups', () => {
  it('an approval holds the amount; it shows in /transactions/pending with network, merchant and card', async () => {
    const { card, account } = await fundedCard(h, 10_000)
    const res = await authorize(h, card.id, 2_500)
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const t = res.body.transaction
    assert.equal(t.state, 'PENDING')
    assert.equal(t.amount, 2_500)
    assert.equal(t.response.code, '0000')
    assert.deepEqual(await available(h, account.id), { posted: 10_000, available: 7_500 })
    const pending = await pendingOf(t.pending_transaction_id)
    assert.equal(pending.data.network, 'CARD')
    assert.equal(pending.data.status, 'PENDING')
    assert.equal(pending.data.amount, 2_500)
    assert.equal(pending.data.external_data.card_id, card.id)
    assert.equal(pending.data.external_data.card_type, 'DEBIT')
    assert.equal(pending.data.external_data.mcc, '5411')
    assert.equal(pending.data.external_data.card_acceptor.name, merchant.name)
    assert.equal(Date.parse(pending.data.expires_at), now + 7 * dayMs)
    const byCard = await h.request('GET', `/v0/transactions/pending?card_id=${card.id}`)
    assert.deepEqual(byCard.body.result.map((p: any) => p.uuid), [t.pending_transaction_id])
    const other = await h.request('GET', `/v0/transactions/pending?card_id=${(await fundedCard(h, 0)).card.id}`)
    assert.deepEqual(other.body.result, [])
  })

  it('an incremental authorization raises the hold; an advice lowers it; a reversal releases part and then the rest', async () => {
    const { card, account } = await fundedCard(h, 10_000)
    const auth = (await authorize(h, card.id, 1_000)).body.transaction
    const inc = await authorize(h, card.id, 500, { transaction_options: { transaction_id: auth.token } })
    assert.equal(inc.status, 201, JSON.stringify(inc.body))
    assert.equal(inc.body.transaction.type, 'authorization.incremental')
    assert.equal((await pendingOf(auth.pending_transaction_id)).data.amount, 1_500)
    assert.deepEqual(await available(h, account.id), { posted: 10_000, available: 8_500 })
    const advice = await simulate(h, 'authorization/advice', { original_transaction_id: auth.token, amount: 200 })
    assert.equal(advice.status, 201, JSON.stringify(advice.body))
    assert.equal((await pendingOf(auth.pending_transaction_id)).data.amount, 1_300)
    const partial = await simulate(h, 'reversal', { original_transaction_id: auth.token, amount: 300 })
    assert.equal(partial.status, 201)
    assert.deepEqual(await available(h, account.id), { posted: 10_000, available: 9_000 })
    const rest = await simulate(h, 'reversal', { original_transaction_id: inc.body.transaction.token, amount: 5_000 })
    assert.equal(rest.status, 201)
    assert.equal(rest.body.transaction.amount, 1_000)
    assert.equal((await pendingOf(auth.pending_transaction_id)).data.status, 'RELEASED')
    assert.deepEqual(await available(h, account.id), { posted: 10_000, available: 10_000 })
    const late = await simulate(h, 'reversal', { original_transaction_id: auth.token, amount: 1 })
    assert.equal(late.status, 422)
    assert.equal(late.body.code, 'INVALID_STATUS')
  })

  it('a clearing for less than the hold captures it and releases the rest', async () => {
    const { card, account } = await fundedCard(h, 10_000)
    const auth = (await authorize(h, card.id, 3_000)).body.transaction
    const clearing = await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 2_000 })
    assert.equal(clearing.status, 201, JSON.stringify(clearing.body))
    assert.equal(clearing.body.transaction.state, 'CLEARED')
    assert.deepEqual(await available(h, account.id), { posted: 8_000, available: 8_000 })
    assert.equal((await pendingOf(auth.pending_transaction_id)).data.status, 'CLEARED')
    const posted = await h.request('GET', `/v0/transactions/posted?card_id=${card.id}`)
    assert.equal(posted.status, 200)
    assert.equal(posted.body.result.length, 1)
    const p = posted.body.result[0]
    assert.equal(p.data.hold_id, auth.pending_transaction_id)
    assert.equal(p.data.external_data.card_id, card.id)
    assert.equal(p.data.lines[0].network, 'CARD')
    assert.equal(p.data.lines[0].amount, 2_000)
  })

  it('multi-clearing keeps the hold open for the clearings to come; the last one closes it', async () => {
    const { card, account } = await fundedCard(h, 10_000)
    const auth = (await authorize(h, card.id, 3_000)).body.transaction
    assert.equal((await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 1_000, is_multi_clearing: true })).status, 201)
    assert.deepEqual(await available(h, account.id), { posted: 9_000, available: 7_000 })
    assert.equal((await pendingOf(auth.pending_transaction_id)).data.status, 'PENDING')
    assert.equal((await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 500 })).status, 201)
    assert.deepEqual(await available(h, account.id), { posted: 8_500, available: 8_500 })
    assert.equal((await pendingOf(auth.pending_transaction_id)).data.status, 'CLEARED')
  })

  it('over-clearing captures the hold and posts the difference, in one group', async () => {
    const { card, account } = await fundedCard(h, 10_000)
    const auth = (await authorize(h, card.id, 2_000)).body.transaction
    const res = await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 2_400 })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.deepEqual(await available(h, account.id), { posted: 7_600, available: 7_600 })
    const [row] = await h.sql`select count(*)::int as n, count(distinct group_id)::int as groups from ledger_transfers where reference_id = ${res.body.transaction.token}`
    assert.deepEqual({ ...row }, { n: 2, groups: 1 })
  })

  it('an over-clearing the funds cannot cover is declined and changes nothing', async () => {
    const { card, account } = await fundedCard(h, 2_000)
    const auth = (await authorize(h, card.id, 2_000)).body.transaction
    const res = await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 2_500 })
    assert.equal(res.status, 201)
    assert.equal(res.body.transaction.state, 'DECLINED')
    assert.equal(res.body.transaction.decline_reason, 'INSUFFICIENT_FUNDS')
    assert.deepEqual(await available(h, account.id), { posted: 2_000, available: 0 })
    assert.equal((await pendingOf(auth.pending_transaction_id)).data.status, 'PENDING')
  })

  it('a refund credits the account', async () => {
    const { card, account } = await fundedCard(h, 5_000)
    const auth = (await authorize(h, card.id, 1_000)).body.transaction
    await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 1_000 })
    const refund = await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 400, is_refund: true })
    assert.equal(refund.status, 201, JSON.stringify(refund.body))
    assert.equal(refund.body.transaction.type, 'refund')
    assert.deepEqual(await available(h, account.id), { posted: 4_400, available: 4_400 })
  })

  it('an authorization never cleared expires after 7 days on the workspace clock (30 for a hotel)', async () => {
    const { card, account } = await fundedCard(h, 10_000)
    const grocery = (await authorize(h, card.id, 1_000)).body.transaction
    const hotel = (await authorize(h, card.id, 2_000, { card_acceptor: { ...merchant, mcc: '7011' } })).body.transaction
    assert.equal(Date.parse((await pendingOf(hotel.pending_transaction_id)).data.expires_at), now + 30 * dayMs)
    now += 7 * dayMs
    assert.equal((await pendingOf(grocery.pending_transaction_id)).data.status, 'EXPIRED')
    assert.equal((await pendingOf(hotel.pending_transaction_id)).data.status, 'PENDING')
    assert.deepEqual(await available(h, account.id), { posted: 10_000, available: 8_000 })
    // A clearing after expiry posts on its own (a late clearing).
    const late = await simulate(h, 'clearing', { original_transaction_id: grocery.token, amount: 1_000 })
    assert.equal(late.status, 201, JSON.stringify(late.body))
    assert.deepEqual(await available(h, account.id), { posted: 9_000, available: 7_000 })
    now += 23 * dayMs
    assert.equal((await pendingOf(hotel.pending_transaction_id)).data.status, 'EXPIRED')
  })
})

describe('messages that post at once, and those that move nothing', () => {
  it('a PIN debit and an ATM withdrawal post at once; a reversal of one gives it back', async () => {
    const { card, account } = await fundedCard(h, 10_000)
    const pin = await simulate(h, 'financial', { card_id: card.id, amount: 1_500, mid: 'M', card_acceptor: merchant })
    assert.equal(pin.status, 201, JSON.stringify(pin.body))
    assert.equal(pin.body.transaction.state, 'COMPLETION')
    const atm = await simulate(h, 'financial/withdrawal', { card_id: card.id, amount: 2_000, mid: 'ATM-1', account_type: 'checking' })
    assert.equal(atm.status, 201, JSON.stringify(atm.body))
    assert.deepEqual(await available(h, account.id), { posted: 6_500, available: 6_500 })
    const back = await simulate(h, 'reversal', { original_transaction_id: atm.body.transaction.token, amount: 2_000 })
    assert.equal(back.status, 201)
    assert.deepEqual(await available(h, account.id), { posted: 8_500, available: 8_500 })
    const tooMuch = await simulate(h, 'reversal', { original_transaction_id: atm.body.transaction.token, amount: 1 })
    assert.equal(tooMuch.status, 400)
    const posted = await h.request('GET', `/v0/transactions/posted?card_id=${card.id}`)
    assert.equal(posted.body.result.length, 3)
  })

  it('an ATM withdrawal carries the account\'s ATM fee in its linked group; a fee the balance cannot cover is owed, never a decline', async () => {
    const fee = await h.request('POST', '/v0/accounts/products', { body: { product_type: 'FEE', fee_type: 'ATM_WITHDRWAL_FEE', amount: 300, currency: 'USD' } })
    assert.equal(fee.status, 201, JSON.stringify(fee.body))
    const { card, account } = await fundedCard(h, 10_000)
    const attached = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { account_type: account.account_type, fee_product_ids: [fee.body.id] } })
    assert.equal(attached.status, 200, JSON.stringify(attached.body))
    const atm = await simulate(h, 'financial/withdrawal', { card_id: card.id, amount: 2_000, mid: 'ATM-1', account_type: 'checking' })
    assert.equal(atm.status, 201, JSON.stringify(atm.body))
    assert.deepEqual(await available(h, account.id), { posted: 7_700, available: 7_700 })
    const fees = await h.sql`select group_id, amount, details from ledger_transfers where kind = 'FEE' and debit_account_id = ${account.id}`
    assert.equal(fees.length, 1, 'the fee posted')
    const [feeRecord] = fees
    assert.equal(feeRecord.details.is_fee, true)
    assert.equal(feeRecord.amount, 300n)
    assert.ok(feeRecord.group_id !== null, 'in the withdrawal\'s linked group')
    // 7,700 left: a 7,600 withdrawal fits, its 300 fee does not; the withdrawal posts and the fee is owed.
    const second = await simulate(h, 'financial/withdrawal', { card_id: card.id, amount: 7_600, mid: 'ATM-1', account_type: 'checking' })
    assert.equal(second.status, 201, JSON.stringify(second.body))
    assert.equal(second.body.transaction.state, 'COMPLETION')
    assert.deepEqual(await available(h, account.id), { posted: 100, available: 100 })
    const owed = await h.sql`select fee_type, amount, remaining from fees_owed where account_id = ${account.id}`
    assert.deepEqual(owed.map((o) => [o.fee_type, o.amount, o.remaining]), [['ATM_WITHDRWAL_FEE', 300n, 300n]])
    assert.deepEqual(await booksDiscrepancies(h), [])
  })

  it('fees a withdrawal leaves owed are recorded in the withdrawal\'s own transaction, however many', async () => {
    const fees = await Promise.all([300, 200].map((amount) => h.request('POST', '/v0/accounts/products', { body: { product_type: 'FEE', fee_type: 'ATM_WITHDRWAL_FEE', amount, currency: 'USD' } })))
    const { card, account } = await fundedCard(h, 1_000)
    const attached = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { account_type: account.account_type, fee_product_ids: fees.map((f) => f.body.id) } })
    assert.equal(attached.status, 200, JSON.stringify(attached.body))
    const atm = await simulate(h, 'financial/withdrawal', { card_id: card.id, amount: 900, mid: 'ATM-1', account_type: 'checking' })
    assert.equal(atm.status, 201, JSON.stringify(atm.body))
    const [message] = await h.sql`select xmin::text as tx from card_authorizations where id = ${atm.body.transaction.token}`
    const owed = await h.sql`select amount, xmin::text as tx from fees_owed where account_id = ${account.id} order by amount`
    assert.deepEqual(owed.map((o) => o.amount), [200n, 300n], 'both fees owed')
    assert.deepEqual(owed.map((o) => o.tx), [message.tx, message.tx], 'written by the transaction that wrote the withdrawal')
  })

  it('an original credit (OCT) credits the account', async () => {
    const { card, account } = await fundedCard(h, 0)
    const res = await simulate(h, 'financial/original_credit', { card_id: card.id, amount: 7_000, mid: 'M', type: 'person_to_person' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.deepEqual(await available(h, account.id), { posted: 7_000, available: 7_000 })
    // Its reversal takes back what it credited.
    assert.equal((await simulate(h, 'reversal', { original_transaction_id: res.body.transaction.token, amount: 2_000 })).status, 201)
    assert.deepEqual(await available(h, account.id), { posted: 5_000, available: 5_000 })
  })

  it('a balance inquiry answers the balances and changes nothing', async () => {
    const { card, account } = await fundedCard(h, 4_200)
    await authorize(h, card.id, 200)
    const before = await h.sql`select count(*)::int as n from ledger_transfers`
    const res = await simulate(h, 'financial/balance_inquiry', { card_id: card.id, mid: 'ATM', account_type: 'checking', card_acceptor: merchant })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.deepEqual(res.body.transaction.balances, { available_balance: 4_000, ledger_balance: 4_200 })
    assert.deepEqual(await h.sql`select count(*)::int as n from ledger_transfers`, before)
    assert.deepEqual(await available(h, account.id), { posted: 4_200, available: 4_000 })
  })

  it('enhanced (l2l3) data is recorded against the original and moves nothing', async () => {
    const { card } = await fundedCard(h, 1_000)
    const auth = (await authorize(h, card.id, 100)).body.transaction
    const res = await simulate(h, 'clearing/l2l3', { original_transaction_id: auth.token, enhanced_data_id: 'E-1' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.transaction.preceding_related_transaction_token, auth.token)
  })

  it('enhanced data naming an original that is no id is refused as naming nothing (the spec declares the id a plain string)', async () => {
    for (const id of ['', 'T-1', uuidv7()]) {
      const res = await simulate(h, 'clearing/l2l3', { original_transaction_id: id })
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
    }
  })
})

describe('declines', () => {
  it('insufficient funds declines and holds nothing; a partial-capable merchant gets what is there', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const res = await authorize(h, card.id, 1_500)
    assert.equal(res.status, 201)
    assert.equal(res.body.transaction.state, 'DECLINED')
    assert.equal(res.body.transaction.decline_reason, 'INSUFFICIENT_FUNDS')
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 1_000 })
    const partial = await authorize(h, card.id, 1_500, { card_acceptor: { ...merchant, partial_approval_capable: true } })
    assert.equal(partial.body.transaction.state, 'PENDING')
    assert.equal(partial.body.transaction.amount, 1_000)
    assert.equal(partial.body.transaction.request_amount, 1_500)
    assert.equal(partial.body.transaction.response.code, '0010')
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 0 })
  })

  it('CVV, expiration and PIN are checked when the message carries them', async () => {
    const { card } = await fundedCard(h, 1_000)
    const cvv = await cvvOf(h, card.id)
    const wrong = String((Number(cvv) + 1) % 1000).padStart(3, '0')
    assert.equal((await authorize(h, card.id, 10, { card_options: { cvv: wrong } })).body.transaction.decline_reason, 'INVALID_CVV')
    assert.equal((await authorize(h, card.id, 10, { card_options: { cvv } })).body.transaction.state, 'PENDING')
    const exp = String(card.expiration_month).padStart(2, '0') + card.expiration_year
    assert.equal((await authorize(h, card.id, 10, { card_options: { expiration: exp } })).body.transaction.state, 'PENDING')
    assert.equal((await authorize(h, card.id, 10, { card_options: { expiration: '0199' } })).body.transaction.decline_reason, 'INVALID_EXPIRATION')
    // No PIN has been set: any PIN is wrong.
    assert.equal((await simulate(h, 'financial', { card_id: card.id, amount: 10, mid: 'M', card_acceptor: merchant, pin: '1357' })).body.transaction.decline_reason, 'INVALID_PIN')
  })

  it('a suspended card, then a terminated one', async () => {
    const { card } = await fundedCard(h, 1_000)
    assert.equal((await h.request('PATCH', `/v0/cards/${card.id}`, { body: { card_status: 'SUSPENDED' } })).status, 200)
    assert.equal((await authorize(h, card.id, 10)).body.transaction.decline_reason, 'CARD_NOT_ACTIVE')
    assert.equal((await h.request('PATCH', `/v0/cards/${card.id}`, { body: { card_status: 'TERMINATED' } })).status, 200)
    assert.equal((await authorize(h, card.id, 10)).body.transaction.decline_reason, 'CARD_TERMINATED')
  })

  it('an expired card', async () => {
    const { card } = await fundedCard(h, 1_000)
    const saved = now
    now = Date.parse(card.expiration_time) + 1
    assert.equal((await authorize(h, card.id, 10)).body.transaction.decline_reason, 'CARD_EXPIRED')
    now = saved
  })

  it('a frozen account declines debits; a refund to it is refused as the ledger refuses it', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const auth = (await authorize(h, card.id, 100)).body.transaction
    const frozen = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: { account_type: account.account_type, access_status: 'FROZEN' } })
    assert.equal(frozen.status, 200, JSON.stringify(frozen.body))
    assert.equal((await authorize(h, card.id, 10)).body.transaction.decline_reason, 'IMPROPER_ACCOUNT_ACCESS_STATUS')
    const refund = await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 50, is_refund: true })
    assert.equal(refund.status, 422)
    assert.equal(refund.body.code, 'IMPROPER_ACCOUNT_ACCESS_STATUS')
  })
})

describe('requests', () => {
  it('a live workspace cannot simulate', async () => {
    const res = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { key: h.keys.live, body: { card_id: '0190b1d2-0000-7000-8000-000000000000', amount: 1, mid: 'M' } })
    assert.equal(res.status, 400)
    assert.equal(res.body.code, 'FEATURE_NOT_AVAILABLE')
  })

  it('bad input is a clean 400', async () => {
    const { card } = await fundedCard(h, 100)
    const cases: [string, Record<string, unknown>][] = [
      ['authorization', { card_id: card.id, mid: 'M' }],
      ['authorization', { card_id: card.id, amount: 0, mid: 'M' }],
      ['authorization', { card_id: card.id, amount: -5, mid: 'M' }],
      ['authorization', { card_id: card.id, amount: 2 ** 60, mid: 'M' }],
      ['authorization', { card_id: '0190b1d2-0000-7000-8000-000000000000', amount: 1, mid: 'M' }],
      ['authorization', { card_id: card.id, amount: 1, mid: 'M', transaction_options: { transaction_id: 'nope' } }],
      ['clearing', { original_transaction_id: '0190b1d2-0000-7000-8000-000000000000', amount: 1 }],
      ['reversal', { amount: 1 }],
      ['financial', { card_id: card.id, amount: 1, mid: 'M' }],
    ]
    for (const [path, body] of cases) {
      const res = await simulate(h, path, body)
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`)
    }
  })

  it('another workspace\'s card is not found', async () => {
    const { card } = await fundedCard(h, 100)
    const res = await authorize(h, card.id, 1, {}, h.keys.b)
    assert.equal(res.status, 400)
  })

  it('cards asked for at once are each found in their own workspace only, whatever the case of the id', async () => {
    const mine = await fundedCard(h, 1_000)
    const theirs = await fundedCard(h, 1_000, { key: h.keys.b })
    // Sent together: their facts are read together (one statement for the reads of a turn).
    const [a, upper, crossed, b] = await Promise.all([
      authorize(h, mine.card.id, 100),
      authorize(h, mine.card.id.toUpperCase(), 200),
      authorize(h, theirs.card.id, 300),
      authorize(h, theirs.card.id, 400, {}, h.keys.b),
    ])
    assert.deepEqual([a.status, upper.status, crossed.status, b.status], [201, 201, 400, 201])
    assert.deepEqual([a.body.transaction.state, upper.body.transaction.state, b.body.transaction.state], ['PENDING', 'PENDING', 'PENDING'])
    assert.deepEqual(await available(h, mine.account.id), { posted: 1_000, available: 700 })
    assert.deepEqual(await available(h, theirs.account.id, h.keys.b), { posted: 1_000, available: 600 })
  })

  it('an Idempotency-Key replays the answer and holds once', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const body = { card_id: card.id, amount: 300, mid: 'M', card_acceptor: merchant }
    const first = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { body, headers: { 'idempotency-key': 'auth-1' } })
    const again = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { body, headers: { 'idempotency-key': 'auth-1' } })
    assert.equal(again.status, 201)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.body, first.body)
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 700 })
    const declinedBody = { ...body, amount: 5_000 }
    const d1 = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { body: declinedBody, headers: { 'idempotency-key': 'auth-2' } })
    const d2 = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { body: declinedBody, headers: { 'idempotency-key': 'auth-2' } })
    assert.deepEqual(d2.body, d1.body)
    const reuse = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { body: { ...body, amount: 1 }, headers: { 'idempotency-key': 'auth-1' } })
    assert.equal(reuse.status, 422)
    assert.equal(reuse.body.code, 'IDEMPOTENCY_INVALID_REUSE')
  })

  it('a follow-up retried with its key is answered as the first time, though the first changed what it follows', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const auth = (await authorize(h, card.id, 300)).body.transaction
    // A reversal of all the hold releases it: the retry finds nothing left to reverse, and must still replay.
    const reversal = { original_transaction_id: auth.token, amount: 300 }
    const headers = { 'idempotency-key': `reversal-${uuidv7()}` }
    const first = await h.request('POST', '/v0/cards/transaction_simulations/reversal', { body: reversal, headers })
    assert.equal(first.status, 201, JSON.stringify(first.body))
    const again = await h.request('POST', '/v0/cards/transaction_simulations/reversal', { body: reversal, headers })
    assert.equal(again.status, 201, JSON.stringify(again.body))
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.body, first.body)
    const reuse = await h.request('POST', '/v0/cards/transaction_simulations/reversal', { body: { ...reversal, amount: 1 }, headers })
    assert.equal(reuse.status, 422)
    assert.equal(reuse.body.code, 'IDEMPOTENCY_INVALID_REUSE')
    // An advice giving back all of a PIN debit: the retry finds the debit's net at 0.
    const debit = (await simulate(h, 'financial', { card_id: card.id, amount: 200, mid: 'M', card_acceptor: merchant })).body.transaction
    const advice = { original_transaction_id: debit.token, amount: 200 }
    const adviceHeaders = { 'idempotency-key': `advice-${uuidv7()}` }
    const given = await h.request('POST', '/v0/cards/transaction_simulations/financial/advice', { body: advice, headers: adviceHeaders })
    assert.equal(given.status, 201, JSON.stringify(given.body))
    const givenAgain = await h.request('POST', '/v0/cards/transaction_simulations/financial/advice', { body: advice, headers: adviceHeaders })
    assert.equal(givenAgain.status, 201, JSON.stringify(givenAgain.body))
    assert.deepEqual(givenAgain.body, given.body)
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 1_000 })
  })

  it('writes the pending and posted events of the money it moves', async () => {
    const { card } = await fundedCard(h, 1_000)
    const auth = (await authorize(h, card.id, 300)).body.transaction
    const inc = await authorize(h, card.id, 50, { transaction_options: { transaction_id: auth.token } })
    assert.equal(inc.status, 201)
    await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 350 })
    const events = await h.sql`select type, resource from events where resource_id = ${auth.pending_transaction_id} order by id`
    assert.deepEqual(events.map((e) => e.type), ['TRANSACTION.PENDING.CREATED', 'TRANSACTION.PENDING.UPDATED', 'TRANSACTION.PENDING.UPDATED'])
    // A change to a live hold carries the pending transaction as it is after; the settled one names its view.
    assert.equal(events[1].resource.data.amount, 350)
    assert.equal(events[1].resource.data.status, 'PENDING')
    assert.equal(events[2].resource, null)
    const capture = await h.sql`select e.type from events e join ledger_transfers t on t.id = e.resource_id where t.reference_id = ${(await h.sql`select id from card_authorizations where original_id = ${auth.token} and type = 'authorization.clearing'`)[0].id}`
    assert.deepEqual(capture.map((e) => e.type), ['TRANSACTION.POSTED.CREATED'])
  })
})
