import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { eventsFor, seedBusiness, seedOwner, seedPerson, statusOf } from './seed.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const verify = (body: Record<string, unknown>, key?: string, headers?: Record<string, string>) =>
  h.request('POST', '/v0/verifications/verify', { body: { customer_consent: true, ...body }, key, headers })

const byType = (verifications: any[], party: string) =>
  Object.fromEntries(verifications.filter((v) => (v.person_id ?? v.business_id) === party).map((v) => [v.verification_type, v.result]))

describe('POST /v0/verifications/verify: persons', () => {
  it('accepts an ordinary person, stores IDENTITY and WATCHLIST, rolls up and records the outcome events', async () => {
    const id = await seedPerson(h)
    const res = await verify({ person_id: id })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.verification_status, 'ACCEPTED')
    assert.deepEqual(byType(res.body.verifications, id), { IDENTITY: 'ACCEPTED', WATCHLIST: 'ACCEPTED' })
    const identity = res.body.verifications.find((v: any) => v.verification_type === 'IDENTITY')
    assert.equal(identity.vendor_info.vendor, 'KEEL_SANDBOX')
    assert.ok(identity.details.every((d: any) => d.result === 'PASS'))
    assert.equal(await statusOf(h, 'persons', id), 'ACCEPTED')
    const events = await eventsFor(h, id)
    assert.deepEqual(events.map((e) => e.type), ['PERSON.VERIFICATION_OUTCOME.UPDATED', 'CUSTOMER.KYC_OUTCOME.UPDATED'])
    assert.equal(events[0].resource.verification_status, 'ACCEPTED')
    assert.equal(events[0].changed_fields.verification_status, 'UNVERIFIED')
    assert.equal(events[1].resource.kyc_status, 'ACCEPTED')
    const [{ ssn_in_events }] = await h.sql`select count(*)::int as ssn_in_events from events where resource::text like '%12345%'`
    assert.equal(ssn_in_events, 0)
    // A verified party is subscribed to watchlist monitoring, as Synctera does.
    const subscriptions = await h.request('GET', `/v0/monitoring/subscriptions?person_id=${id}`)
    assert.equal(subscriptions.body.subscriptions.length, 1)
  })

  const table: Array<[string, Record<string, unknown>, string, Record<string, string>, string]> = [
    ['Keel test SSN for review', { ssn: '900-00-0002' }, 'REVIEW', { IDENTITY: 'REVIEW', WATCHLIST: 'ACCEPTED' }, 'REVIEW'],
    ['Keel test SSN for rejection', { ssn: '900-00-0003' }, 'REJECTED', { IDENTITY: 'REJECTED', WATCHLIST: 'ACCEPTED' }, 'REJECTED'],
    ['Keel test SSN for a provider failure', { ssn: '900-00-0004' }, 'UNVERIFIED', { IDENTITY: 'VENDOR_ERROR', WATCHLIST: 'ACCEPTED' }, 'PROVIDER_FAILURE'],
    ['a strong watchlist hit', { first_name: 'Joaquin', last_name: 'Guzman Loera', dob: '1954-12-25' }, 'REJECTED', { IDENTITY: 'ACCEPTED', WATCHLIST: 'REJECTED' }, 'REJECTED'],
    ['a weaker watchlist hit', { first_name: 'Dmitri', last_name: 'Kozack', dob: '1958-03-03' }, 'REVIEW', { IDENTITY: 'ACCEPTED', WATCHLIST: 'REVIEW' }, 'REVIEW'],
    ['a listed name with a DOB decades away', { first_name: 'Joaquin', last_name: 'Guzman Loera', dob: '1999-01-01' }, 'ACCEPTED', { IDENTITY: 'ACCEPTED', WATCHLIST: 'ACCEPTED' }, 'ACCEPTED'],
  ]
  for (const [label, seed, status, results, kyc] of table) {
    it(`${label} → ${status}`, async () => {
      const id = await seedPerson(h, seed)
      const res = await verify({ person_id: id })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      assert.equal(res.body.verification_status, status)
      assert.deepEqual(byType(res.body.verifications, id), results)
      assert.equal(await statusOf(h, 'persons', id), status)
      const kycEvent = (await eventsFor(h, id)).find((e) => e.type === 'CUSTOMER.KYC_OUTCOME.UPDATED')
      assert.equal(kycEvent?.resource.kyc_status, kyc)
      // The record reads as its event said, PROVIDER_FAILURE included.
      const customer = await h.request('GET', `/v0/customers/${id}`)
      assert.equal(customer.status, 200)
      assert.equal(customer.body.kyc_status, kyc)
      assert.equal((await h.request('GET', `/v0/persons/${id}`)).body.verification_status, status)
    })
  }

  it('clears PROVIDER_FAILURE from kyc_status once a later verification runs', async () => {
    const id = await seedPerson(h, { ssn: '900-00-0004' })
    assert.equal((await verify({ person_id: id })).status, 201)
    assert.equal((await h.request('GET', `/v0/customers/${id}`)).body.kyc_status, 'PROVIDER_FAILURE')
    assert.equal((await h.request('PATCH', `/v0/persons/${id}`, { body: { ssn: '123-45-6789' } })).status, 200)
    assert.equal((await verify({ person_id: id })).body.verification_status, 'ACCEPTED')
    assert.equal((await h.request('GET', `/v0/customers/${id}`)).body.kyc_status, 'ACCEPTED')
  })

  it('names the listed entry in the WATCHLIST details of a hit', async () => {
    const id = await seedPerson(h, { first_name: 'Joaquin', last_name: 'Guzman Loera', dob: '1954-12-25' })
    const res = await verify({ person_id: id })
    const watchlist = res.body.verifications.find((v: any) => v.verification_type === 'WATCHLIST')
    assert.equal(watchlist.details[0].vendor_code, 'US_OFAC:6861')
    assert.equal(watchlist.details[0].result, 'FAIL')
    assert.ok(watchlist.details[0].score >= 0.95)
    assert.equal(watchlist.vendor_info.json.matches[0].entry_id, 6861)
    // The hit is also an alert on the party's monitoring, raised once however often it is verified.
    await verify({ person_id: id })
    const alerts = (await h.request('GET', `/v0/monitoring/alerts?person_id=${id}`)).body.alerts
    assert.deepEqual(alerts.map((a: any) => a.vendor_info.json.entry.id), [6861])
  })

  it('supersedes earlier results: a second run leaves one current result per type', async () => {
    const id = await seedPerson(h)
    await verify({ person_id: id })
    await verify({ person_id: id })
    const current = await h.request('GET', `/v0/verifications?person_id=${id}`)
    assert.equal(current.body.verifications.length, 2)
    const all = await h.request('GET', `/v0/verifications?person_id=${id}&include_history=true`)
    assert.equal(all.body.verifications.length, 4)
  })

  it('refuses a person missing what verification needs, naming every field, and changes nothing', async () => {
    const id = await seedPerson(h, { dob: null, ssn: null, legal_address: null, phone_number: null })
    const res = await verify({ person_id: id })
    assert.equal(res.status, 400)
    assert.equal(res.body.code, 'BAD_REQUEST_BODY')
    assert.deepEqual(res.body.missing, ['dob', 'phone_number', 'legal_address', 'ssn'])
    assert.equal(await statusOf(h, 'persons', id), 'UNVERIFIED')
    assert.equal((await h.sql`select 1 from verifications where person_id = ${id}`).length, 0)
    assert.equal((await eventsFor(h, id)).length, 0)
  })

  it('answers bad requests with clean 4xx problems', async () => {
    const person = await seedPerson(h)
    const business = await seedBusiness(h)
    const otherWorkspacePerson = await seedPerson(h, {}, h.workspaces.b)
    const cases: Array<[string, unknown, number, string]> = [
      ['no consent', { person_id: person, customer_consent: false }, 400, 'BAD_REQUEST_BODY'],
      ['consent missing', { person_id: person }, 400, 'BAD_REQUEST_BODY'],
      ['consent not a boolean', { person_id: person, customer_consent: 'yes' }, 400, 'BAD_REQUEST_BODY'],
      ['no party', { customer_consent: true }, 400, 'BAD_REQUEST_BODY'],
      ['two parties', { customer_consent: true, person_id: person, business_id: business }, 400, 'BAD_REQUEST_BODY'],
      ['malformed id', { customer_consent: true, person_id: 'nope' }, 400, 'BAD_REQUEST_BODY'],
      ['unknown person', { customer_consent: true, person_id: uuidv7() }, 400, 'CUSTOMER_NOT_FOUND'],
      ['unknown business', { customer_consent: true, business_id: uuidv7() }, 400, 'BUSINESS_NOT_FOUND'],
      ['another workspace\'s person', { customer_consent: true, person_id: otherWorkspacePerson }, 400, 'CUSTOMER_NOT_FOUND'],
    ]
    for (const [label, body, status, code] of cases) {
      const res = await h.request('POST', '/v0/verifications/verify', { body })
      assert.equal(res.status, status, label)
      assert.equal(res.body.code, code, label)
    }
    assert.equal(await statusOf(h, 'persons', person), 'UNVERIFIED')
  })

  it('replays a retry under the same Idempotency-Key without verifying twice', async () => {
    const id = await seedPerson(h)
    const headers = { 'idempotency-key': uuidv7() }
    const first = await verify({ person_id: id }, undefined, headers)
    const again = await verify({ person_id: id }, undefined, headers)
    assert.equal(again.status, 201)
    assert.deepEqual(again.body, first.body)
    assert.equal((await h.sql`select 1 from verifications where person_id = ${id}`).length, 2)
  })

  it('in a live workspace, with no vendor configured, reports a provider failure instead of verifying', async () => {
    const id = await seedPerson(h, {}, h.workspaces.live)
    const res = await verify({ person_id: id }, h.keys.live)
    assert.equal(res.status, 201)
    assert.equal(res.body.verification_status, 'UNVERIFIED')
    assert.equal(byType(res.body.verifications, id).IDENTITY, 'VENDOR_ERROR')
  })
})

describe('POST /v0/verifications/verify: businesses', () => {
  it('verifies a business with its 25%+ owners and managing persons, not its small owners', async () => {
    const business = await seedBusiness(h)
    const [big, manager, small] = [await seedPerson(h), await seedPerson(h), await seedPerson(h)]
    await seedOwner(h, business, big, 'BENEFICIAL_OWNER_OF', 30)
    await seedOwner(h, business, manager, 'MANAGING_PERSON_OF')
    await seedOwner(h, business, small, 'BENEFICIAL_OWNER_OF', 10)
    const res = await verify({ business_id: business })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.verification_status, 'ACCEPTED')
    assert.deepEqual(byType(res.body.verifications, business), { IDENTITY: 'ACCEPTED', WATCHLIST: 'ACCEPTED', RELATED_ENTITIES: 'ACCEPTED' })
    assert.deepEqual(byType(res.body.verifications, big), { IDENTITY: 'ACCEPTED', WATCHLIST: 'ACCEPTED' })
    assert.deepEqual(byType(res.body.verifications, manager), { IDENTITY: 'ACCEPTED', WATCHLIST: 'ACCEPTED' })
    assert.deepEqual(byType(res.body.verifications, small), {})
    assert.equal(await statusOf(h, 'persons', big), 'ACCEPTED')
    assert.equal(await statusOf(h, 'persons', small), 'UNVERIFIED')
    assert.equal(await statusOf(h, 'businesses', business), 'ACCEPTED')
    assert.deepEqual((await eventsFor(h, business)).map((e) => e.type), ['BUSINESS.VERIFICATION_OUTCOME.UPDATED'])
    const monitored = (await h.request('GET', `/v0/monitoring/subscriptions?person_id=${big},${manager},${small}`)).body.subscriptions
    assert.deepEqual(monitored.map((m: any) => m.person_id).sort(), [big, manager].sort())
    assert.equal((await h.request('GET', `/v0/monitoring/subscriptions?business_id=${business}`)).body.subscriptions.length, 1)
  })

  it('holds a business in REVIEW when an owner is, naming the owner', async () => {
    const business = await seedBusiness(h)
    const owner = await seedPerson(h, { ssn: '900-00-0002' })
    await seedOwner(h, business, owner, 'BENEFICIAL_OWNER_OF', 50)
    const res = await verify({ business_id: business })
    assert.equal(res.body.verification_status, 'REVIEW')
    const related = res.body.verifications.find((v: any) => v.verification_type === 'RELATED_ENTITIES')
    assert.equal(related.result, 'REVIEW')
    assert.match(related.details[0].description, new RegExp(owner))
  })

  const kyb: Array<[string, Record<string, unknown>, string]> = [
    ['Unregistered Business', { entity_name: 'Unregistered Business' }, 'REJECTED'],
    ['Similar Name Business', { entity_name: 'Similar Name Business' }, 'REVIEW'],
    ['123 Grand St.', { legal_address: { address_line_1: '123 Grand St.', city: 'New York', state: 'NY', postal_code: '10013', country_code: 'US' } }, 'REJECTED'],
    ['223 Grand St.', { legal_address: { address_line_1: '223 Grand St.', city: 'New York', state: 'NY', postal_code: '10013', country_code: 'US' } }, 'REVIEW'],
    ['TIN 110000099', { ein: '11-0000099' }, 'REJECTED'],
    ['a sanctioned name', { entity_name: 'Banco Nacional de Cuba' }, 'REJECTED'],
    ['a sanctioned trade name', { trade_names: ['Aerocaribbean Airlines'] }, 'REJECTED'],
    ['a sole proprietorship without an EIN', { ein: null, structure: 'SOLE_PROPRIETORSHIP' }, 'ACCEPTED'],
  ]
  for (const [label, seed, status] of kyb) {
    it(`${label} → ${status}`, async () => {
      const business = await seedBusiness(h, seed)
      const res = await verify({ business_id: business })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      assert.equal(res.body.verification_status, status)
      assert.equal(await statusOf(h, 'businesses', business), status)
    })
  }

  it('refuses the whole verification when the business or an owner lacks fields, changing nothing', async () => {
    const business = await seedBusiness(h, { ein: null })
    const good = await seedPerson(h)
    const bad = await seedPerson(h, { ssn: null })
    await seedOwner(h, business, good, 'BENEFICIAL_OWNER_OF', 40)
    await seedOwner(h, business, bad, 'MANAGING_PERSON_OF')
    const res = await verify({ business_id: business })
    assert.equal(res.status, 400)
    assert.deepEqual(res.body.missing.sort(), ['ein', `owner ${bad}.ssn`].sort())
    assert.equal(await statusOf(h, 'persons', good), 'UNVERIFIED')
    assert.equal((await h.sql`select 1 from verifications where business_id = ${business} or person_id in (${good}, ${bad})`).length, 0)
  })
})
