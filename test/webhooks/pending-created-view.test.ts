// A hold's TRANSACTION.PENDING.CREATED event names a view (migration 1530) instead of carrying its
// resource: read back at any later time, through the webhook event log, it shows the pending
// transaction exactly as GET /v0/transactions/pending/{id} showed it when the hold was made, after
// the hold has been raised, partly cleared, canceled or expired, and after a wipe. For every rail
// that makes holds: internal transfers, card authorizations and outgoing ACH.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, openAccount, transfer } from '../support/accounts.js'
import { authorize, fundedCard, simulate } from '../card-authorization/support.js'
import { advanceTo, customer, originate } from '../ach/support.js'

let h: Harness
let hookId: string
before(async () => {
  h = await startHarness()
  // A Thursday morning, Eastern time: an ACH credit made now waits for its window.
  await advanceTo(h, '2031-05-22T12:00:00Z')
  const hook = await h.request('POST', '/v0/webhooks', { body: { url: 'https://example.com/hooks/keel', enabled_events: ['TRANSACTION.*'], is_enabled: true } })
  assert.equal(hook.status, 201, JSON.stringify(hook.body))
  hookId = hook.body.id
})
after(async () => { await h.close() })

const pendingNow = async (id: string) => {
  const res = await h.request('GET', `/v0/transactions/pending/${id}`)
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body
}

/** The resource of the hold's TRANSACTION.PENDING.CREATED event as a reader gets it now. */
async function createdEventResource(holdId: string): Promise<unknown> {
  const res = await h.request('GET', `/v0/webhooks/${hookId}/events?limit=100`)
  assert.equal(res.status, 200, JSON.stringify(res.body))
  const events = (res.body.event_list as { type: string; resource_id: string; event_resource: string }[]).filter((e) => e.resource_id === holdId && e.type === 'TRANSACTION.PENDING.CREATED')
  assert.equal(events.length, 1, `one TRANSACTION.PENDING.CREATED for ${holdId}`)
  return JSON.parse(events[0].event_resource)
}

/** The stored row names the view and carries no resource. */
async function storedByView(holdId: string): Promise<void> {
  const rows = await h.sql<{ resource_view: string | null; has_resource: boolean }[]>`
    select resource_view, resource is not null as has_resource from events where resource_id = ${holdId} and type = 'TRANSACTION.PENDING.CREATED'`
  assert.deepEqual(rows.map((r) => [r.resource_view, r.has_resource]), [['pending_transaction_created', false]])
}

describe('TRANSACTION.PENDING.CREATED, rendered from the hold as made', () => {
  it('an internal transfer hold: the same after it is canceled', async () => {
    const funding = await fundingAccount(h)
    const account = await openAccount(h)
    assert.equal((await transfer(h, { amount: 900, originating_account_id: funding.id, receiving_account_id: account.id })).status, 200)
    const held = await transfer(h, { amount: 250, capture_mode: 'MANUAL', originating_account_id: account.id, receiving_account_id: funding.id })
    assert.equal(held.status, 200, JSON.stringify(held.body))
    const asMade = await pendingNow(held.body.id)
    assert.equal(asMade.data.status, 'PENDING')
    await storedByView(held.body.id)
    assert.deepEqual(await createdEventResource(held.body.id), asMade)
    const canceled = await h.request('PATCH', `/v0/transactions/internal_transfer/${held.body.id}`, { body: { status: 'CANCELED' } })
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body))
    assert.notDeepEqual(await pendingNow(held.body.id), asMade)
    assert.deepEqual(await createdEventResource(held.body.id), asMade)
  })

  it('a card authorization: the same after an incremental authorization, a partial clearing, and another authorization on the account', async () => {
    const { card } = await fundedCard(h, 10_000)
    const auth = (await authorize(h, card.id, 1_000)).body.transaction
    const holdId = auth.pending_transaction_id as string
    const asMade = await pendingNow(holdId)
    await storedByView(holdId)
    const raised = await authorize(h, card.id, 400, { transaction_options: { transaction_id: auth.token } })
    assert.equal(raised.status, 201, JSON.stringify(raised.body))
    // The hold as it is now differs in its amount and balances; the event as made does not.
    const changed = await pendingNow(holdId)
    assert.equal(changed.data.amount, 1_400)
    assert.notEqual(changed.data.avail_balance, asMade.data.avail_balance)
    assert.deepEqual(await createdEventResource(holdId), asMade)
    assert.equal((await authorize(h, card.id, 2_000)).status, 201)
    const cleared = await simulate(h, 'clearing', { original_transaction_id: auth.token, amount: 600 })
    assert.equal(cleared.status, 201, JSON.stringify(cleared.body))
    assert.deepEqual(await createdEventResource(holdId), asMade)
  })

  it('a card authorization left to expire: still PENDING as made, after the clock has expired it', async () => {
    const { card } = await fundedCard(h, 5_000)
    const auth = (await authorize(h, card.id, 700)).body.transaction
    const asMade = await pendingNow(auth.pending_transaction_id)
    const advanced = await h.request('POST', '/v0/sandbox/clock/advance', { body: { by: 'P8D' } })
    assert.equal(advanced.status, 200, JSON.stringify(advanced.body))
    assert.equal((await pendingNow(auth.pending_transaction_id)).data.status, 'EXPIRED')
    const created = await createdEventResource(auth.pending_transaction_id) as { data: { status: string } }
    assert.equal(created.data.status, 'PENDING')
    assert.deepEqual(created, asMade)
  })

  it('an outgoing ACH credit\'s reservation: the same after the entry is canceled, and after a wipe', async () => {
    const c = await customer(h, 3_000)
    const res = await originate(h, c, { amount: 1_200, dc_sign: 'credit' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const [{ hold_id: holdId }] = await h.sql<{ hold_id: string }[]>`select ledger_hold_id as hold_id from ach_outgoing where id = ${res.body.id}`
    const asMade = await pendingNow(holdId)
    await storedByView(holdId)
    assert.equal((await h.request('PATCH', `/v0/ach/${res.body.id}`, { body: { status: 'CANCELED' } })).status, 200)
    assert.equal((await pendingNow(holdId)).data.status, 'RELEASED')
    assert.deepEqual(await createdEventResource(holdId), asMade)
    // A wipe deletes the holds and keeps the events, each with its resource rendered into it first.
    assert.equal((await h.request('POST', '/v0/wipe')).status, 204)
    assert.equal((await h.sql`select 1 from ledger_holds where id = ${holdId}`).length, 0)
    // (Stored as jsonb then: the same JSON, keys in jsonb's order.)
    assert.deepEqual(await createdEventResource(holdId), asMade)
  })
})
