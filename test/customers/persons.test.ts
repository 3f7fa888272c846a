import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createPerson, personBody } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const eventsOf = (workspaceId: string, resourceId: string) =>
  h.sql<{ type: string; resource: any; changed_fields: any }[]>`select type, resource, changed_fields from events where workspace_id = ${workspaceId} and resource_id = ${resourceId} order by id`

describe('POST /v0/persons', () => {
  it('creates a person with the server-set fields, and GET returns it', async () => {
    const res = await h.request('POST', '/v0/persons', { body: personBody({ ssn: '123-45-6789', chosen_name: 'Annie', middle_name: 'B', metadata: { ref: 7 } }) })
    assert.equal(res.status, 201)
    const p = res.body
    assert.equal(p.tenant, h.workspaces.a)
    assert.equal(p.verification_status, 'UNVERIFIED')
    assert.equal(p.ban_status, 'ALLOWED')
    assert.equal(p.has_accounts, false)
    assert.equal(p.is_user, false)
    assert.equal(p.is_customer, true)
    assert.equal(p.ssn, '***-**-6789')
    assert.equal(p.ssn_source, 'MANUAL')
    assert.equal(p.legal_address.address_type, 'LEGAL')
    assert.deepEqual(p.personal_ids, [])
    assert.deepEqual(p.metadata, { ref: 7 })
    assert.equal(p.chosen_name, 'Annie')
    assert.equal(p.dob, '1985-12-10')
    assert.equal(p.creation_time, p.last_updated_time)
    const got = await h.request('GET', `/v0/persons/${p.id}`)
    assert.equal(got.status, 200)
    assert.deepEqual(got.body, p)
  })

  it('ignores read-only fields a client sends', async () => {
    const id = uuidv7()
    const res = await h.request('POST', '/v0/persons', {
      body: personBody({ id, creation_time: '2001-01-01T00:00:00Z', verification_status: 'ACCEPTED', has_accounts: true, is_user: true, tenant: 'someone_else', ssn_source: 'PREFILL', verification_last_run: '2001-01-01T00:00:00Z' }),
    })
    assert.equal(res.status, 201)
    assert.notEqual(res.body.id, id)
    assert.equal(res.body.verification_status, 'UNVERIFIED')
    assert.equal(res.body.has_accounts, false)
    assert.equal(res.body.is_user, false)
    assert.equal(res.body.tenant, h.workspaces.a)
    assert.equal(res.body.ssn_source, 'MANUAL')
    assert.equal(res.body.verification_last_run, undefined)
    assert.notEqual(res.body.creation_time, '2001-01-01T00:00:00.000Z')
  })

  it('accepts an SSN without dashes and stores it only encrypted', async () => {
    const ws = await h.newWorkspace('ssn-at-rest', 'sandbox')
    const res = await h.request('POST', '/v0/persons', { key: ws.key, body: personBody({ ssn: '987654321' }), headers: { 'idempotency-key': uuidv7() } })
    assert.equal(res.status, 201)
    assert.equal(res.body.ssn, '***-**-4321')
    const [row] = await h.sql`select * from persons where workspace_id = ${ws.id} and id = ${res.body.id}`
    assert.equal(row.ssn_last4, '4321')
    assert.equal(h.services.vault.decrypt(row.ssn_encrypted), '987-65-4321')
    const everything = JSON.stringify([row, await h.sql`select * from events where workspace_id = ${ws.id}`, await h.sql`select * from idempotency_keys where workspace_id = ${ws.id}`])
    for (const plain of ['987654321', '987-65-4321', '98765']) assert.ok(!everything.includes(plain), `plaintext ${plain} at rest`)
  })

  it('writes PERSON.CREATED, and CUSTOMER.CREATED only for a customer', async () => {
    const customer = await createPerson(h)
    const party = await createPerson(h, { is_customer: false })
    const ofCustomer = await eventsOf(h.workspaces.a, customer.id)
    assert.deepEqual(ofCustomer.map((e) => e.type), ['PERSON.CREATED', 'CUSTOMER.CREATED'])
    assert.deepEqual(ofCustomer[0].resource, customer)
    assert.equal(ofCustomer[1].resource.kyc_status, 'UNVERIFIED')
    assert.equal(ofCustomer[1].resource.ssn, customer.ssn)
    assert.deepEqual((await eventsOf(h.workspaces.a, party.id)).map((e) => e.type), ['PERSON.CREATED'])
  })

  it('replays a retried POST with the same Idempotency-Key instead of creating twice', async () => {
    const ws = await h.newWorkspace('person-idempotency', 'sandbox')
    const body = personBody()
    const headers = { 'idempotency-key': uuidv7() }
    const first = await h.request('POST', '/v0/persons', { key: ws.key, body, headers })
    const again = await h.request('POST', '/v0/persons', { key: ws.key, body, headers })
    assert.equal(first.status, 201)
    assert.equal(again.status, 201)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.body, first.body)
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from persons where workspace_id = ${ws.id}`
    assert.equal(n, 1)
    assert.equal((await h.sql`select 1 from events where workspace_id = ${ws.id}`).length, 2)
  })

  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)
  const badCreates: { name: string; body: Record<string, unknown>; missing?: string[]; invalid?: string[] }[] = [
    { name: 'no is_customer', body: { status: 'ACTIVE' }, missing: ['is_customer'] },
    { name: 'no status', body: { is_customer: true }, missing: ['status'] },
    { name: 'empty body', body: {}, missing: ['is_customer', 'status'] },
    { name: 'is_customer as a string', body: personBody({ is_customer: 'true' }), invalid: ['is_customer'] },
    { name: 'unknown status', body: personBody({ status: 'ALIVE' }), invalid: ['status'] },
    { name: 'unknown ban_status', body: personBody({ ban_status: 'MAYBE' }), invalid: ['ban_status'] },
    { name: 'ban_status BANNED', body: personBody({ ban_status: 'BANNED' }), invalid: ['ban_status'] },
    { name: 'SUSPENDED without a note', body: personBody({ ban_status: 'SUSPENDED' }), missing: ['note'] },
    { name: 'ssn of 8 digits', body: personBody({ ssn: '123-45-678' }), invalid: ['ssn'] },
    { name: 'ssn with letters', body: personBody({ ssn: '123-45-67a9' }), invalid: ['ssn'] },
    { name: 'ssn as a number', body: personBody({ ssn: 123456789 }), invalid: ['ssn'] },
    { name: 'dob not a date', body: personBody({ dob: '10/12/1985' }), invalid: ['dob'] },
    { name: 'dob on no calendar', body: personBody({ dob: '1985-02-30' }), invalid: ['dob'] },
    { name: 'dob before 1900', body: personBody({ dob: '1899-12-31' }), invalid: ['dob'] },
    { name: 'dob in the future', body: personBody({ dob: tomorrow }), invalid: ['dob'] },
    { name: 'phone not E.164', body: personBody({ phone_number: '415-555-0100' }), invalid: ['phone_number'] },
    { name: 'first_name as null', body: personBody({ first_name: null }), invalid: ['first_name'] },
    { name: 'metadata as a string', body: personBody({ metadata: 'x' }), invalid: ['metadata'] },
    { name: 'legal_address without line 1', body: personBody({ legal_address: { country_code: 'US' } }), missing: ['legal_address.address_line_1'] },
    { name: 'legal_address with a bad country', body: personBody({ legal_address: { address_line_1: '1 Main', country_code: 'usa' } }), invalid: ['legal_address.country_code'] },
    { name: 'a note over 2000 characters', body: personBody({ note: 'n'.repeat(2001) }), invalid: ['note'] },
  ]
  for (const c of badCreates) {
    it(`refuses ${c.name} with 400 BAD_REQUEST_BODY and creates nothing`, async () => {
      const ws = await h.newWorkspace(`bad-create-${c.name}`, 'sandbox')
      const res = await h.request('POST', '/v0/persons', { key: ws.key, body: c.body })
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
      if (c.missing) assert.deepEqual(res.body.missing, c.missing)
      for (const field of c.invalid ?? []) assert.ok(res.body.invalid?.[field], `${field} named invalid: ${JSON.stringify(res.body)}`)
      const [{ n }] = await h.sql<{ n: number }[]>`select (select count(*) from persons where workspace_id = ${ws.id}) + (select count(*) from events where workspace_id = ${ws.id})::int as n`
      assert.equal(Number(n), 0)
    })
  }
})

describe('GET /v0/persons/{id}', () => {
  it('answers an unknown or malformed id, and another workspace’s person, with 404', async () => {
    const mine = await createPerson(h)
    for (const [id, key] of [[uuidv7(), h.keys.a], ['not-a-uuid', h.keys.a], [mine.id, h.keys.b]]) {
      const res = await h.request('GET', `/v0/persons/${id}`, { key })
      assert.equal(res.status, 404)
      assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
    }
  })
})

describe('PATCH /v0/persons/{id}', () => {
  it('changes only the fields sent and records PERSON.UPDATED and CUSTOMER.UPDATED with the prior values', async () => {
    const p = await createPerson(h, { middle_name: 'Q' })
    const res = await h.request('PATCH', `/v0/persons/${p.id}`, { body: { first_name: 'Augusta', legal_address: { address_line_1: '2 Side St', country_code: 'US' } } })
    assert.equal(res.status, 200)
    assert.equal(res.body.first_name, 'Augusta')
    assert.equal(res.body.legal_address.address_line_1, '2 Side St')
    const { first_name: _f, legal_address: _l, last_updated_time: _t, ...rest } = res.body
    const { first_name: _f0, legal_address: _l0, last_updated_time: _t0, ...restBefore } = p
    assert.deepEqual(rest, restBefore)
    assert.ok(res.body.last_updated_time > p.last_updated_time)
    const events = (await eventsOf(h.workspaces.a, p.id)).slice(2)
    assert.deepEqual(events.map((e) => e.type), ['PERSON.UPDATED', 'CUSTOMER.UPDATED'])
    assert.deepEqual(events[0].resource, res.body)
    assert.deepEqual(events[0].changed_fields, { first_name: 'Ada', legal_address: p.legal_address })
    assert.deepEqual(events[1].changed_fields, { first_name: 'Ada', legal_address: p.legal_address })
  })

  it('writes nothing for a PATCH that changes nothing: what a GET returned, the masked SSN and server-set fields included', async () => {
    const p = await createPerson(h, { ssn: '123-45-6789' })
    for (const body of [p, { first_name: p.first_name, ssn: p.ssn, id: p.id, verification_status: p.verification_status, tenant: p.tenant }]) {
      const res = await h.request('PATCH', `/v0/persons/${p.id}`, { body })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.deepEqual(res.body, p)
    }
    assert.equal((await eventsOf(h.workspaces.a, p.id)).length, 2)
  })

  // As for businesses (request-fields.ts): a server-set field sent back as a GET showed it passes; another value is refused.
  it('refuses a changed server-set field with 400 BAD_REQUEST_BODY naming it immutable, and changes nothing', async () => {
    const p = await createPerson(h)
    const cases: { body: Record<string, unknown>; immutable: string[] }[] = [
      { body: { id: uuidv7(), first_name: 'Z' }, immutable: ['id'] },
      { body: { verification_status: 'ACCEPTED' }, immutable: ['verification_status'] },
      { body: { creation_time: '2020-01-01T00:00:00.000Z', last_updated_time: p.last_updated_time }, immutable: ['creation_time'] },
      { body: { has_accounts: true, is_user: true, first_name: 'Z' }, immutable: ['has_accounts', 'is_user'] },
      { body: { verification_last_run: '2020-01-01T00:00:00.000Z' }, immutable: ['verification_last_run'] },
      { body: { ssn_source: 'PREFILL' }, immutable: ['ssn_source'] },
    ]
    for (const c of cases) {
      const res = await h.request('PATCH', `/v0/persons/${p.id}`, { body: c.body })
      assert.deepEqual([res.status, res.body.code], [400, 'BAD_REQUEST_BODY'], JSON.stringify(c.body))
      assert.deepEqual(res.body.immutable, c.immutable, JSON.stringify(res.body))
      assert.match(res.body.detail, /fields set by the server cannot be changed/)
    }
    const tenant = await h.request('PATCH', `/v0/persons/${p.id}`, { body: { tenant: h.workspaces.b, first_name: 'Z' } })
    assert.deepEqual([tenant.status, tenant.body.code], [422, 'INVALID_TENANCY'])
    assert.deepEqual((await h.request('GET', `/v0/persons/${p.id}`)).body, p)
    assert.equal((await eventsOf(h.workspaces.a, p.id)).length, 2)
  })

  it('re-encrypts a changed SSN, and names it changed even when the last four digits stay', async () => {
    const p = await createPerson(h, { ssn: '111-22-3333' })
    const res = await h.request('PATCH', `/v0/persons/${p.id}`, { body: { ssn: '444553333' } })
    assert.equal(res.status, 200)
    assert.equal(res.body.ssn, '***-**-3333')
    const [row] = await h.sql`select ssn_encrypted from persons where id = ${p.id}`
    assert.equal(h.services.vault.decrypt(row.ssn_encrypted), '444-55-3333')
    const [updated] = (await eventsOf(h.workspaces.a, p.id)).filter((e) => e.type === 'PERSON.UPDATED')
    assert.deepEqual(updated.changed_fields, { ssn: '***-**-3333' })
    // The new SSN's digits, in either form; not just '444', which an id or a timestamp's milliseconds may hold.
    for (const plain of ['444553333', '444-55']) assert.ok(!JSON.stringify(updated).includes(plain), plain)
  })

  it('turns a party into a customer with CUSTOMER.CREATED, and back with CUSTOMER.UPDATED', async () => {
    const p = await createPerson(h, { is_customer: false })
    await h.request('PATCH', `/v0/persons/${p.id}`, { body: { is_customer: true } })
    await h.request('PATCH', `/v0/persons/${p.id}`, { body: { is_customer: false } })
    assert.deepEqual((await eventsOf(h.workspaces.a, p.id)).map((e) => e.type), ['PERSON.CREATED', 'PERSON.UPDATED', 'CUSTOMER.CREATED', 'PERSON.UPDATED', 'CUSTOMER.UPDATED'])
  })

  it('needs a note to suspend or reinstate, and keeps BANNED to the ban rules', async () => {
    const p = await createPerson(h)
    const noNote = await h.request('PATCH', `/v0/persons/${p.id}`, { body: { ban_status: 'SUSPENDED' } })
    assert.equal(noNote.status, 400)
    assert.deepEqual(noNote.body.missing, ['note'])
    const suspended = await h.request('PATCH', `/v0/persons/${p.id}`, { body: { ban_status: 'SUSPENDED', note: 'chargeback pattern' } })
    assert.equal(suspended.status, 200)
    assert.equal(suspended.body.ban_status, 'SUSPENDED')
    assert.equal(suspended.body.note, undefined)
    const [row] = await h.sql`select fields from persons where id = ${p.id}`
    assert.equal(row.fields.notes[0].text, 'chargeback pattern')
    const banned = await h.request('PATCH', `/v0/persons/${p.id}`, { body: { ban_status: 'BANNED', note: 'x' } })
    assert.equal(banned.status, 400)
    assert.ok(banned.body.invalid.ban_status)
    const suspendedCreate = await h.request('POST', '/v0/persons', { body: personBody({ ban_status: 'SUSPENDED', note: 'known fraud ring' }) })
    assert.equal(suspendedCreate.status, 201)
    assert.equal(suspendedCreate.body.ban_status, 'SUSPENDED')
  })

  const badPatches: { name: string; body: Record<string, unknown>; missing?: string[]; invalid?: string[] }[] = [
    { name: 'null clears nothing the spec makes nullable', body: { email: null }, invalid: ['email'] },
    { name: 'a bad status', body: { status: 'GONE' }, invalid: ['status'] },
    { name: 'a bad ssn', body: { ssn: '12-345-6789x' }, invalid: ['ssn'] },
    { name: 'a bad dob', body: { dob: '2020-13-01' }, invalid: ['dob'] },
    { name: 'a wrong type', body: { is_customer: 1 }, invalid: ['is_customer'] },
  ]
  for (const c of badPatches) {
    it(`refuses ${c.name} with 400 and changes nothing`, async () => {
      const p = await createPerson(h)
      const res = await h.request('PATCH', `/v0/persons/${p.id}`, { body: c.body })
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
      if (c.missing) assert.deepEqual(res.body.missing, c.missing)
      for (const field of c.invalid ?? []) assert.ok(res.body.invalid?.[field], `${field} named invalid: ${JSON.stringify(res.body)}`)
      assert.deepEqual((await h.request('GET', `/v0/persons/${p.id}`)).body, p)
      assert.equal((await eventsOf(h.workspaces.a, p.id)).length, 2)
    })
  }

  it('accepts and ignores fields a PATCH body may not set or the spec does not declare', async () => {
    const p = await createPerson(h)
    const res = await h.request('PATCH', `/v0/persons/${p.id}`, { body: { first_name: 'Bea', nickname: 'x', personal_ids: [] } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.first_name, 'Bea')
    assert.equal(res.body.nickname, undefined)
  })

  it('answers 404 for an unknown person or another workspace’s, and changes nothing', async () => {
    const p = await createPerson(h)
    for (const [id, key] of [[uuidv7(), h.keys.a], [p.id, h.keys.b]]) {
      const res = await h.request('PATCH', `/v0/persons/${id}`, { key, body: { first_name: 'Mallory' } })
      assert.equal(res.status, 404)
      assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
    }
    assert.deepEqual((await h.request('GET', `/v0/persons/${p.id}`)).body, p)
  })
})
