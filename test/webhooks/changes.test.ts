// Only a change fires its event, and the event says what changed: a request that sends back what a
// resource already holds (an address whose keys come back in another order included) writes no
// event and keeps its time; an account's holders changing move its time with the event, and a
// party's first account (or the end of its last) moves the party's; a closure's event names the
// balance it moved.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { createTemplate, fundingAccount, openAccount, transfer } from '../support/accounts.js'
import { createVerifiedBusiness, createVerifiedPerson } from '../support/parties.js'
import { holder, issue, products } from '../cards/support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const eventsOf = (resourceId: string) => h.sql<{ type: string; event_time: Date; changed_fields: Record<string, unknown> | null; resource: any }[]>`
  select type, event_time, changed_fields, resource from events where resource_id = ${resourceId} order by id`

/** Sends `body` twice: the first changes the resource and writes its event; the second writes none and moves no time. */
async function onlyOnce(path: string, body: unknown, timeField = 'last_updated_time'): Promise<void> {
  const first = await h.request('PATCH', path, { body })
  assert.equal(first.status, 200, JSON.stringify(first.body))
  const id = path.split('/').pop()!
  const written = (await eventsOf(id)).length
  const again = await h.request('PATCH', path, { body })
  assert.equal(again.status, 200, JSON.stringify(again.body))
  assert.equal((await eventsOf(id)).length, written, `${path}: a request that changes nothing writes no event`)
  assert.equal(again.body[timeField], first.body[timeField], `${path}: and keeps its ${timeField}`)
}

describe('events of changes', () => {
  it('writes none for a PATCH that changes nothing, whatever order an object\'s keys are sent in', async () => {
    const person = await createVerifiedPerson(h)
    await onlyOnce(`/v0/persons/${person.id}`, { legal_address: { country_code: 'US', postal_code: '62702', state: 'IL', city: 'Springfield', address_line_1: '2 Main St' } })
    const business = await createVerifiedBusiness(h)
    await onlyOnce(`/v0/businesses/${business.id}`, { legal_address: { country_code: 'US', postal_code: '94106', state: 'CA', city: 'San Francisco', address_line_1: '501 Market St' } })
    const account = await openAccount(h)
    await onlyOnce(`/v0/accounts/${account.id}`, { account_type: 'CHECKING', nickname: 'My checking' })
    const internal = (await h.request('POST', '/v0/internal_accounts', { body: { account_type: 'ACH_SETTLEMENT', currency: 'USD', description: 'Ops float', gl_type: 'ASSET', purpose: 'CORE', is_system_acc: false, status: 'ACTIVE' } })).body
    await onlyOnce(`/v0/internal_accounts/${internal.id}`, { description: 'Ops float 2' })
    const card = await issue(h, await holder(h), (await products(h)).virtual)
    await onlyOnce(`/v0/cards/${card.id}`, { metadata: { a: '1' } }, 'last_modified_time')
    // What the first PATCH of each wrote names only what it changed.
    const [updated] = (await eventsOf(card.id)).filter((e) => e.type === 'CARD.UPDATED')
    assert.deepEqual(Object.keys(updated.changed_fields ?? {}), ['metadata'])
  })

  it('moves an account\'s time with its holders, and names the holders that changed', async () => {
    const account = await openAccount(h)
    const joint = await createVerifiedBusiness(h)
    const added = await h.request('POST', `/v0/accounts/${account.id}/relationships`, { body: { relationship_type: 'JOINT_ACCOUNT_HOLDER', business_id: joint.id } })
    assert.equal(added.status, 201, JSON.stringify(added.body))
    const read = (await h.request('GET', `/v0/accounts/${account.id}`)).body
    const [event] = (await eventsOf(account.id)).filter((e) => e.type === 'ACCOUNT.UPDATED')
    assert.equal(event.event_time.toISOString(), read.last_updated_time)
    assert.equal(event.resource.last_updated_time, read.last_updated_time)
    assert.deepEqual(Object.keys(event.changed_fields ?? {}), ['business_ids'])
  })

  it('announces a party\'s first account and the end of its last: has_accounts flips with the party\'s time', async () => {
    const person = await createVerifiedPerson(h)
    const business = await createVerifiedBusiness(h)
    const template = await createTemplate(h)
    const open = async () => {
      const res = await h.request('POST', '/v0/accounts', {
        body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', customer_id: person.id }, { relationship_type: 'AUTHORIZED_SIGNER', business_id: business.id }] },
      })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      return res.body
    }
    const updates = async () => ({
      person: (await eventsOf(person.id)).filter((e) => e.type === 'PERSON.UPDATED'),
      customer: (await eventsOf(person.id)).filter((e) => e.type === 'CUSTOMER.UPDATED'),
      business: (await eventsOf(business.id)).filter((e) => e.type === 'BUSINESS.UPDATED'),
    })
    const first = await open()
    let seen = await updates()
    assert.deepEqual([seen.person.length, seen.customer.length, seen.business.length], [1, 1, 1])
    for (const e of [seen.person[0], seen.customer[0], seen.business[0]]) {
      assert.deepEqual(e.changed_fields, { has_accounts: false })
      assert.equal(e.resource.has_accounts, true)
      assert.equal(e.resource.last_updated_time, e.event_time.toISOString())
    }
    const read = (await h.request('GET', `/v0/persons/${person.id}`)).body
    assert.equal(read.has_accounts, true)
    assert.equal(read.last_updated_time, seen.person[0].event_time.toISOString())

    // A second account changes neither party's view.
    const second = await open()
    seen = await updates()
    assert.deepEqual([seen.person.length, seen.customer.length, seen.business.length], [1, 1, 1])

    // The business stops being a signer of both: the second removal ends its last relationship.
    for (const account of [first, second]) {
      const rels = (await h.request('GET', `/v0/accounts/${account.id}/relationships`)).body.relationships
      const signer = rels.find((r: any) => r.business_id === business.id)
      assert.equal((await h.request('DELETE', `/v0/accounts/${account.id}/relationships/${signer.id}`)).status, 200)
    }
    seen = await updates()
    assert.equal(seen.business.length, 2)
    assert.deepEqual(seen.business[1].changed_fields, { has_accounts: true })
    assert.equal((await h.request('GET', `/v0/businesses/${business.id}`)).body.has_accounts, false)
    assert.equal(seen.person.length, 1, 'the person still holds both accounts')
  })

  it('names the balance a closure moved among the fields its event changed', async () => {
    const [account, destination] = [await openAccount(h), await openAccount(h)]
    assert.equal((await transfer(h, { amount: 250, originating_account_id: (await fundingAccount(h)).id, receiving_account_id: account.id })).status, 200)
    const closed = await h.request('POST', `/v0/accounts/${account.id}/initiate_closure`, {
      body: { reason: 'CUSTOMER_REQUEST_TRANSFER', reason_details: 'moving', payment_method: 'INTERNAL_TRANSFER_TO_CUSTOMER_ACCOUNT', destination_id: destination.id },
    })
    assert.equal(closed.status, 200, JSON.stringify(closed.body))
    const event = (await eventsOf(account.id)).filter((e) => e.type === 'ACCOUNT.UPDATED').pop()!
    const changed = event.changed_fields ?? {}
    assert.ok('balances' in changed, Object.keys(changed).join(', '))
    assert.equal((changed.balances as { type: string; balance: number }[]).find((b) => b.type === 'ACCOUNT_BALANCE')?.balance, 250)
    assert.equal(changed.status, 'ACTIVE_OR_DISBURSED')
  })
})
