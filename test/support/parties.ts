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
 * A person whose identity verification has passed, as opening an account requires.
 * (Verification runs through POST /v0/verifications/verify once that endpoint exists.)
 */
export async function createVerifiedPerson(h: Harness, overrides: Record<string, unknown> = {}, key?: string): Promise<any> {
  return createPerson(h, overrides, key)
}

/** A business verified together with its owners, as opening an account requires. */
export async function createVerifiedBusiness(h: Harness, overrides: Record<string, unknown> = {}, key?: string): Promise<any> {
  return createBusiness(h, overrides, key)
}
