// /v0/customers: the customer view of the same records /v0/persons serves.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createPerson } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

let serial = 0
function customerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  serial++
  return {
    status: 'ACTIVE', first_name: 'Alan', last_name: `Turing${serial}`, middle_name: 'M', dob: '1912-06-23', email: `alan${serial}@example.com`,
    phone_number: '+447700900000', ssn: '078-05-1120', legal_address: { address_line_1: '1 Bletchley Park', city: 'Milton Keynes', postal_code: 'MK3 6EB', country_code: 'GB' },
    metadata: { crm: 'c-1' }, ...overrides,
  }
}

async function createCustomer(overrides: Record<string, unknown> = {}, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/customers', { body: customerBody(overrides), key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

const eventsOf = (resourceId: string) =>
  h.sql<{ type: string; resource: any; changed_fields: any }[]>`select type, resource, changed_fields from events where resource_id = ${resourceId} order by id`

describe('POST /v0/customers', () => {
  it('creates a customer that /v0/persons shows as a person, under the same id', async () => {
    const c = await createCustomer({ id: uuidv7(), kyc_status: 'ACCEPTED', has_accounts: true, creation_time: '2000-01-01T00:00:00Z' })
    assert.equal(c.kyc_status, 'UNVERIFIED')
    assert.equal(c.ban_status, 'ALLOWED')
    assert.equal(c.has_accounts, false)
    assert.equal(c.tenant, h.workspaces.a)
    assert.equal(c.ssn, '***-**-1120')
    assert.equal(c.is_customer, undefined)
    assert.equal(c.legal_address.address_type, 'LEGAL')
    const person = await h.request('GET', `/v0/persons/${c.id}`)
    assert.equal(person.status, 200)
    assert.equal(person.body.is_customer, true)
    assert.equal(person.body.verification_status, 'UNVERIFIED')
    for (const field of ['id', 'status', 'first_name', 'middle_name', 'last_name', 'dob', 'email', 'phone_number', 'ssn', 'legal_address', 'metadata', 'ban_status', 'creation_time', 'last_updated_time', 'tenant']) {
      assert.deepEqual(person.body[field], c[field], field)
    }
    assert.deepEqual((await h.request('GET', `/v0/customers/${c.id}`)).body, c)
    assert.deepEqual((await eventsOf(c.id)).map((e) => e.type), ['PERSON.CREATED', 'CUSTOMER.CREATED'])
    assert.deepEqual((await eventsOf(c.id))[1].resource, c)
  })

  it('shows a person made through /v0/persons in the customer view', async () => {
    const p = await createPerson(h, { chosen_name: 'Ada' })
    const res = await h.request('GET', `/v0/customers/${p.id}`)
    assert.equal(res.status, 200)
    assert.equal(res.body.kyc_status, p.verification_status)
    assert.equal(res.body.ssn, p.ssn)
    assert.equal(res.body.chosen_name, undefined)
    assert.equal(res.body.personal_ids, undefined)
  })

  it('accepts a PROSPECT', async () => {
    const c = await createCustomer({ status: 'PROSPECT', ssn: undefined, dob: undefined })
    assert.equal(c.status, 'PROSPECT')
    assert.equal(c.ssn, undefined)
  })

  it('replays a retried POST with the same Idempotency-Key', async () => {
    const body = customerBody()
    const headers = { 'idempotency-key': uuidv7() }
    const first = await h.request('POST', '/v0/customers', { body, headers })
    const again = await h.request('POST', '/v0/customers', { body, headers })
    assert.equal(again.status, 201)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.body, first.body)
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from persons where last_name = ${body.last_name as string}`
    assert.equal(n, 1)
  })

  const bad: { name: string; body: Record<string, unknown>; missing?: string[]; invalid?: string[] }[] = [
    { name: 'no status', body: { first_name: 'A' }, missing: ['status'] },
    { name: 'an unknown status', body: customerBody({ status: 'ALIVE' }), invalid: ['status'] },
    { name: 'a bad ssn', body: customerBody({ ssn: '078-05-112' }), invalid: ['ssn'] },
    { name: 'a bad dob', body: customerBody({ dob: '1912-6-23' }), invalid: ['dob'] },
    { name: 'a dob before 1900', body: customerBody({ dob: '1812-06-23' }), invalid: ['dob'] },
    { name: 'a bad phone', body: customerBody({ phone_number: '07700900000' }), invalid: ['phone_number'] },
    { name: 'a bad ban_status', body: customerBody({ ban_status: 'NOPE' }), invalid: ['ban_status'] },
    { name: 'a wrong type', body: customerBody({ first_name: 42 }), invalid: ['first_name'] },
    { name: 'related_customers', body: customerBody({ related_customers: [] }), invalid: ['related_customers'] },
  ]
  for (const c of bad) {
    it(`refuses ${c.name} with 400 BAD_REQUEST_BODY and creates nothing`, async () => {
      const ws = await h.newWorkspace(`customer-bad-${c.name}`, 'sandbox')
      const res = await h.request('POST', '/v0/customers', { key: ws.key, body: c.body })
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
      if (c.missing) assert.deepEqual(res.body.missing, c.missing)
      for (const field of c.invalid ?? []) assert.ok(res.body.invalid?.[field], `${field} named invalid: ${JSON.stringify(res.body)}`)
      assert.equal((await h.sql`select 1 from persons where workspace_id = ${ws.id}`).length, 0)
      assert.equal((await h.sql`select 1 from events where workspace_id = ${ws.id}`).length, 0)
    })
  }
})

describe('PATCH /v0/customers/{id}', () => {
  it('changes only the fields sent; the person view follows; PERSON.UPDATED and CUSTOMER.UPDATED', async () => {
    const c = await createCustomer()
    const res = await h.request('PATCH', `/v0/customers/${c.id}`, { body: { email: 'new@example.com', status: 'FROZEN' } })
    assert.equal(res.status, 200)
    assert.equal(res.body.email, 'new@example.com')
    assert.equal(res.body.status, 'FROZEN')
    assert.equal(res.body.first_name, c.first_name)
    assert.equal(res.body.ssn, c.ssn)
    const person = await h.request('GET', `/v0/persons/${c.id}`)
    assert.equal(person.body.status, 'FROZEN')
    const events = (await eventsOf(c.id)).slice(2)
    assert.deepEqual(events.map((e) => e.type), ['PERSON.UPDATED', 'CUSTOMER.UPDATED'])
    assert.deepEqual(events[1].changed_fields, { email: c.email, status: 'ACTIVE' })
    assert.deepEqual(events[1].resource, res.body)
    assert.deepEqual(events[0].resource, person.body)
  })

  it('refuses bad input with 400 and changes nothing', async () => {
    const c = await createCustomer()
    for (const [body, field] of [[{ status: 'GONE' }, 'status'], [{ ssn: 'abc' }, 'ssn'], [{ dob: null }, 'dob'], [{ ban_status: 'BANNED' }, 'ban_status']] as const) {
      const res = await h.request('PATCH', `/v0/customers/${c.id}`, { body })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
      assert.ok(res.body.invalid?.[field], JSON.stringify(res.body))
    }
    assert.deepEqual((await h.request('GET', `/v0/customers/${c.id}`)).body, c)
    assert.equal((await eventsOf(c.id)).length, 2)
  })
})

describe('server-set fields on PATCH and PUT /v0/customers/{id}', () => {
  // A customer's server-set fields are those the customer schema marks readOnly (id, kyc_status,
  // kyc_last_run, creation_time…): sent back as a GET showed them they pass, another value is refused.
  it('refuses a changed one with 400 BAD_REQUEST_BODY naming it immutable, and changes nothing', async () => {
    const c = await createCustomer()
    const cases: { method: 'PATCH' | 'PUT'; body: Record<string, unknown>; immutable: string[] }[] = [
      { method: 'PATCH', body: { id: uuidv7(), first_name: 'Z' }, immutable: ['id'] },
      { method: 'PATCH', body: { kyc_status: 'ACCEPTED' }, immutable: ['kyc_status'] },
      { method: 'PATCH', body: { creation_time: '2020-01-01T00:00:00.000Z', has_accounts: true }, immutable: ['creation_time', 'has_accounts'] },
      { method: 'PATCH', body: { kyc_exempt: true }, immutable: ['kyc_exempt'] },
      { method: 'PUT', body: { ...c, kyc_status: 'ACCEPTED' }, immutable: ['kyc_status'] },
      { method: 'PUT', body: { ...c, id: uuidv7(), kyc_last_run: '2020-01-01T00:00:00.000Z' }, immutable: ['id', 'kyc_last_run'] },
      { method: 'PUT', body: { status: 'ACTIVE', ssn_source: 'PREFILL' }, immutable: ['ssn_source'] },
    ]
    for (const x of cases) {
      const res = await h.request(x.method, `/v0/customers/${c.id}`, { body: x.body })
      assert.deepEqual([res.status, res.body.code], [400, 'BAD_REQUEST_BODY'], `${x.method} ${JSON.stringify(x.body)}`)
      assert.deepEqual(res.body.immutable, x.immutable, JSON.stringify(res.body))
    }
    const tenant = await h.request('PATCH', `/v0/customers/${c.id}`, { body: { tenant: h.workspaces.b } })
    assert.deepEqual([tenant.status, tenant.body.code], [422, 'INVALID_TENANCY'])
    assert.deepEqual((await h.request('GET', `/v0/customers/${c.id}`)).body, c)
    assert.equal((await eventsOf(c.id)).length, 2)
  })

  it('takes back what a GET returned, on PATCH as on PUT, without change or event', async () => {
    const c = await createCustomer()
    for (const method of ['PATCH', 'PUT']) {
      const res = await h.request(method, `/v0/customers/${c.id}`, { body: c })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.deepEqual(res.body, c)
    }
    assert.equal((await eventsOf(c.id)).length, 2)
  })
})

describe('PUT /v0/customers/{id}', () => {
  it('replaces the whole customer: fields left out are cleared', async () => {
    const c = await createCustomer()
    const res = await h.request('PUT', `/v0/customers/${c.id}`, { body: { status: 'ACTIVE', first_name: 'Alan', last_name: 'Mathison' } })
    assert.equal(res.status, 200)
    assert.equal(res.body.last_name, 'Mathison')
    for (const gone of ['middle_name', 'dob', 'email', 'phone_number', 'ssn', 'ssn_source', 'legal_address', 'metadata']) assert.equal(res.body[gone], undefined, gone)
    assert.equal(res.body.ban_status, 'ALLOWED')
    const [row] = await h.sql`select ssn_encrypted, ssn_last4 from persons where id = ${c.id}`
    assert.deepEqual({ ...row }, { ssn_encrypted: null, ssn_last4: null })
    const [updated] = (await eventsOf(c.id)).filter((e) => e.type === 'CUSTOMER.UPDATED')
    assert.equal(updated.changed_fields.ssn, c.ssn)
    assert.equal(updated.changed_fields.last_name, c.last_name)
  })

  it('takes back what a GET returned without change or event, and keeps person-only fields', async () => {
    const p = await createPerson(h, { chosen_name: 'Ada' })
    const view = (await h.request('GET', `/v0/customers/${p.id}`)).body
    const res = await h.request('PUT', `/v0/customers/${p.id}`, { body: view })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, view)
    assert.equal((await eventsOf(p.id)).length, 2)
    const person = (await h.request('GET', `/v0/persons/${p.id}`)).body
    assert.equal(person.chosen_name, 'Ada')
    assert.equal(person.is_customer, true)
  })

  it('needs a status, and answers 404 for an unknown customer', async () => {
    const c = await createCustomer()
    const noStatus = await h.request('PUT', `/v0/customers/${c.id}`, { body: { first_name: 'X' } })
    assert.equal(noStatus.status, 400)
    assert.deepEqual(noStatus.body.missing, ['status'])
    const unknown = await h.request('PUT', `/v0/customers/${uuidv7()}`, { body: { status: 'ACTIVE' } })
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.code, 'RESOURCE_NOT_FOUND')
    assert.deepEqual((await h.request('GET', `/v0/customers/${c.id}`)).body, c)
  })
})

describe('tenancy', () => {
  it('workspace b can neither read, patch nor replace workspace a’s customer', async () => {
    const c = await createCustomer()
    const attempts = [
      h.request('GET', `/v0/customers/${c.id}`, { key: h.keys.b }),
      h.request('PATCH', `/v0/customers/${c.id}`, { key: h.keys.b, body: { first_name: 'Mallory' } }),
      h.request('PUT', `/v0/customers/${c.id}`, { key: h.keys.b, body: { status: 'ACTIVE', first_name: 'Mallory' } }),
      h.request('GET', `/v0/customers/not-a-uuid`, { key: h.keys.b }),
    ]
    for (const res of await Promise.all(attempts)) {
      assert.equal(res.status, 404)
      assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
    }
    assert.deepEqual((await h.request('GET', `/v0/customers/${c.id}`)).body, c)
    assert.equal((await eventsOf(c.id)).length, 2)
  })
})
