// Events stored by view (migration 0401): a posted transfer's and a settled hold's events name a
// view instead of carrying the resource. Read back, through the webhook event log, they must show
// exactly what the API showed at the time, and keep showing it after a wipe deletes the ledger.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, openAccount, transfer } from '../support/accounts.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

interface LoggedEvent { id: string; type: string; resource_id: string; event_resource: string }

async function eventLog(hookId: string): Promise<LoggedEvent[]> {
  const res = await h.request('GET', `/v0/webhooks/${hookId}/events?limit=100`)
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body.event_list
}

describe('events stored by view', () => {
  it('render the transfer, the posted transaction and the settled hold as the API shows them, before and after a wipe', async () => {
    const hook = await h.request('POST', '/v0/webhooks', {
      body: { url: 'https://example.com/hooks/keel', enabled_events: ['INTERNAL_TRANSFER.*', 'TRANSACTION.*'], is_enabled: true },
    })
    assert.equal(hook.status, 201, JSON.stringify(hook.body))
    const funding = await fundingAccount(h)
    const account = await openAccount(h)
    const posted = await transfer(h, { amount: 500, originating_account_id: funding.id, receiving_account_id: account.id })
    assert.equal(posted.status, 200, JSON.stringify(posted.body))
    const held = await transfer(h, { amount: 200, capture_mode: 'MANUAL', originating_account_id: account.id, receiving_account_id: funding.id })
    assert.equal(held.status, 200, JSON.stringify(held.body))
    const canceled = await h.request('PATCH', `/v0/transactions/internal_transfer/${held.body.id}`, { body: { status: 'CANCELED' } })
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body))

    // The stored rows: by view for final states, in full for the new hold.
    const rows = await h.sql<{ type: string; resource_view: string | null; has_resource: boolean }[]>`
      select type, resource_view, resource is not null as has_resource from events
      where resource_id in (${posted.body.id}, ${held.body.id}) order by id`
    assert.deepEqual(rows.map((r) => [r.type, r.resource_view, r.has_resource]), [
      ['TRANSACTION.POSTED.CREATED', 'posted_transaction', false],
      ['INTERNAL_TRANSFER.SUCCEEDED', 'internal_transfer', false],
      ['TRANSACTION.PENDING.CREATED', 'pending_transaction_created', false],
      ['TRANSACTION.PENDING.UPDATED', 'pending_transaction', false],
    ])

    // What a reader sees: the resources as the API answers for them now.
    const expected = new Map([
      ['INTERNAL_TRANSFER.SUCCEEDED', posted.body],
      ['TRANSACTION.POSTED.CREATED', (await h.request('GET', `/v0/transactions/posted/${posted.body.id}`)).body],
      ['TRANSACTION.PENDING.UPDATED', (await h.request('GET', `/v0/transactions/pending/${held.body.id}`)).body],
    ])
    const before = await eventLog(hook.body.id)
    for (const [type, resource] of expected) {
      const event = before.find((e) => e.type === type)
      assert.ok(event, `an event ${type}`)
      assert.deepEqual(JSON.parse(event.event_resource), resource, type)
    }
    assert.equal(JSON.parse(before.find((e) => e.type === 'TRANSACTION.PENDING.CREATED')!.event_resource).data.status, 'PENDING')

    // A wipe deletes the ledger rows the views read, and keeps the events: they keep their resources.
    assert.equal((await h.request('POST', '/v0/wipe')).status, 204)
    assert.equal((await h.sql`select 1 from ledger_transfers where id in (${posted.body.id}, ${held.body.id})`).length, 0)
    const [{ by_view }] = await h.sql<{ by_view: number }[]>`select count(*)::int as by_view from events where resource_view is not null`
    assert.equal(by_view, 0)
    // (Stored as jsonb, like every event carrying its resource: same JSON, keys in jsonb's order.)
    const parsed = (events: LoggedEvent[]) => events.map((e) => ({ ...e, event_resource: JSON.parse(e.event_resource) }))
    assert.deepEqual(parsed(await eventLog(hook.body.id)), parsed(before))
  })
})
