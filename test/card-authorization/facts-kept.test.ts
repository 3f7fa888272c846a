// A card's facts kept from an earlier read (src/card-authorization/facts-cache.ts): a new message on
// a card seen before is decided on them with no read ahead of its batch, and the batch checks that
// every row they came from is the version read. Changes are made here behind the process's back
// (plain SQL, as another process or path would), so only that check can see them: each is found,
// the batch decided from memory fails and runs again reading, the message is answered "changed",
// and it is decided again on facts read afresh.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { startReceiver, type Receiver } from '../webhooks/receiver.js'
import { products } from '../cards/support.js'
import { authorize, batchesOf, booksDiscrepancies, fundedCard, merchant, spendControl, stateOf } from './support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  assert.deepEqual(await booksDiscrepancies(h), [])
  await h.close()
})

/** A funded card whose facts this process keeps, and whose accounts its batches know: the next authorization goes from memory. */
async function keptCard(options: { spendControlIds?: string[]; key?: string } = {}) {
  const funded = await fundedCard(h, 10_000, options)
  assert.equal(stateOf(await authorize(h, funded.card.id, 100, {}, options.key)), 'PENDING')
  assert.deepEqual(await next(funded.card.id, options.key), { state: 'PENDING', batches: { fromMemory: 1, reread: 0 } })
  return funded
}

/** The next authorization of 100 on the card (in the workspace of API key `key`): its state, and its batches. */
async function next(cardId: string, key?: string) {
  let state = ''
  const batches = await batchesOf(async () => { state = stateOf(await authorize(h, cardId, 100, {}, key)) })
  return { state, batches }
}

// Found changed: the batch decided on the kept facts fails and reads (reread 1), and the message,
// decided again on fresh facts, goes from memory (fromMemory 1). Decided on a read ahead of the
// batch, as every message was before facts were kept, it would have gone from memory at once
// (reread 0): the counts show which facts it was decided on.
const decidedAgain = { fromMemory: 1, reread: 1 }

describe('a card\'s facts kept between its messages', () => {
  it('are checked in the batch: a card suspended behind the process\'s back is declined', async () => {
    const { card } = await keptCard()
    await h.sql`update cards set card_status = 'SUSPENDED' where id = ${card.id}`
    assert.deepEqual(await next(card.id), { state: 'DECLINED CARD_NOT_ACTIVE', batches: decidedAgain })
    // Read afresh and kept again: the next message is checked against the new version, which holds.
    assert.deepEqual(await next(card.id), { state: 'DECLINED CARD_NOT_ACTIVE', batches: { fromMemory: 1, reread: 0 } })
    await h.sql`update cards set card_status = 'ACTIVE' where id = ${card.id}`
    assert.deepEqual(await next(card.id), { state: 'PENDING', batches: decidedAgain })
  })

  it('cover the account\'s status and the spend controls it names', async () => {
    const control = await spendControl(h, { name: 'per purchase', amount_limit: 1_000, payment_types: ['CARD'] })
    const { card, account } = await keptCard({ spendControlIds: [control.id] })
    await h.sql`update accounts set access_status = 'FROZEN' where id = ${account.id}`
    assert.deepEqual(await next(card.id), { state: 'DECLINED IMPROPER_ACCOUNT_ACCESS_STATUS', batches: decidedAgain })
    await h.sql`update accounts set access_status = 'ACTIVE' where id = ${account.id}`
    assert.deepEqual(await next(card.id), { state: 'PENDING', batches: decidedAgain })
    // The control itself, not the account naming it, changes.
    await h.sql`update spend_controls set amount_limit = 50 where id = ${control.id}`
    assert.deepEqual(await next(card.id), { state: 'DECLINED SPEND_CONTROL_VIOLATION', batches: decidedAgain })
  })

  it('let a replay stand over a change: a retried Idempotency-Key answers what was done', async () => {
    const { card } = await keptCard()
    const keyed = { headers: { 'idempotency-key': crypto.randomUUID() }, body: { card_id: card.id, amount: 100, mid: 'MID-1', card_acceptor: merchant } }
    const first = await h.request('POST', '/v0/cards/transaction_simulations/authorization', keyed)
    assert.equal(stateOf(first), 'PENDING')
    await h.sql`update cards set card_status = 'SUSPENDED' where id = ${card.id}`
    const retried = await h.request('POST', '/v0/cards/transaction_simulations/authorization', keyed)
    assert.equal(retried.status, 201)
    assert.deepEqual(retried.body, first.body)
    // A new message is decided on what the card is now.
    assert.equal((await next(card.id)).state, 'DECLINED CARD_NOT_ACTIVE')
  })

  it('of a card wiped away: the card is not found', async () => {
    const { key } = await h.newWorkspace('wiped', 'sandbox')
    const { card } = await keptCard({ key })
    assert.equal((await h.request('POST', '/v0/wipe', { key })).status, 204)
    const res = await authorize(h, card.id, 100, {}, key)
    assert.equal(res.status, 400, JSON.stringify(res.body))
    assert.match(res.body.detail, /card .* not found/)
  })

  it('cover the workspace\'s gateways: one added since is asked', async () => {
    const { key } = await h.newWorkspace('gateway added', 'sandbox')
    const receiver: Receiver = await startReceiver()
    try {
      const { card } = await keptCard({ key })
      assert.equal((await h.request('POST', '/v0/webhook_secrets', { key })).status, 201)
      receiver.answer = () => ({ status: 200, body: JSON.stringify({ decision: 'DECLINE' }) })
      const gw = await h.request('POST', '/v0/cards/gateways', { key, body: { url: `${receiver.url}/decide`, card_products: [(await products(h, key)).virtual.id] } })
      assert.equal(gw.status, 201, JSON.stringify(gw.body))
      assert.deepEqual(await next(card.id, key), { state: 'DECLINED GATEWAY_DECLINED', batches: decidedAgain })
      assert.equal(receiver.received.length, 1)
    } finally {
      await receiver.stop()
    }
  })
})
