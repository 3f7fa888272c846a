// Workspace isolation across every customers endpoint: workspace b, holding a valid key of its own,
// tries to read, list, change, delete and refer to workspace a's records. Each attempt must fail
// the way the catalogue says (a by-id URL: 404; a body naming a party: 400 *_NOT_FOUND), and
// afterwards every row of a's is exactly as it was.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness, type Response } from './support/harness.js'
import { businessBody, personBody } from './support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const tables = ['persons', 'personal_ids', 'businesses', 'relationships', 'addresses', 'disclosures', 'events'] as const

/** Every row workspace a owns in the customers tables (and its events), in a stable order. */
async function snapshotOf(workspaceId: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {}
  for (const table of tables) out[table] = [...await h.sql`select * from ${h.sql(table)} where workspace_id = ${workspaceId} order by id`]
  return out
}

// Records are made through the API, each on first use, so one endpoint not yet served fails only
// the rows that need it, naming the request that failed.
const made = new Map<string, Promise<string>>()
function record(name: string, make: () => Promise<Response>): () => Promise<string> {
  return () => {
    if (!made.has(name)) {
      made.set(name, make().then((res) => {
        assert.ok(res.status === 201 || res.status === 200, `setup: creating ${name} answered ${res.status} ${JSON.stringify(res.body)}`)
        return res.body.id as string
      }))
    }
    return made.get(name)!
  }
}

const post = (key: () => string, path: string, body: () => Promise<unknown>) => async () => h.request('POST', path, { key: key(), body: await body() })
const keyA = () => h.keys.a
const keyB = () => h.keys.b

// Workspace a's records.
const personA = record('person (a)', post(keyA, '/v0/persons', async () => personBody()))
const ownerA = record('second person (a)', post(keyA, '/v0/persons', async () => personBody({ first_name: 'Grace' })))
const businessA = record('business (a)', post(keyA, '/v0/businesses', async () => businessBody()))
const customerA = record('customer (a)', post(keyA, '/v0/customers', async () => ({ status: 'ACTIVE', first_name: 'Alan', last_name: 'Turing', dob: '1912-06-23', email: 'alan@example.com' })))
const personalIdA = record('personal id (a)', post(keyA, '/v0/persons/personal_ids', async () => ({ customer_id: await personA(), id_type: 'PASSPORT_NUMBER', identifier: 'X12345678', country_code: 'US' })))
const relationshipA = record('relationship (a)', post(keyA, '/v0/relationships', async () => ({
  relationship_type: 'BENEFICIAL_OWNER_OF', from_person_id: await ownerA(), to_business_id: await businessA(), additional_data: { percent_ownership: 30 },
})))
const addressA = record('address (a)', post(keyA, '/v0/addresses', async () => ({
  customer_id: await personA(), address_type: 'SHIPPING', address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US',
})))
const disclosureA = record('disclosure (a)', post(keyA, '/v0/disclosures', async () => ({
  person_id: await personA(), type: 'REG_E', version: '1.0', event_type: 'ACKNOWLEDGED', disclosure_date: '2026-01-02T03:04:05Z',
})))

// Workspace b's own parties, so that b's requests are valid but for the one foreign reference.
const personB = record('person (b)', post(keyB, '/v0/persons', async () => personBody()))
const businessB = record('business (b)', post(keyB, '/v0/businesses', async () => businessBody()))

type Id = () => Promise<string>
interface Attempt { name: string; method: string; path: () => Promise<string>; body?: () => Promise<unknown>; status: number; code: string }

const at = (template: string, id: Id) => async () => template.replace('{}', await id())
const fixed = (path: string) => async () => path

// GET, PATCH, PUT and DELETE of a's records by id: the URL names nothing b owns.
const byId: Attempt[] = [
  { name: 'read a person', method: 'GET', path: at('/v0/persons/{}', personA), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'read a person as a customer', method: 'GET', path: at('/v0/customers/{}', personA), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'read a customer', method: 'GET', path: at('/v0/customers/{}', customerA), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'read a business', method: 'GET', path: at('/v0/businesses/{}', businessA), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'read a relationship', method: 'GET', path: at('/v0/relationships/{}', relationshipA), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'read an address', method: 'GET', path: at('/v0/addresses/{}', addressA), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'read a disclosure', method: 'GET', path: at('/v0/disclosures/{}', disclosureA), status: 404, code: 'RESOURCE_NOT_FOUND' },

  { name: 'patch a person', method: 'PATCH', path: at('/v0/persons/{}', personA), body: async () => ({ first_name: 'Mallory' }), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'patch a customer', method: 'PATCH', path: at('/v0/customers/{}', customerA), body: async () => ({ first_name: 'Mallory' }), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'put a customer', method: 'PUT', path: at('/v0/customers/{}', customerA), body: async () => ({ status: 'ACTIVE', first_name: 'Mallory', last_name: 'Evil' }), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'patch a business', method: 'PATCH', path: at('/v0/businesses/{}', businessA), body: async () => ({ entity_name: 'Mallory Inc' }), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'patch a relationship', method: 'PATCH', path: at('/v0/relationships/{}', relationshipA), body: async () => ({ relationship_type: 'BENEFICIAL_OWNER_OF', additional_data: { percent_ownership: 99 } }), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'patch an address', method: 'PATCH', path: at('/v0/addresses/{}', addressA), body: async () => ({ city: 'Elsewhere' }), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'patch a personal id', method: 'PATCH', path: at('/v0/persons/personal_ids/{}', personalIdA), body: async () => ({ id_type: 'PASSPORT_NUMBER', identifier: 'Y99999999' }), status: 404, code: 'RESOURCE_NOT_FOUND' },

  { name: 'delete a relationship', method: 'DELETE', path: at('/v0/relationships/{}', relationshipA), status: 404, code: 'RESOURCE_NOT_FOUND' },
  { name: 'delete a personal id', method: 'DELETE', path: at('/v0/persons/personal_ids/{}', personalIdA), status: 404, code: 'RESOURCE_NOT_FOUND' },
]

// Bodies naming a's parties: the URL is fine, the reference is not (400, never 404).
const references: Attempt[] = [
  { name: 'a personal id for a’s person', method: 'POST', path: fixed('/v0/persons/personal_ids'), body: async () => ({ customer_id: await personA(), id_type: 'PASSPORT_NUMBER', identifier: 'Z11111111', country_code: 'US' }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
  { name: 'a relationship from a’s person', method: 'POST', path: fixed('/v0/relationships'), body: async () => ({ relationship_type: 'BENEFICIAL_OWNER_OF', from_person_id: await personA(), to_business_id: await businessB(), additional_data: { percent_ownership: 30 } }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
  { name: 'a relationship to a’s business', method: 'POST', path: fixed('/v0/relationships'), body: async () => ({ relationship_type: 'MANAGING_PERSON_OF', from_person_id: await personB(), to_business_id: await businessA(), additional_data: { title: 'DIRECTOR' } }), status: 400, code: 'BUSINESS_NOT_FOUND' },
  { name: 'a business-owner relationship from a’s business', method: 'POST', path: fixed('/v0/relationships'), body: async () => ({ relationship_type: 'OWNER_OF', from_business_id: await businessA(), to_business_id: await businessB(), additional_data: { percent_ownership: 50 } }), status: 400, code: 'BUSINESS_NOT_FOUND' },
  { name: 'an address for a’s person', method: 'POST', path: fixed('/v0/addresses'), body: async () => ({ customer_id: await personA(), address_type: 'LEGAL', address_line_1: '2 Main St', city: 'Springfield', state: 'IL', country_code: 'US' }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
  { name: 'an address for a’s business', method: 'POST', path: fixed('/v0/addresses'), body: async () => ({ business_id: await businessA(), address_type: 'LEGAL', address_line_1: '2 Main St', city: 'Springfield', state: 'IL', country_code: 'US' }), status: 400, code: 'BUSINESS_NOT_FOUND' },
  { name: 'a disclosure for a’s person', method: 'POST', path: fixed('/v0/disclosures'), body: async () => ({ person_id: await personA(), type: 'REG_E', version: '1.0', event_type: 'ACKNOWLEDGED', disclosure_date: '2026-01-02T03:04:05Z' }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
  { name: 'a disclosure for a’s business', method: 'POST', path: fixed('/v0/disclosures'), body: async () => ({ business_id: await businessA(), type: 'REG_E', version: '1.0', event_type: 'ACKNOWLEDGED', disclosure_date: '2026-01-02T03:04:05Z' }), status: 400, code: 'BUSINESS_NOT_FOUND' },
  { name: 'a disclosure acknowledged by a’s person', method: 'POST', path: fixed('/v0/disclosures'), body: async () => ({ business_id: await businessB(), acknowledging_person_id: await personA(), type: 'OWNER_CERTIFICATION', version: '1.0', event_type: 'ACKNOWLEDGED', disclosure_date: '2026-01-02T03:04:05Z' }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
]

// Lists, unfiltered and filtered on a's ids: none of a's records appear.
interface Listing { name: string; path: () => Promise<string>; items: string; hidden: Id[] }
const lists: Listing[] = [
  { name: 'persons', path: fixed('/v0/persons'), items: 'persons', hidden: [personA, ownerA] },
  { name: 'persons by id', path: async () => `/v0/persons?id=${await personA()},${await ownerA()}`, items: 'persons', hidden: [personA, ownerA] },
  { name: 'customers', path: fixed('/v0/customers'), items: 'customers', hidden: [personA, customerA] },
  { name: 'customers by id', path: async () => `/v0/customers?id=${await customerA()}`, items: 'customers', hidden: [customerA] },
  { name: 'businesses', path: fixed('/v0/businesses'), items: 'businesses', hidden: [businessA] },
  { name: 'businesses by id', path: async () => `/v0/businesses?id=${await businessA()}`, items: 'businesses', hidden: [businessA] },
  { name: 'relationships', path: fixed('/v0/relationships'), items: 'relationships', hidden: [relationshipA] },
  { name: 'relationships by party', path: async () => `/v0/relationships?from_person_id=${await ownerA()}&to_business_id=${await businessA()}`, items: 'relationships', hidden: [relationshipA] },
  { name: 'addresses', path: fixed('/v0/addresses'), items: 'addresses', hidden: [addressA] },
  { name: 'addresses by customer', path: async () => `/v0/addresses?customer_id=${await personA()}`, items: 'addresses', hidden: [addressA] },
  { name: 'disclosures', path: fixed('/v0/disclosures'), items: 'disclosures', hidden: [disclosureA] },
  { name: 'disclosures by person', path: async () => `/v0/disclosures?person_id=${await personA()}`, items: 'disclosures', hidden: [disclosureA] },
]

describe('workspace b cannot reach workspace a’s records', () => {
  let snapshot: Record<string, unknown[]> | undefined
  it('workspace a holds one of each record', async () => {
    const failed: string[] = []
    for (const make of [personA, ownerA, businessA, customerA, personalIdA, relationshipA, addressA, disclosureA, personB, businessB]) {
      await make().catch((err: Error) => { failed.push(err.message) })
    }
    snapshot = await snapshotOf(h.workspaces.a)
    assert.deepEqual(failed, [])
    for (const table of tables) assert.ok(snapshot[table].length > 0, `workspace a has ${table}`)
  })

  for (const a of [...byId, ...references]) {
    it(`${a.method} ${a.name}: ${a.status} ${a.code}`, async () => {
      const path = await a.path()
      const body = a.body ? await a.body() : undefined
      const res = await h.request(a.method, path, { key: h.keys.b, body })
      assert.equal(res.status, a.status, JSON.stringify(res.body))
      assert.equal(res.body.code, a.code)
      // The same request from a itself reaches the record, so the refusal above is tenancy's doing.
      if (a.method === 'GET') assert.equal((await h.request('GET', path, { key: h.keys.a })).status, 200)
    })
  }

  for (const l of lists) {
    it(`list ${l.name}: a’s records absent`, async () => {
      const path = await l.path()
      const hidden = await Promise.all(l.hidden.map((id) => id()))
      const res = await h.request('GET', path, { key: h.keys.b })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      const ids = (res.body[l.items] as { id: string }[]).map((r) => r.id)
      for (const id of hidden) assert.ok(!ids.includes(id), `${id} listed to workspace b`)
      const own = (await h.request('GET', path, { key: h.keys.a })).body[l.items] as { id: string }[]
      assert.ok(hidden.some((id) => own.some((r) => r.id === id)), 'the same list in a shows them')
    })
  }

  it('afterwards every row of workspace a is as it was', async () => {
    assert.ok(snapshot, 'snapshot taken')
    assert.deepEqual(await snapshotOf(h.workspaces.a), snapshot)
  })
})
