// /v0/persons/personal_ids: identifiers stored encrypted, shown masked, embedded in the person.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createPerson, personBody } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

async function createPersonalId(body: Record<string, unknown>, key?: string): Promise<any> {
  const res = await h.request('POST', '/v0/persons/personal_ids', { body, key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

const eventsOf = (resourceId: string) =>
  h.sql<{ type: string; resource: any; changed_fields: any }[]>`select type, resource, changed_fields from events where resource_id = ${resourceId} order by id`

describe('POST /v0/persons/personal_ids', () => {
  it('creates a masked, encrypted personal id that the person then shows, with PERSON.UPDATED', async () => {
    const p = await createPerson(h)
    const pid = await createPersonalId({ customer_id: p.id, id_type: 'PASSPORT_NUMBER', identifier: 'X12345678', country_code: 'GB', id: uuidv7(), system_provided: true })
    assert.deepEqual(Object.keys(pid).sort(), ['country_code', 'customer_id', 'id', 'id_type', 'identifier', 'system_provided', 'tenant'])
    assert.equal(pid.identifier, '****5678')
    assert.equal(pid.customer_id, p.id)
    assert.equal(pid.tenant, h.workspaces.a)
    assert.equal(pid.system_provided, false)
    const [row] = await h.sql`select * from personal_ids where id = ${pid.id}`
    assert.equal(h.services.vault.decrypt(row.identifier_encrypted), 'X12345678')
    const person = (await h.request('GET', `/v0/persons/${p.id}`)).body
    const { customer_id: _c, tenant: _t, ...embedded } = pid
    assert.deepEqual(person.personal_ids, [embedded])
    assert.ok(person.last_updated_time > p.last_updated_time)
    const events = await eventsOf(p.id)
    assert.deepEqual(events.map((e) => e.type), ['PERSON.CREATED', 'CUSTOMER.CREATED', 'PERSON.UPDATED'])
    assert.deepEqual(events[2].changed_fields, { personal_ids: [] })
    assert.deepEqual(events[2].resource, person)
    assert.ok(!JSON.stringify([row, events]).includes('X1234'))
  })

  it('masks SSN-shaped ids like ssn and fills in the implied country', async () => {
    const p = await createPerson(h)
    const ssn = await createPersonalId({ customer_id: p.id, id_type: 'ITIN', identifier: '912345678' })
    assert.equal(ssn.identifier, '***-**-5678')
    assert.equal(ssn.country_code, 'US')
    const sin = await createPersonalId({ customer_id: p.id, id_type: 'SIN', identifier: '123-456-789' })
    assert.equal(sin.country_code, 'CA')
    assert.equal(sin.identifier, '****6789')
  })

  it('accepts and ignores fields the spec does not declare', async () => {
    const p = await createPerson(h)
    const made = await createPersonalId({ customer_id: p.id, id_type: 'SSN', identifier: '123-45-6789', expires: '2030-01-01' })
    assert.equal(made.identifier, '***-**-6789')
    assert.equal(made.expires, undefined)
  })

  it('creates personal ids sent with a new person', async () => {
    const res = await h.request('POST', '/v0/persons', { body: personBody({ personal_ids: [{ id_type: 'DRIVER_LICENSE', identifier: 'D1234-5678', country_code: 'US' }, { id_type: 'SSN', identifier: '123-45-6789' }] }) })
    assert.equal(res.status, 201)
    assert.deepEqual(res.body.personal_ids.map((i: any) => [i.id_type, i.identifier, i.country_code]), [['DRIVER_LICENSE', '****5678', 'US'], ['SSN', '***-**-6789', 'US']])
    const ws = await h.newWorkspace('embedded-ids', 'sandbox')
    const bad = await h.request('POST', '/v0/persons', { key: ws.key, body: personBody({ personal_ids: [{ id_type: 'PASSPORT_NUMBER', identifier: 'P1234567' }, { id_type: 'SSN', identifier: '12', expiry: '2030' }] }) })
    assert.equal(bad.status, 400)
    assert.deepEqual(bad.body.missing, ['personal_ids[0].country_code'])
    // expiry is not a field of personal ids: accepted and ignored, as the spec allows undeclared fields.
    assert.deepEqual(Object.keys(bad.body.invalid).sort(), ['personal_ids[1].identifier'])
    assert.equal((await h.sql`select 1 from persons where workspace_id = ${ws.id}`).length, 0)
  })

  const bad: { name: string; body: (personId: string) => Record<string, unknown>; status?: number; code?: string; missing?: string[]; invalid?: string[] }[] = [
    { name: 'no customer_id', body: () => ({ id_type: 'SSN', identifier: '123-45-6789' }), missing: ['customer_id'] },
    { name: 'no id_type or identifier', body: (id) => ({ customer_id: id }), missing: ['id_type', 'identifier'] },
    { name: 'a malformed customer_id', body: () => ({ customer_id: 'p-1', id_type: 'SSN', identifier: '123-45-6789' }), invalid: ['customer_id'] },
    { name: 'an unknown id_type', body: (id) => ({ customer_id: id, id_type: 'LIBRARY_CARD', identifier: 'L12345' }), invalid: ['id_type'] },
    { name: 'a passport without a country', body: (id) => ({ customer_id: id, id_type: 'PASSPORT_NUMBER', identifier: 'X12345678' }), missing: ['country_code'] },
    { name: 'a country that is not ISO alpha-2', body: (id) => ({ customer_id: id, id_type: 'PASSPORT_NUMBER', identifier: 'X12345678', country_code: 'XX' }), invalid: ['country_code'] },
    { name: 'an SSN issued outside the US', body: (id) => ({ customer_id: id, id_type: 'SSN', identifier: '123-45-6789', country_code: 'CA' }), invalid: ['country_code'] },
    { name: 'an SSN that is not 9 digits', body: (id) => ({ customer_id: id, id_type: 'SSN', identifier: '123-45-678' }), invalid: ['identifier'] },
    { name: 'an identifier too short to mask', body: (id) => ({ customer_id: id, id_type: 'STATE_ID', identifier: 'A-12', country_code: 'US' }), invalid: ['identifier'] },
    { name: 'an identifier over 64 characters', body: (id) => ({ customer_id: id, id_type: 'STATE_ID', identifier: 'A'.repeat(65), country_code: 'US' }), invalid: ['identifier'] },
    { name: 'an identifier as a number', body: (id) => ({ customer_id: id, id_type: 'STATE_ID', identifier: 123456, country_code: 'US' }), invalid: ['identifier'] },
    { name: 'an unknown person', body: () => ({ customer_id: uuidv7(), id_type: 'SSN', identifier: '123-45-6789' }), status: 400, code: 'CUSTOMER_NOT_FOUND' },
  ]
  for (const c of bad) {
    it(`refuses ${c.name} and changes nothing`, async () => {
      const p = await createPerson(h)
      const res = await h.request('POST', '/v0/persons/personal_ids', { body: c.body(p.id) })
      assert.equal(res.status, c.status ?? 400, JSON.stringify(res.body))
      assert.equal(res.body.code, c.code ?? 'BAD_REQUEST_BODY')
      if (c.missing) assert.deepEqual(res.body.missing, c.missing)
      for (const field of c.invalid ?? []) assert.ok(res.body.invalid?.[field], `${field} named invalid: ${JSON.stringify(res.body)}`)
      assert.equal((await h.sql`select 1 from personal_ids where person_id = ${p.id}`).length, 0)
      assert.equal((await eventsOf(p.id)).length, 2)
    })
  }

  it('refuses a person of another workspace with 400 CUSTOMER_NOT_FOUND', async () => {
    const p = await createPerson(h)
    const res = await h.request('POST', '/v0/persons/personal_ids', { key: h.keys.b, body: { customer_id: p.id, id_type: 'SSN', identifier: '123-45-6789' } })
    assert.equal(res.status, 400)
    assert.equal(res.body.code, 'CUSTOMER_NOT_FOUND')
    assert.equal((await h.sql`select 1 from personal_ids where person_id = ${p.id}`).length, 0)
  })
})

describe('PATCH /v0/persons/personal_ids/{id}', () => {
  it('changes the identifier (re-encrypted) and the country, with PERSON.UPDATED', async () => {
    const p = await createPerson(h)
    const pid = await createPersonalId({ customer_id: p.id, id_type: 'PASSPORT_NUMBER', identifier: 'X12345678', country_code: 'GB' })
    const res = await h.request('PATCH', `/v0/persons/personal_ids/${pid.id}`, { body: { id_type: 'PASSPORT_NUMBER', identifier: 'Y87654321', country_code: 'IE' } })
    assert.equal(res.status, 201)
    assert.equal(res.body.identifier, '****4321')
    assert.equal(res.body.country_code, 'IE')
    const [row] = await h.sql`select identifier_encrypted from personal_ids where id = ${pid.id}`
    assert.equal(h.services.vault.decrypt(row.identifier_encrypted), 'Y87654321')
    const person = (await h.request('GET', `/v0/persons/${p.id}`)).body
    assert.equal(person.personal_ids[0].country_code, 'IE')
    const last = (await eventsOf(p.id)).at(-1)!
    assert.equal(last.type, 'PERSON.UPDATED')
    assert.equal(last.changed_fields.personal_ids[0].country_code, 'GB')
  })

  it('writes nothing when the masked identifier is sent back unchanged', async () => {
    const p = await createPerson(h)
    const pid = await createPersonalId({ customer_id: p.id, id_type: 'SSN', identifier: '123-45-6789' })
    const res = await h.request('PATCH', `/v0/persons/personal_ids/${pid.id}`, { body: { id_type: 'SSN', identifier: pid.identifier, country_code: 'US' } })
    assert.equal(res.status, 201)
    assert.deepEqual(res.body, pid)
    assert.equal((await eventsOf(p.id)).length, 3)
  })

  it('refuses a changed id_type, a foreign country for an SSN and a bad identifier, changing nothing', async () => {
    const p = await createPerson(h)
    const pid = await createPersonalId({ customer_id: p.id, id_type: 'SSN', identifier: '123-45-6789' })
    const cases: [Record<string, unknown>, string, 'invalid' | 'missing'][] = [
      [{ id_type: 'ITIN', identifier: '912-34-5678' }, 'id_type', 'invalid'],
      [{ id_type: 'SSN', country_code: 'MX' }, 'country_code', 'invalid'],
      [{ id_type: 'SSN', identifier: '1234' }, 'identifier', 'invalid'],
      [{ identifier: '987-65-4321' }, 'id_type', 'missing'],
    ]
    for (const [body, field, kind] of cases) {
      const res = await h.request('PATCH', `/v0/persons/personal_ids/${pid.id}`, { body })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
      if (kind === 'missing') assert.deepEqual(res.body.missing, [field])
      else assert.ok(res.body.invalid?.[field], JSON.stringify(res.body))
    }
    const [row] = await h.sql`select * from personal_ids where id = ${pid.id}`
    assert.equal(h.services.vault.decrypt(row.identifier_encrypted), '123-45-6789')
    assert.equal((await eventsOf(p.id)).length, 3)
  })

  it('answers 404 for an unknown, malformed or foreign personal id', async () => {
    const p = await createPerson(h)
    const pid = await createPersonalId({ customer_id: p.id, id_type: 'SSN', identifier: '123-45-6789' })
    for (const [id, key] of [[uuidv7(), h.keys.a], ['nope', h.keys.a], [pid.id, h.keys.b]]) {
      const res = await h.request('PATCH', `/v0/persons/personal_ids/${id}`, { key, body: { id_type: 'SSN', identifier: '987-65-4321' } })
      assert.equal(res.status, 404)
      assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
    }
    const [row] = await h.sql`select identifier_last4 from personal_ids where id = ${pid.id}`
    assert.equal(row.identifier_last4, '6789')
  })
})

describe('DELETE /v0/persons/personal_ids/{id}', () => {
  it('deletes it, answers the delete_response, and the person no longer shows it', async () => {
    const p = await createPerson(h)
    const pid = await createPersonalId({ customer_id: p.id, id_type: 'SSN', identifier: '123-45-6789' })
    const foreign = await h.request('DELETE', `/v0/persons/personal_ids/${pid.id}`, { key: h.keys.b })
    assert.equal(foreign.status, 404)
    const res = await h.request('DELETE', `/v0/persons/personal_ids/${pid.id}`)
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { id: pid.id, resource: 'personal_id' })
    assert.deepEqual((await h.request('GET', `/v0/persons/${p.id}`)).body.personal_ids, [])
    const last = (await eventsOf(p.id)).at(-1)!
    assert.equal(last.type, 'PERSON.UPDATED')
    assert.equal(last.changed_fields.personal_ids[0].id, pid.id)
    const again = await h.request('DELETE', `/v0/persons/personal_ids/${pid.id}`)
    assert.equal(again.status, 404)
    assert.equal(again.body.code, 'RESOURCE_NOT_FOUND')
  })
})
