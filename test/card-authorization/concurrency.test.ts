// Many authorizations on one account at once never approve beyond the available balance: each
// approval is a hold the ledger applies under the account's lock, whatever the decision read before.
// Nor beyond a rolling spend-control window: the window is decided again inside the ledger's batch,
// under the account's spend lock, so N authorizations at once on a window with room for k approve
// exactly k.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { startHarness, type Harness } from '../support/harness.js'
import { authorize, available, booksDiscrepancies, fundedCard, merchant, simulate, spendControl } from './support.js'

/** Fixed so a failure reproduces; set KEEL_PROPERTY_SEED to explore. */
const seed = Number(process.env.KEEL_PROPERTY_SEED ?? 20261129)

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  assert.deepEqual(await booksDiscrepancies(h), [])
  await h.close()
})

describe('concurrent authorizations on one account', () => {
  it('approve exactly what the balance holds, the rest declined INSUFFICIENT_FUNDS', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const answers = await Promise.all(Array.from({ length: 60 }, () => authorize(h, card.id, 100)))
    const states = answers.map((r) => { assert.equal(r.status, 201); return r.body.transaction.state })
    assert.equal(states.filter((s) => s === 'PENDING').length, 10)
    assert.ok(answers.filter((r) => r.body.transaction.state === 'DECLINED').every((r) => r.body.transaction.decline_reason === 'INSUFFICIENT_FUNDS'))
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 0 })
  })

  it('holds, PIN debits and partial approvals at once never overdraw it', async () => {
    const first = await fundedCard(h, 2_000)
    const requests = Array.from({ length: 40 }, (_, i) => i % 3 === 0
      ? simulate(h, 'financial', { card_id: first.card.id, amount: 150, mid: 'M', card_acceptor: merchant })
      : authorize(h, first.card.id, 170, { card_acceptor: { ...merchant, partial_approval_capable: i % 2 === 0 } }))
    const answers = await Promise.all(requests)
    const approved = answers.reduce((sum, r) => sum + (r.body.transaction.state === 'DECLINED' ? 0 : r.body.transaction.amount), 0)
    const b = await available(h, first.account.id)
    assert.ok(approved <= 2_000, `approved ${approved}`)
    assert.ok(b.available >= 0)
    assert.equal(b.available, 2_000 - approved)
  })
})

describe('concurrent authorizations against a rolling spend-control window', () => {
  it(`approve exactly what the window has room for, and the balance stays exact (seed ${seed})`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 8 }), fc.integer({ min: 50, max: 500 }), fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 49 }), fc.boolean(),
      async (k, amount, extra, slack, twoCards) => {
        // Room for exactly k authorizations of `amount` (slack is less than one more), plenty of funds.
        const window = await spendControl(h, { name: 'window', amount_limit: k * amount + slack, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } })
        const funds = 100_000
        const { card, account } = await fundedCard(h, funds, { spendControlIds: [window.id] })
        // A second card on the same account shares the window.
        const cards = [card.id]
        if (twoCards) {
          const res = await h.request('POST', '/v0/cards', { body: { form: 'VIRTUAL', type: 'DEBIT', card_product_id: card.card_product_id, account_id: account.id, customer_id: card.customer_id } })
          assert.equal(res.status, 201, JSON.stringify(res.body))
          cards.push(res.body.id)
        }
        const n = k + extra
        const answers = await Promise.all(Array.from({ length: n }, (_, i) => authorize(h, cards[i % cards.length], amount)))
        const states = answers.map((r) => { assert.equal(r.status, 201, JSON.stringify(r.body)); return r.body.transaction })
        const approved = states.filter((t) => t.state === 'PENDING')
        assert.equal(approved.length, k, `${n} at once on a window with room for ${k}: ${approved.length} approved`)
        assert.ok(states.filter((t) => t.state === 'DECLINED').every((t) => t.decline_reason === 'SPEND_CONTROL_VIOLATION'))
        assert.deepEqual(await available(h, account.id), { posted: funds, available: funds - k * amount })
        // Full: one more is declined, as the window says.
        const after = await authorize(h, card.id, amount)
        assert.equal(after.body.transaction.decline_reason, 'SPEND_CONTROL_VIOLATION')
      },
    ), { seed, numRuns: 5, endOnFailure: true, includeErrorInReport: true })
  })

  it('approve exactly what the funds allow when they bind before the window', async () => {
    const window = await spendControl(h, { name: 'window', amount_limit: 2_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 30 } })
    // Funds for 7 of 200, the window for 10: 7 approved, the rest declined for funds or the window, never both beyond.
    const { card, account } = await fundedCard(h, 1_400, { spendControlIds: [window.id] })
    const answers = await Promise.all(Array.from({ length: 30 }, () => authorize(h, card.id, 200)))
    const states = answers.map((r) => r.body.transaction)
    assert.equal(states.filter((t) => t.state === 'PENDING').length, 7)
    assert.ok(states.filter((t) => t.state === 'DECLINED').every((t) => t.decline_reason === 'INSUFFICIENT_FUNDS' || t.decline_reason === 'SPEND_CONTROL_VIOLATION'))
    assert.deepEqual(await available(h, account.id), { posted: 1_400, available: 0 })
  })

  it('count increments toward the window as authorizations', async () => {
    const window = await spendControl(h, { name: 'window', amount_limit: 1_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 1 } })
    const { card, account } = await fundedCard(h, 100_000, { spendControlIds: [window.id] })
    // Increments count toward the window too: an authorization of 100, then 30 at once of 100 (authorizations and increments).
    const first = await authorize(h, card.id, 100)
    assert.equal(first.body.transaction.state, 'PENDING')
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => authorize(h, card.id, 100, i % 2 ? { transaction_options: { transaction_id: first.body.transaction.token } } : {})))
    const approved = answers.filter((r) => r.body.transaction.state === 'PENDING').length
    assert.equal(approved, 9)
    assert.deepEqual(await available(h, account.id), { posted: 100_000, available: 100_000 - 1_000 })
  })
})
