// An authorization never cleared expires on the workspace clock: advancing a sandbox's clock past
// its expires_at runs the ledger's hold expiry, which writes the expiry record and its event.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { authorize, available, booksDiscrepancies, fundedCard, merchant } from './support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  assert.deepEqual(await booksDiscrepancies(h), [])
  await h.close()
})

const stored = async (id: string) => (await h.sql`select status from ledger_holds where id = ${id}`)[0].status
const advance = async (by: string) => assert.equal((await h.request('POST', '/v0/sandbox/clock/advance', { body: { by } })).status, 200)

describe('authorization expiry on the sandbox clock', () => {
  it('7 days for a grocer, 30 for a car rental; each expiry is recorded with its event', async () => {
    const { card, account } = await fundedCard(h, 10_000)
    const grocer = (await authorize(h, card.id, 1_000)).body.transaction
    const rental = (await authorize(h, card.id, 3_000, { card_acceptor: { ...merchant, mcc: '7512' } })).body.transaction
    await advance('P6DT23H')
    assert.equal(await stored(grocer.pending_transaction_id), 'PENDING')
    await advance('PT2H')
    assert.equal(await stored(grocer.pending_transaction_id), 'EXPIRED')
    assert.equal(await stored(rental.pending_transaction_id), 'PENDING')
    assert.deepEqual(await available(h, account.id), { posted: 10_000, available: 7_000 })
    await advance('P23D')
    assert.equal(await stored(rental.pending_transaction_id), 'EXPIRED')
    assert.deepEqual(await available(h, account.id), { posted: 10_000, available: 10_000 })
    const events = await h.sql`select type from events where resource_id = ${rental.pending_transaction_id} order by id`
    assert.deepEqual(events.map((e) => e.type), ['TRANSACTION.PENDING.CREATED', 'TRANSACTION.PENDING.UPDATED'])
  })
})
