import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createTemplate } from '../support/accounts.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createVerifiedBusiness, createVerifiedPerson } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

describe('has_accounts on persons, customers and businesses', () => {
  it('turns true once an account names the party, in the field and in the filter', async () => {
    const person = await createVerifiedPerson(h)
    const business = await createVerifiedBusiness(h)
    const idle = await createVerifiedPerson(h)
    assert.equal(person.has_accounts, false)
    assert.equal(business.has_accounts, false)
    const template = await createTemplate(h)
    for (const holder of [{ person_id: person.id }, { business_id: business.id }]) {
      const res = await h.request('POST', '/v0/accounts', { body: { account_template_id: template.id, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', ...holder }] } })
      assert.equal(res.status, 201, JSON.stringify(res.body))
    }
    assert.equal((await h.request('GET', `/v0/persons/${person.id}`)).body.has_accounts, true)
    assert.equal((await h.request('GET', `/v0/customers/${person.id}`)).body.has_accounts, true)
    assert.equal((await h.request('GET', `/v0/businesses/${business.id}`)).body.has_accounts, true)
    assert.equal((await h.request('GET', `/v0/persons/${idle.id}`)).body.has_accounts, false)
    const withAccounts = (await h.request('GET', `/v0/persons?has_accounts=true&id=${person.id},${idle.id}`)).body.persons.map((p: any) => p.id)
    assert.deepEqual(withAccounts, [person.id])
    const without = (await h.request('GET', `/v0/persons?has_accounts=false&id=${person.id},${idle.id}`)).body.persons.map((p: any) => p.id)
    assert.deepEqual(without, [idle.id])
    const businesses = (await h.request('GET', '/v0/businesses?has_accounts=true')).body.businesses.map((b: any) => b.id)
    assert.deepEqual(businesses, [business.id])
  })
})
