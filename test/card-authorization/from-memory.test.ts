// A card authorization's ledger batch decided from memory (docs/ledger.md, "Batches decided from
// memory"): once the process knows the card's account and the settlement account, a new
// authorization goes in one round trip, sending with its writes the bounds its spend windows and
// velocity must stay within (approvalBounds, expectSpendWithin) instead of reading them first. A
// window fuller than the bounds fails that transaction before anything lands; the batch runs again
// reading, and decides on what the windows hold. That failure is the window's, not the accounts':
// they stay known.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { keysKept } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { authorize, batchesOf, booksDiscrepancies, fundedCard, spendControl, stateOf } from './support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  assert.deepEqual(await booksDiscrepancies(h), [])
  await h.close()
})

describe('a card authorization decided from memory', () => {
  it('goes in one round trip once its accounts are known; a window the batch would overfill sends it back to read, and only it', async () => {
    const window = await spendControl(h, { name: 'week', amount_limit: 1_000, payment_types: ['CARD'], time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } })
    const other = await fundedCard(h, 10_000)
    const { card } = await fundedCard(h, 10_000, { spendControlIds: [window.id] })
    // Known once a batch has read or changed them: the card's account, the other card's, the settlement account.
    assert.equal(stateOf(await authorize(h, other.card.id, 100)), 'PENDING')
    assert.equal(stateOf(await authorize(h, card.id, 300)), 'PENDING')

    let states: string[] = []
    assert.deepEqual(await batchesOf(async () => { states = [stateOf(await authorize(h, card.id, 300))] }), { fromMemory: 1, reread: 0 })
    assert.deepEqual(states, ['PENDING'])

    // 600 of 1,000 spent: room for one more of 300, and two ask at once. Whether they share a batch
    // or not, the one the window has no room for fails the batch decided from memory, which runs
    // again reading and declines it.
    const counted = await batchesOf(async () => { states = (await Promise.all([authorize(h, card.id, 300), authorize(h, card.id, 300)])).map(stateOf) })
    assert.deepEqual(states.sort(), ['DECLINED SPEND_CONTROL_VIOLATION', 'PENDING'])
    assert.ok(counted.reread >= 1, `a batch from memory found the window full (${JSON.stringify(counted)})`)

    // The accounts were as known: still known, the settlement account too, so the next batch goes from memory.
    assert.deepEqual(await batchesOf(async () => { states = [stateOf(await authorize(h, other.card.id, 100))] }), { fromMemory: 1, reread: 0 })
    assert.deepEqual(states, ['PENDING'])
  })

  it('finds the card\'s velocity reached since it read, in the same check', async () => {
    const { card } = await fundedCard(h, 100_000)
    assert.equal(stateOf(await authorize(h, card.id, 1)), 'PENDING')
    // The card's approvals of the last minute, up to the limit, made behind this process's
    // back without moving its account (another path writing the card's messages).
    await h.sql`
      insert into card_authorizations (workspace_id, id, card_id, account_id, type, state, direction, requested_amount, amount, net_amount, currency, network, created_at)
      select workspace_id, gen_random_uuid(), card_id, account_id, type, state, direction, 1, 1, 0, currency, network, now()
      from card_authorizations, generate_series(1, 599) where card_id = ${card.id} and original_id is null`
    let state = ''
    assert.deepEqual(await batchesOf(async () => { state = stateOf(await authorize(h, card.id, 1)) }), { fromMemory: 0, reread: 1 })
    assert.equal(state, 'DECLINED SUSPECTED_FRAUD')
  })

  it("keeps no key for each new hold's id, only for the accounts named", async () => {
    const { card } = await fundedCard(h, 10_000)
    assert.equal(stateOf(await authorize(h, card.id, 1)), 'PENDING')
    const before = keysKept()
    for (let i = 0; i < 20; i++) assert.equal(stateOf(await authorize(h, card.id, 1)), 'PENDING')
    assert.ok(keysKept() - before < 5, `20 authorizations on one card kept ${keysKept() - before} keys`)
  })
})
