// A card message's Idempotency-Key outcome is stored by view, as a posted internal transfer's is
// (test/transfers/outcome-views.test.ts): the key's row names the card_transaction view and the
// message, carries no text, and a retry replays the message rendered from its row, the same text
// as the first answer, card_acceptor included (sent in any key order, answered in jsonb's). A
// decline writes no event, so nothing holds a wipe off its row: its answer is stored as sent.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { jsonbKeyOrder } from '../../src/platform/objects.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { keyRow } from '../support/outcomes.js'
import { fundedCard, simulate } from './support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

/** A merchant with its keys in an order jsonb does not keep (longest first). */
const merchant = { ecommerce_security_level_indicator: 'x', country: 'USA', state: 'CA', city: 'Oakland', name: 'Corner Grocer', mcc: '5411', zip: '94607' }
const authorization = (cardId: string, amount: number) => ({ card_id: cardId, amount, mid: 'MID-9', card_acceptor: merchant })

describe('card Idempotency-Key outcomes stored by view', () => {
  it("stores an approval's outcome as its view and replays the same text", async () => {
    const { card } = await fundedCard(h, 10_000)
    const key = uuidv7()
    const first = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { body: authorization(card.id, 1_300), headers: { 'idempotency-key': key } })
    assert.equal(first.status, 201, JSON.stringify(first.body))
    assert.equal(first.body.transaction.state, 'PENDING')
    assert.deepEqual(Object.keys(first.body.transaction.card_acceptor), ['mcc', 'zip', 'city', 'name', 'state', 'country', 'ecommerce_security_level_indicator', 'mid'])
    assert.deepEqual(await keyRow(h.sql, h.workspaces.a, key), { response_status: 201, response_body: null, response_view: 'card_transaction', response_resource_id: first.body.transaction.token })

    const replay = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { body: authorization(card.id, 1_300), headers: { 'idempotency-key': key } })
    assert.deepEqual([replay.status, replay.headers['idempotent-replayed']], [201, 'true'])
    assert.equal(JSON.stringify(replay.body), JSON.stringify(first.body), 'the same text, key order included')
  })

  it('stores by view the messages that follow one, and a decline as sent', async () => {
    const { card } = await fundedCard(h, 1_000)
    const auth = await simulate(h, 'authorization', authorization(card.id, 400))
    assert.equal(auth.status, 201, JSON.stringify(auth.body))
    const key = uuidv7()
    const clearing = { original_transaction_id: auth.body.transaction.token, amount: 400 }
    const cleared = await h.request('POST', '/v0/cards/transaction_simulations/clearing', { body: clearing, headers: { 'idempotency-key': key } })
    assert.equal(cleared.status, 201, JSON.stringify(cleared.body))
    assert.equal((await keyRow(h.sql, h.workspaces.a, key)).response_view, 'card_transaction')
    const again = await h.request('POST', '/v0/cards/transaction_simulations/clearing', { body: clearing, headers: { 'idempotency-key': key } })
    assert.deepEqual([again.headers['idempotent-replayed'], JSON.stringify(again.body)], ['true', JSON.stringify(cleared.body)])

    const declineKey = uuidv7()
    const declined = await h.request('POST', '/v0/cards/transaction_simulations/authorization', { body: authorization(card.id, 5_000), headers: { 'idempotency-key': declineKey } })
    assert.equal(declined.body.transaction.state, 'DECLINED', JSON.stringify(declined.body))
    const stored = await keyRow(h.sql, h.workspaces.a, declineKey)
    assert.deepEqual([stored.response_view, stored.response_resource_id, JSON.parse(stored.response_body!)], [null, null, declined.body])
  })

  it('keeps replaying after a wipe deletes the message: the wipe writes the answer in', async () => {
    const ws = await h.newWorkspace('card-outcome-views-wipe', 'sandbox')
    const { card } = await fundedCard(h, 5_000, { key: ws.key })
    const key = uuidv7()
    const send = () => h.request('POST', '/v0/cards/transaction_simulations/authorization', { key: ws.key, body: authorization(card.id, 700), headers: { 'idempotency-key': key } })
    const first = await send()
    assert.equal(first.status, 201, JSON.stringify(first.body))
    assert.equal((await keyRow(h.sql, ws.id, key)).response_view, 'card_transaction')

    const wiped = await h.request('POST', '/v0/wipe', { key: ws.key })
    assert.equal(wiped.status, 204, JSON.stringify(wiped.body))
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from card_authorizations where workspace_id = ${ws.id}`
    assert.equal(n, 0, 'the wipe deleted the message')
    const row = await keyRow(h.sql, ws.id, key)
    assert.deepEqual([row.response_view, row.response_resource_id, row.response_body], [null, null, JSON.stringify(first.body)])
    const replay = await send()
    assert.deepEqual([replay.status, replay.headers['idempotent-replayed'], JSON.stringify(replay.body)], [201, 'true', JSON.stringify(first.body)])
  })
})

describe('jsonbKeyOrder', () => {
  it('orders keys as jsonb does: by length in UTF-8, then by bytes, at every depth', async () => {
    // '\u{1F600}' and '\uE000a' are four bytes each: by code point (and byte) U+E000 comes first, by UTF-16 unit the emoji's surrogate would.
    const value = { bb: 1, a: { zz: [{ y: 1, x: 2 }], é: 0, e: 3 }, ab: null, 'ü': 'two bytes', c: 'c', '\u{1F600}': 'astral', '\uE000a': 'private use' }
    const ordered = jsonbKeyOrder(value)
    const [{ text }] = await h.sql<{ text: string }[]>`select ${JSON.stringify(value)}::text::jsonb::text as text`
    assert.deepEqual(JSON.stringify(ordered), JSON.stringify(JSON.parse(text)))
    assert.deepEqual(ordered, value, 'the same values')
  })
})
