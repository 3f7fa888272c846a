// Creating the parties most tests need, through the API, the way an integrator would.
import assert from 'node:assert/strict'
import type { Harness } from './harness.js'

let serial = 0

/** A person with every field KYC needs (name, dob, email, phone, legal address, SSN). */
export function personBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  serial++
  return {
    is_customer: true,
    status: 'ACTIVE',
    first_name: 'Ada',
    last_name: `Lovelace${serial}`,
    dob: '1985-12-10',
    email: `ada${serial}@example.com`,
    phone_number: '+14155550100',
    ssn: `123-45-${String(1000 + (serial % 9000)).padStart(4, '0')}`,
    legal_address: { address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US' },
    ...overrides,
  }
}

export function businessBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  serial++
  return {
    is_customer: true,
    status: 'ACTIVE',
    entity_name: `Acme Widgets ${serial}`,
    ein: `12-34${String(10000 + (serial % 90000)).padStart(5, '0')}`,
    structure: 'LLC',
    formation_date: '2015-04-01',
    formation_state: 'DE',
    email: `ops${serial}@acme.example`,
    phone_number: '+14155550111',
    legal_address: { address_line_1: '500 Market St', city: 'San Francisco', state: 'CA', postal_code: '94105', country_code: 'US' },
    ...overrides,
  }
}

export async function createPerson(h: Harness, overrides: Record<string, unknown> = {}, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/persons', { body: personBody(overrides), key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

export async function createBusiness(h: Harness, overrides: Record<string, unknown> = {}, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/businesses', { body: businessBody(overrides), key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

/**
 * Verifies a party through POST /v0/verifications/verify, as an integrator would. A live workspace
 * has no identity vendor (its checks answer VENDOR_ERROR), so there the helper uploads an external
 * vendor's accepted results through POST /v0/verifications instead, as a live integrator does.
 */
async function verifyParty(h: Harness, party: { person_id: string } | { business_id: string }, key?: string): Promise<void> {
  const res = await h.request('POST', '/v0/verifications/verify', { body: { customer_consent: true, ...party }, key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  if (res.body.verification_status === 'ACCEPTED') return
  const noVendor = res.body.verifications.some((v: any) => v.verification_type === 'IDENTITY' && v.vendor_info?.vendor === 'NONE')
  assert.ok(noVendor, `verification did not pass: ${JSON.stringify(res.body)}`)
  for (const verification_type of ['IDENTITY', 'WATCHLIST']) {
    const upload = await h.request('POST', '/v0/verifications', {
      body: { ...party, verification_type, result: 'ACCEPTED', verification_time: new Date().toISOString(), vendor_info: { vendor: 'TEST_VENDOR', content_type: 'application/json', json: {} } },
      key,
    })
    assert.equal(upload.status, 201, JSON.stringify(upload.body))
  }
}

/** A person whose identity verification has passed, as opening an account requires. */
export async function createVerifiedPerson(h: Harness, overrides: Record<string, unknown> = {}, key?: string): Promise<any> {
  const person = await createPerson(h, overrides, key)
  await verifyParty(h, { person_id: person.id }, key)
  return { ...person, verification_status: 'ACCEPTED' }
}

/** A business verified together with its owners, as opening an account requires. */
export async function createVerifiedBusiness(h: Harness, overrides: Record<string, unknown> = {}, key?: string): Promise<any> {
  const business = await createBusiness(h, overrides, key)
  await verifyParty(h, { business_id: business.id }, key)
  return { ...business, verification_status: 'ACCEPTED' }
}
