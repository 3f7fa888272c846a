import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createBusiness, createPerson } from '../support/parties.js'

// A clock the tests move by hand, so timestamps are exact and an update is visibly later.
let now = new Date('2026-03-01T12:00:00.000Z')
const tick = () => { now = new Date(now.getTime() + 60_000) }

let h: Harness
before(async () => { h = await startHarness({ clock: { now: () => now } }) })
after(async () => { await h.close() })

const home = { address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US' }
const addressFor = (owner: { customer_id?: string; business_id?: string }, extra: Record<string, unknown> = {}) =>
  ({ address_type: 'SHIPPING', ...home, ...owner, ...extra })

async function createAddress(body: Record<string, unknown>, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/addresses', { body, key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

async function eventsOf(workspaceId: string): Promise<{ type: string; resource_id: string; resource: any; changed_fields: any }[]> {
  return [...await h.sql`select type, resource_id, resource, changed_fields from events where workspace_id = ${workspaceId} and type like 'ADDRESS.%' order by id`] as never
}

async function addressCount(workspaceId: string): Promise<number> {
  const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from addresses where workspace_id = ${workspaceId}`
  return n
}

describe('createAddress and getAddress', () => {
  it('creates a person’s address with the spec’s shape, defaults and an ADDRESS.CREATED event', async () => {
    const ws = await h.newWorkspace('addr-create', 'sandbox')
    const person = await createPerson(h, {}, ws.key)
    const res = await h.request('POST', '/v0/addresses', { key: ws.key, body: addressFor({ customer_id: person.id }, { address_line_2: 'Apt 4', nickname: 'Home' }) })
    assert.equal(res.status, 201)
    assert.deepEqual(res.body, {
      id: res.body.id, customer_id: person.id, address_type: 'SHIPPING', ...home, address_line_2: 'Apt 4', nickname: 'Home',
      is_active: true, creation_date: now.toISOString(), last_updated_time: now.toISOString(),
    })
    const got = await h.request('GET', `/v0/addresses/${res.body.id}`, { key: ws.key })
    assert.equal(got.status, 200)
    assert.deepEqual(got.body, res.body)
    const events = await eventsOf(ws.id)
    assert.deepEqual(events.map((e) => [e.type, e.resource_id]), [['ADDRESS.CREATED', res.body.id]])
    assert.deepEqual(events[0].resource, res.body)
  })

  it('creates a business’s address: registered agent shown when true, Canadian postal codes rewritten, inactive on request', async () => {
    const business = await createBusiness(h)
    const agent = await createAddress({ business_id: business.id, address_type: 'LEGAL', address_line_1: '251 Little Falls Dr', city: 'Wilmington', state: 'DE', postal_code: '19808', country_code: 'US', is_registered_agent: true })
    assert.equal(agent.business_id, business.id)
    assert.equal(agent.customer_id, undefined)
    assert.equal(agent.is_registered_agent, true)
    const ca = await createAddress({ business_id: business.id, address_type: 'OPERATING', address_line_1: '1 Rue Sainte-Catherine', city: 'Montréal', state: 'QC', postal_code: 'h2x1y4', country_code: 'CA', is_registered_agent: false, is_active: false })
    assert.equal(ca.postal_code, 'H2X 1Y4')
    assert.equal(ca.is_active, false)
    assert.ok(!('is_registered_agent' in ca), 'the spec omits is_registered_agent when false')
  })

  it('answers 404 RESOURCE_NOT_FOUND for an unknown or malformed id', async () => {
    for (const id of [uuidv7(), 'not-a-uuid']) {
      const res = await h.request('GET', `/v0/addresses/${id}`)
      assert.equal(res.status, 404)
      assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
    }
  })
})

describe('createAddress refuses bad input cleanly and changes nothing', () => {
  let ws: { id: string; key: string }
  let person: any
  let business: any
  before(async () => {
    ws = await h.newWorkspace('addr-bad-create', 'sandbox')
    person = await createPerson(h, {}, ws.key)
    business = await createBusiness(h, {}, ws.key)
  })

  type Case = { name: string; body?: () => unknown; payload?: string; status: number; code: string; missing?: string[]; invalid?: string[]; immutable?: string[] }
  const cases: Case[] = [
    { name: 'empty body', body: () => ({}), status: 400, code: 'BAD_REQUEST_BODY', missing: ['address_line_1', 'address_type', 'city', 'country_code', 'state'] },
    { name: 'no owner', body: () => addressFor({}), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['business_id', 'customer_id'] },
    { name: 'two owners', body: () => addressFor({ customer_id: person.id, business_id: business.id }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['business_id', 'customer_id'] },
    { name: 'unknown customer', body: () => addressFor({ customer_id: uuidv7() }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
    { name: 'unknown business', body: () => addressFor({ business_id: uuidv7() }), status: 400, code: 'BUSINESS_NOT_FOUND' },
    { name: 'a business named as the customer', body: () => addressFor({ customer_id: business.id }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
    { name: 'a person named as the business', body: () => addressFor({ business_id: person.id }), status: 400, code: 'BUSINESS_NOT_FOUND' },
    { name: 'customer_id not a uuid', body: () => addressFor({ customer_id: 'abc' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['customer_id'] },
    { name: 'unknown address_type', body: () => addressFor({ customer_id: person.id }, { address_type: 'HOME' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['address_type'] },
    { name: 'lower-case country', body: () => addressFor({ customer_id: person.id }, { country_code: 'us' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['country_code'] },
    { name: 'alpha-3 country', body: () => addressFor({ customer_id: person.id }, { country_code: 'USA' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['country_code'] },
    { name: 'unassigned country', body: () => addressFor({ customer_id: person.id }, { country_code: 'ZZ' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['country_code'] },
    { name: 'US ZIP malformed', body: () => addressFor({ customer_id: person.id }, { postal_code: '6270' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['postal_code'] },
    { name: 'Canadian postal code malformed', body: () => addressFor({ customer_id: person.id }, { country_code: 'CA', state: 'ON', postal_code: 'K1A 0A' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['postal_code'] },
    { name: 'US state spelled out', body: () => addressFor({ customer_id: person.id }, { state: 'Illinois' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['state'] },
    { name: 'blank street and city', body: () => addressFor({ customer_id: person.id }, { address_line_1: '  ', city: '' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['address_line_1', 'city'] },
    { name: 'number for a string', body: () => addressFor({ customer_id: person.id }, { address_line_1: 1 }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['address_line_1'] },
    { name: 'string for a boolean', body: () => addressFor({ customer_id: person.id }, { is_active: 'true' }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['is_active'] },
    { name: 'null for a string', body: () => addressFor({ customer_id: person.id }, { address_line_2: null }), status: 400, code: 'BAD_REQUEST_BODY', invalid: ['address_line_2'] },
    { name: 'an array', body: () => [addressFor({ customer_id: person.id })], status: 400, code: 'BAD_REQUEST_BODY' },
    { name: 'malformed JSON', payload: '{"address_type": "LEGAL",', status: 400, code: 'BAD_REQUEST_BODY' },
  ]

  for (const c of cases) {
    it(c.name, async () => {
      const res = await h.request('POST', '/v0/addresses', { key: ws.key, ...(c.payload !== undefined ? { payload: c.payload } : { body: c.body!() }) })
      assert.equal(res.status, c.status, JSON.stringify(res.body))
      assert.equal(res.body.code, c.code)
      if (c.missing) assert.deepEqual(res.body.missing, c.missing)
      if (c.invalid) assert.deepEqual(Object.keys(res.body.invalid ?? {}).sort(), c.invalid)
    })
  }

  it('a request without a key is 401', async () => {
    const res = await h.request('POST', '/v0/addresses', { key: null, body: addressFor({ customer_id: person.id }) })
    assert.equal(res.status, 401)
    assert.equal(res.body.code, 'UNAUTHENTICATED')
  })

  it('stored no address and recorded no event for any of them', async () => {
    assert.equal(await addressCount(ws.id), 0, 'no refused request stored an address')
    assert.deepEqual(await eventsOf(ws.id), [], 'no refused request recorded an event')
  })
})

describe('updateAddress', () => {
  let ws: { id: string; key: string }
  let person: any
  before(async () => {
    ws = await h.newWorkspace('addr-update', 'sandbox')
    person = await createPerson(h, {}, ws.key)
  })

  it('changes the fields sent, keeps the rest, stamps last_updated_time and records ADDRESS.UPDATED with prior values', async () => {
    const created = await createAddress(addressFor({ customer_id: person.id }, { nickname: 'Home', is_registered_agent: true }), ws.key)
    tick()
    const res = await h.request('PATCH', `/v0/addresses/${created.id}`, { key: ws.key, body: { address_line_2: 'Unit 9', postal_code: '62701-1234', is_registered_agent: false, is_active: false } })
    assert.equal(res.status, 200)
    const { is_registered_agent: _dropped, ...kept } = created
    assert.deepEqual(res.body, { ...kept, address_line_2: 'Unit 9', postal_code: '62701-1234', is_active: false, last_updated_time: now.toISOString() })
    assert.equal(res.body.creation_date, created.creation_date)
    assert.deepEqual((await h.request('GET', `/v0/addresses/${created.id}`, { key: ws.key })).body, res.body)
    const updated = (await eventsOf(ws.id)).filter((e) => e.type === 'ADDRESS.UPDATED')
    assert.equal(updated.length, 1)
    assert.deepEqual(updated[0].resource, res.body)
    assert.deepEqual(updated[0].changed_fields, { address_line_2: null, postal_code: '62701', is_registered_agent: true, is_active: true })
  })

  it('checks the address as a whole: a new country needs a postal code and state of that country', async () => {
    const created = await createAddress(addressFor({ customer_id: person.id }), ws.key)
    const alone = await h.request('PATCH', `/v0/addresses/${created.id}`, { key: ws.key, body: { country_code: 'CA' } })
    assert.equal(alone.status, 400)
    assert.deepEqual(Object.keys(alone.body.invalid), ['postal_code'])
    const moved = await h.request('PATCH', `/v0/addresses/${created.id}`, { key: ws.key, body: { country_code: 'CA', state: 'ON', city: 'Ottawa', postal_code: 'k1a0a6' } })
    assert.equal(moved.status, 200, JSON.stringify(moved.body))
    assert.equal(moved.body.postal_code, 'K1A 0A6')
  })

  it('accepts what a GET returned, sent back unchanged, and then changes nothing', async () => {
    const created = await createAddress(addressFor({ customer_id: person.id }), ws.key)
    const before = await eventsOf(ws.id)
    tick()
    for (const body of [{}, created, { city: created.city }]) {
      const res = await h.request('PATCH', `/v0/addresses/${created.id}`, { key: ws.key, body })
      assert.equal(res.status, 200)
      assert.deepEqual(res.body, created, 'no new last_updated_time for a patch that changes nothing')
    }
    assert.equal((await eventsOf(ws.id)).length, before.length, 'no event for a patch that changes nothing')
  })

  it('refuses bad patches cleanly and changes nothing', async () => {
    const business = await createBusiness(h, {}, ws.key)
    const created = await createAddress(addressFor({ customer_id: person.id }), ws.key)
    const eventsBefore = await eventsOf(ws.id)
    const cases: { body: unknown; code: string; invalid?: string[]; immutable?: string[] }[] = [
      { body: { address_type: 'LEGAL' }, code: 'BAD_REQUEST_BODY', immutable: ['address_type'] },
      { body: { customer_id: uuidv7() }, code: 'BAD_REQUEST_BODY', immutable: ['customer_id'] },
      { body: { business_id: business.id }, code: 'BAD_REQUEST_BODY', immutable: ['business_id'] },
      { body: { id: uuidv7() }, code: 'BAD_REQUEST_BODY', immutable: ['id'] },
      { body: { creation_date: '2020-01-01T00:00:00Z' }, code: 'BAD_REQUEST_BODY', immutable: ['creation_date'] },
      { body: { city: '' }, code: 'BAD_REQUEST_BODY', invalid: ['city'] },
      { body: { country_code: 'XX' }, code: 'BAD_REQUEST_BODY', invalid: ['country_code'] },
      { body: { postal_code: 'ABCDE' }, code: 'BAD_REQUEST_BODY', invalid: ['postal_code'] },
      { body: { is_active: 'no' }, code: 'BAD_REQUEST_BODY', invalid: ['is_active'] },
      { body: { address_line_1: null }, code: 'BAD_REQUEST_BODY', invalid: ['address_line_1'] },
      { body: 'city', code: 'BAD_REQUEST_BODY' },
    ]
    for (const c of cases) {
      const res = await h.request('PATCH', `/v0/addresses/${created.id}`, { key: ws.key, body: c.body })
      assert.equal(res.status, 400, JSON.stringify(c.body))
      assert.equal(res.body.code, c.code, JSON.stringify(c.body))
      if (c.invalid) assert.deepEqual(Object.keys(res.body.invalid ?? {}).sort(), c.invalid, JSON.stringify(c.body))
      if (c.immutable) assert.deepEqual(res.body.immutable, c.immutable, JSON.stringify(c.body))
    }
    for (const id of [uuidv7(), 'not-a-uuid']) {
      const res = await h.request('PATCH', `/v0/addresses/${id}`, { key: ws.key, body: { city: 'Elsewhere' } })
      assert.equal(res.status, 404)
      assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
    }
    assert.deepEqual((await h.request('GET', `/v0/addresses/${created.id}`, { key: ws.key })).body, created)
    assert.equal((await eventsOf(ws.id)).length, eventsBefore.length)
  })
})

describe('listAddresses', () => {
  let ws: { id: string; key: string }
  let made: Record<string, any>
  before(async () => {
    ws = await h.newWorkspace('addr-list', 'sandbox')
    const person = await createPerson(h, {}, ws.key)
    const other = await createPerson(h, {}, ws.key)
    const business = await createBusiness(h, {}, ws.key)
    made = {
      shipping: await createAddress(addressFor({ customer_id: person.id }), ws.key),
      billing: await createAddress(addressFor({ customer_id: person.id }, { address_type: 'BILLING', is_active: false }), ws.key),
      otherLegal: await createAddress(addressFor({ customer_id: other.id }, { address_type: 'LEGAL' }), ws.key),
      agent: await createAddress({ business_id: business.id, address_type: 'LEGAL', address_line_1: '1 Agent Way', city: 'Dover', state: 'DE', country_code: 'US', is_registered_agent: true }, ws.key),
      canada: await createAddress({ business_id: business.id, address_type: 'OPERATING', address_line_1: '1 Bay St', city: 'Toronto', state: 'ON', postal_code: 'M5J 2N8', country_code: 'CA' }, ws.key),
    }
    made.person = person
    made.business = business
  })

  const ids = (body: { addresses: { id: string }[] }) => body.addresses.map((a) => a.id)

  it('filters by owner, country (alpha-2 or alpha-3), type, activity and registered agent', async () => {
    const { shipping, billing, otherLegal, agent, canada, person, business } = made
    const expectations: [string, any[]][] = [
      ['', [shipping, billing, otherLegal, agent, canada]],
      [`customer_id=${person.id}`, [shipping, billing]],
      [`business_id=${business.id}`, [agent, canada]],
      [`customer_id=${uuidv7()}`, []],
      ['country=US', [shipping, billing, otherLegal, agent]],
      ['country=CAN', [canada]],
      ['country=MX', []],
      ['Address%20type=LEGAL', [otherLegal, agent]],
      ['Address+type=LEGAL', [otherLegal, agent]],
      ['address_type=BILLING', [billing]],
      ['Address%20type=LEGAL&address_type=LEGAL', [otherLegal, agent]],
      ['is_active=false', [billing]],
      ['is_active=true&country=US', [shipping, otherLegal, agent]],
      ['is_registered_agent=true', [agent]],
      ['is_registered_agent=false', [shipping, billing, otherLegal, canada]],
      [`business_id=${business.id}&Address%20type=OPERATING`, [canada]],
    ]
    for (const [query, expected] of expectations) {
      const res = await h.request('GET', `/v0/addresses?${query}`, { key: ws.key })
      assert.equal(res.status, 200, query)
      assert.deepEqual(ids(res.body), expected.map((a) => a.id), query)
    }
    const one = await h.request('GET', `/v0/addresses?country=CA`, { key: ws.key })
    assert.deepEqual(one.body.addresses, [canada], 'list items are the resource as GET shows it')
  })

  it('pages in creation order with an opaque token', async () => {
    const seen: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const res = await h.request('GET', `/v0/addresses?limit=2${token ? `&page_token=${token}` : ''}`, { key: ws.key })
      assert.equal(res.status, 200)
      seen.push(...ids(res.body))
      token = res.body.next_page_token
      pages++
    } while (token)
    assert.equal(pages, 3)
    assert.deepEqual(seen, ['shipping', 'billing', 'otherLegal', 'agent', 'canada'].map((k) => made[k].id))
  })

  it('refuses bad query parameters with 400 BAD_QUERY_PARAMETER', async () => {
    for (const q of ['country=us', 'country=XYZ', 'country=ZZ', 'Address%20type=HOME', 'address_type=HOME', 'Address%20type=LEGAL&address_type=BILLING',
      'is_active=maybe', 'is_registered_agent=2', 'customer_id=abc', 'business_id=abc', 'limit=0', 'limit=x', 'page_token=garbage']) {
      const res = await h.request('GET', `/v0/addresses?${q}`, { key: ws.key })
      assert.equal(res.status, 400, q)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER', q)
    }
  })
})

describe('idempotency', () => {
  it('replays a create retried with the same Idempotency-Key and refuses the key for a different body', async () => {
    const person = await createPerson(h)
    const headers = { 'idempotency-key': uuidv7() }
    const first = await h.request('POST', '/v0/addresses', { body: addressFor({ customer_id: person.id }), headers })
    const again = await h.request('POST', '/v0/addresses', { body: addressFor({ customer_id: person.id }), headers })
    assert.equal(first.status, 201)
    assert.equal(again.status, 201)
    assert.deepEqual(again.body, first.body)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from addresses where customer_id = ${person.id}`
    assert.equal(n, 1)
    const reuse = await h.request('POST', '/v0/addresses', { body: addressFor({ customer_id: person.id }, { city: 'Chicago' }), headers })
    assert.equal(reuse.status, 422)
    assert.equal(reuse.body.code, 'IDEMPOTENCY_INVALID_REUSE')
  })

  it('replays a patch retried with the same key without a second event', async () => {
    const person = await createPerson(h)
    const created = await createAddress(addressFor({ customer_id: person.id }))
    const headers = { 'idempotency-key': uuidv7() }
    tick()
    const first = await h.request('PATCH', `/v0/addresses/${created.id}`, { body: { nickname: 'Office' }, headers })
    tick()
    const again = await h.request('PATCH', `/v0/addresses/${created.id}`, { body: { nickname: 'Office' }, headers })
    assert.equal(first.status, 200)
    assert.deepEqual(again.body, first.body)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from events where resource_id = ${created.id} and type = 'ADDRESS.UPDATED'`
    assert.equal(n, 1)
  })
})

describe('tenancy and wipe', () => {
  it('hides one workspace’s addresses from another and refuses its parties', async () => {
    const person = await createPerson(h)
    const business = await createBusiness(h)
    const created = await createAddress(addressFor({ customer_id: person.id }))
    assert.equal((await h.request('GET', `/v0/addresses/${created.id}`, { key: h.keys.b })).status, 404)
    assert.equal((await h.request('PATCH', `/v0/addresses/${created.id}`, { key: h.keys.b, body: { city: 'Elsewhere' } })).status, 404)
    assert.ok(!ids((await h.request('GET', `/v0/addresses?customer_id=${person.id}`, { key: h.keys.b })).body).length)
    assert.ok(!ids((await h.request('GET', '/v0/addresses', { key: h.keys.b })).body).includes(created.id))
    const asCustomer = await h.request('POST', '/v0/addresses', { key: h.keys.b, body: addressFor({ customer_id: person.id }) })
    assert.equal(asCustomer.status, 400)
    assert.equal(asCustomer.body.code, 'CUSTOMER_NOT_FOUND')
    const asBusiness = await h.request('POST', '/v0/addresses', { key: h.keys.b, body: addressFor({ business_id: business.id }) })
    assert.equal(asBusiness.status, 400)
    assert.equal(asBusiness.body.code, 'BUSINESS_NOT_FOUND')
    assert.deepEqual((await h.request('GET', `/v0/addresses/${created.id}`)).body, created)
  })

  it('a sandbox wipe removes the workspace’s addresses', async () => {
    const ws = await h.newWorkspace('addr-wipe', 'sandbox')
    const person = await createPerson(h, {}, ws.key)
    await createAddress(addressFor({ customer_id: person.id }), ws.key)
    assert.equal((await h.request('POST', '/v0/wipe', { key: ws.key })).status, 204)
    assert.equal(await addressCount(ws.id), 0)
  })

  const ids = (body: { addresses: { id: string }[] }) => body.addresses.map((a) => a.id)
})
