// The gate end to end: opening an account for a party that verification has not ACCEPTED.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createTemplate } from '../support/accounts.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createBusiness, createPerson, createVerifiedPerson } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const open = (template: string, holder: Record<string, string>, key?: string) =>
  h.request('POST', '/v0/accounts', { key, body: { account_template_id: template, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', ...holder }] } })

describe('opening an account needs an ACCEPTED holder', () => {
  for (const [mode, key] of [['sandbox', undefined], ['live', 'live']] as const) {
    it(`in ${mode}`, async () => {
      const k = key ? h.keys.live : undefined
      const template = (await createTemplate(h, {}, k)).id
      const person = await createPerson(h, {}, k)
      const refused = await open(template, { customer_id: person.id }, k)
      assert.equal(refused.status, 422)
      assert.equal(refused.body.code, 'CUSTOMER_NOT_VERIFIED')
      const business = await createBusiness(h, {}, k)
      const refusedBusiness = await open(template, { business_id: business.id }, k)
      assert.equal(refusedBusiness.status, 422)
      assert.equal(refusedBusiness.body.code, 'BUSINESS_NOT_VERIFIED')
      const verified = await createVerifiedPerson(h, {}, k)
      assert.equal((await open(template, { customer_id: verified.id }, k)).status, 201)
    })
  }

  it('refuses a holder verification put in REVIEW or REJECTED', async () => {
    const template = (await createTemplate(h)).id
    for (const [ssn, status] of [['900-00-0002', 'REVIEW'], ['900-00-0003', 'REJECTED']]) {
      const person = await createPerson(h, { ssn })
      const verify = await h.request('POST', '/v0/verifications/verify', { body: { customer_consent: true, person_id: person.id } })
      assert.equal(verify.body.verification_status, status)
      const res = await open(template, { customer_id: person.id })
      assert.equal(res.status, 422)
      assert.equal(res.body.code, 'CUSTOMER_NOT_VERIFIED')
    }
  })
})

describe('adding a holder to an open account needs an ACCEPTED party too', () => {
  it('refuses an unverified holder through POST and PUT of account relationships, and changes nothing', async () => {
    const template = (await createTemplate(h)).id
    const owner = await createVerifiedPerson(h)
    const account = (await open(template, { customer_id: owner.id })).body
    const unverified = await createPerson(h)
    const path = `/v0/accounts/${account.id}/relationships`
    const added = await h.request('POST', path, { body: { relationship_type: 'ACCOUNT_HOLDER', customer_id: unverified.id } })
    assert.equal(added.status, 422)
    assert.equal(added.body.code, 'CUSTOMER_NOT_VERIFIED')
    // A non-holder role (an authorized signer) is not gated; turning it into a holder is.
    const signer = await h.request('POST', path, { body: { relationship_type: 'AUTHORIZED_SIGNER', customer_id: unverified.id } })
    assert.equal(signer.status, 201, JSON.stringify(signer.body))
    const promoted = await h.request('PUT', `${path}/${signer.body.id}`, { body: { relationship_type: 'ACCOUNT_HOLDER', customer_id: unverified.id } })
    assert.equal(promoted.status, 422)
    assert.equal(promoted.body.code, 'CUSTOMER_NOT_VERIFIED')
    const holders = (await h.request('GET', path)).body.relationships.map((r: any) => [r.relationship_type, r.customer_id ?? r.person_id])
    assert.deepEqual(holders.sort(), [['AUTHORIZED_SIGNER', unverified.id], ['PRIMARY_ACCOUNT_HOLDER', owner.id]].sort())
    const verified = await createVerifiedPerson(h)
    assert.equal((await h.request('POST', path, { body: { relationship_type: 'ACCOUNT_HOLDER', customer_id: verified.id } })).status, 201)
  })
})
